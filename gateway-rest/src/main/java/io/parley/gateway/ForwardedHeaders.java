package io.parley.gateway;

import io.grpc.Metadata;
import io.netty.handler.codec.http.HttpHeaders;
import io.parley.server.RequestIds;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What the gateway passes on from an HTTP request to the service it calls, as gRPC metadata:
 * {@code authorization}, {@code accept-language}, {@code x-request-id} (the client's if it is 1-128
 * visible ASCII characters, a new one otherwise) and {@code x-forwarded-for} with the client's
 * address appended. Nothing else crosses: no cookies, no hop-by-hop headers.
 *
 * @param authorization the Authorization header (or an {@code access_token} query parameter as a
 *     bearer value), or null
 * @param acceptLanguage the Accept-Language header, or null
 * @param requestId the request id, never null
 * @param forwardedFor the X-Forwarded-For chain with the client's address last
 */
record ForwardedHeaders(String authorization, String acceptLanguage, String requestId, String forwardedFor) {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> ACCEPT_LANGUAGE = Metadata.Key.of("accept-language", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> X_FORWARDED_FOR = Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);
  static final String X_REQUEST_ID = "x-request-id";

  private static final int MAX_REQUEST_ID = 128;

  /** The headers to forward for a request from {@code remote}. */
  static ForwardedHeaders of(HttpHeaders headers, SocketAddress remote) {
    String client = remote instanceof InetSocketAddress address && address.getAddress() != null
        ? address.getAddress().getHostAddress()
        : String.valueOf(remote);
    String chain = headers.get("x-forwarded-for");
    String forwardedFor = chain == null || chain.isBlank() ? client : chain.strip() + ", " + client;
    return new ForwardedHeaders(
        headers.get("authorization"), headers.get("accept-language"), requestId(headers.get(X_REQUEST_ID)), forwardedFor);
  }

  /** The same headers with {@code authorization} set to {@code value}. */
  ForwardedHeaders withAuthorization(String value) {
    return new ForwardedHeaders(value, acceptLanguage, requestId, forwardedFor);
  }

  /** The metadata for the gRPC call. */
  Metadata toMetadata() {
    Metadata metadata = new Metadata();
    if (authorization != null) {
      metadata.put(AUTHORIZATION, authorization);
    }
    if (acceptLanguage != null) {
      metadata.put(ACCEPT_LANGUAGE, acceptLanguage);
    }
    metadata.put(RequestIds.METADATA_KEY, requestId);
    metadata.put(X_FORWARDED_FOR, forwardedFor);
    return metadata;
  }

  /** The client's id if it is usable (1-128 visible ASCII characters), else a new one. */
  static String requestId(String sent) {
    if (sent == null || sent.isEmpty() || sent.length() > MAX_REQUEST_ID) {
      return RequestIds.newId();
    }
    for (int i = 0; i < sent.length(); i++) {
      char c = sent.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return RequestIds.newId();
      }
    }
    return sent;
  }
}
