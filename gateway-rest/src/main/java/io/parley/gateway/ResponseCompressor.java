package io.parley.gateway;

import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Gzip (or deflate) for clients that accept it, on responses of 1 KiB or more, except streams
 * (SSE, NDJSON), which must reach the client event by event, and images, which are compressed
 * already.
 */
final class ResponseCompressor extends HttpContentCompressor {
  private static final int THRESHOLD_BYTES = 1024;

  ResponseCompressor() {
    super(THRESHOLD_BYTES, StandardCompressionOptions.gzip(), StandardCompressionOptions.deflate());
  }

  @Override
  protected Result beginEncode(HttpResponse response, String acceptEncoding) throws Exception {
    String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (type != null && (type.startsWith(StreamExchange.Format.SSE.contentType())
        || type.startsWith(StreamExchange.Format.NDJSON.contentType()) || type.startsWith("image/"))) {
      return null;
    }
    return super.beginEncode(response, acceptEncoding);
  }
}
