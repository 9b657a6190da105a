package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.parley.error.ParleyException;
import java.util.Locale;

/**
 * A request the gateway answers with an error instead of serving it (its body is too large, it
 * did not arrive in time, it is one pipelined request too many), standing in its place among
 * pipelined requests so that its answer keeps its order. Bodiless: the request's bytes are gone.
 */
final class RefusedRequest extends DefaultFullHttpRequest {
  private final ParleyException error;
  private final HttpResponseStatus status;
  private final boolean mustClose;

  /**
   * @param head the request's line and headers (for its request id, language and log line), or
   *     null if they never arrived
   * @param status the HTTP status to answer with
   * @param mustClose whether the connection closes after the answer
   */
  RefusedRequest(HttpRequest head, ParleyException error, HttpResponseStatus status, boolean mustClose) {
    super(HttpVersion.HTTP_1_1, head == null ? HttpMethod.GET : head.method(), head == null ? "*" : head.uri(),
        Unpooled.EMPTY_BUFFER);
    if (head != null) {
      headers().set(head.headers());
    }
    this.error = requireNonNull(error, "error");
    this.status = requireNonNull(status, "status");
    this.mustClose = mustClose;
  }

  /** Whether the connection must close after the answer. */
  boolean mustClose() {
    return mustClose;
  }

  /** The answer. */
  ApiError error(String requestId, Locale locale) {
    return ApiError.of(error, requestId, locale).withHttpStatus(status);
  }
}
