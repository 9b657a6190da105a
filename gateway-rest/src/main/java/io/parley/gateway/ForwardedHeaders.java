package io.parley.gateway;

import io.grpc.Metadata;
import io.netty.handler.codec.http.HttpHeaders;
import io.parley.auth.TokenVerifier;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import io.parley.server.RequestIds;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What the gateway passes on from an HTTP request to the service it calls, as gRPC metadata:
 * {@code authorization}, {@code accept-language}, {@code x-request-id} (the client's if it is 1-128
 * visible ASCII characters, a new one otherwise) and {@code x-forwarded-for}, whose last entry is
 * always the client's address (see {@link TrustedProxies}). Nothing else crosses: no cookies, no
 * hop-by-hop headers. What crosses is bounded, so that the call's metadata stays well under the 8
 * KiB gRPC servers accept by default: an Authorization over {@link #MAX_AUTHORIZATION} characters
 * is refused (see {@link #checkSize()}) and an Accept-Language over {@link #MAX_ACCEPT_LANGUAGE}
 * is not passed on (the service answers in English).
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

  /** The longest Authorization passed on: what the platform's token verifier accepts by default. */
  static final int MAX_AUTHORIZATION = TokenVerifier.DEFAULT_MAX_LENGTH;
  /** The longest Accept-Language passed on. */
  static final int MAX_ACCEPT_LANGUAGE = 256;

  private static final int MAX_REQUEST_ID = 128;

  /** The headers to forward for a request from {@code remote}, believing X-Forwarded-For from {@code proxies}. */
  static ForwardedHeaders of(HttpHeaders headers, SocketAddress remote, TrustedProxies proxies) {
    String forwardedFor = remote instanceof InetSocketAddress address && address.getAddress() != null
        ? proxies.forwardedFor(headers.get("x-forwarded-for"), address.getAddress())
        : "unknown";
    return new ForwardedHeaders(
        headers.get("authorization"), headers.get("accept-language"), requestId(headers.get(X_REQUEST_ID)), forwardedFor);
  }

  /** The same headers with {@code authorization} set to {@code value}. */
  ForwardedHeaders withAuthorization(String value) {
    return new ForwardedHeaders(value, acceptLanguage, requestId, forwardedFor);
  }

  /**
   * Checks that these headers can go out as metadata.
   *
   * @throws ParleyException TOKEN_TOO_LARGE if the Authorization is longer than {@link #MAX_AUTHORIZATION}
   */
  void checkSize() {
    if (authorization != null && authorization.length() > MAX_AUTHORIZATION) {
      throw new ParleyException(ErrorReason.TOKEN_TOO_LARGE,
          "the Authorization header is longer than " + MAX_AUTHORIZATION + " characters");
    }
  }

  /** The metadata for the gRPC call. */
  Metadata toMetadata() {
    Metadata metadata = new Metadata();
    if (authorization != null) {
      metadata.put(AUTHORIZATION, authorization);
    }
    if (acceptLanguage != null && acceptLanguage.length() <= MAX_ACCEPT_LANGUAGE) {
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
