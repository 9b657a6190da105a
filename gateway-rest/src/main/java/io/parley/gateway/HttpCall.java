package io.parley.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.parley.error.LocalizedMessages;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * What the gateway keeps of an HTTP request once its bytes are released: enough to answer it, log
 * it and forward it.
 *
 * @param version the HTTP version to answer in, always 1.1
 * @param method the HTTP method
 * @param path the path without the query (which may carry a token, so it is never logged)
 * @param forwarded the headers to forward, with the request id
 * @param locale the language of error messages, from Accept-Language
 * @param keepAlive whether the client wants the connection kept open
 * @param startNanos when the request arrived, by {@link System#nanoTime()}
 */
record HttpCall(HttpVersion version, HttpMethod method, String path, ForwardedHeaders forwarded, Locale locale,
    boolean keepAlive, long startNanos) {

  /** The call of {@code request} from {@code remote}, believing X-Forwarded-For from {@code proxies}. */
  static HttpCall of(HttpRequest request, SocketAddress remote, TrustedProxies proxies) {
    String uri = request.uri();
    int query = uri.indexOf('?');
    // Answers are HTTP/1.1 whatever the request said (RFC 9110 §6.2); HTTP/1.0 clients still get
    // their connection closed by the keep-alive handler.
    return new HttpCall(
        HttpVersion.HTTP_1_1,
        request.method(),
        query < 0 ? uri : uri.substring(0, query),
        ForwardedHeaders.of(request.headers(), remote, proxies),
        LocalizedMessages.select(request.headers().get(HttpHeaderNames.ACCEPT_LANGUAGE)),
        HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess(),
        System.nanoTime());
  }

  /** The same call, answered with Connection: close. */
  HttpCall withoutKeepAlive() {
    return new HttpCall(version, method, path, forwarded, locale, false, startNanos);
  }

  String requestId() {
    return forwarded.requestId();
  }
}
