package io.parley.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The web chat client: a page at {@code /} and its scripts and style sheet under {@code /app/},
 * plain files read once from the classpath ({@code io/parley/gateway/web/}) and kept. Only the
 * files listed here are served. Thread-safe and immutable.
 */
final class WebClient {
  /** One file to serve; {@code bytes} is shared, and callers must not change it. */
  record Asset(byte[] bytes, String contentType) {}

  /**
   * What the page may load and run: its own files only, no inline script or style, no frames, and
   * connections to its own origin. User text never becomes markup in the client; this policy is the
   * second line of defence should a mistake ever let some through.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private static final String ROOT = "io/parley/gateway/web/";
  private static final Map<String, String> FILES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "app.css", "text/css; charset=utf-8",
      "app.js", "text/javascript; charset=utf-8",
      "api.js", "text/javascript; charset=utf-8",
      "events.js", "text/javascript; charset=utf-8",
      "i18n.js", "text/javascript; charset=utf-8",
      "store.js", "text/javascript; charset=utf-8",
      "view.js", "text/javascript; charset=utf-8",
      "icon.svg", "image/svg+xml");

  private final Map<String, Asset> assets;

  private WebClient(Map<String, Asset> assets) {
    this.assets = assets;
  }

  /** The client from the classpath; fails if one of its files is missing. */
  static WebClient fromClasspath() {
    Map<String, Asset> assets = new java.util.HashMap<>();
    ClassLoader loader = WebClient.class.getClassLoader();
    FILES.forEach((name, type) -> {
      try (InputStream in = loader.getResourceAsStream(ROOT + name)) {
        if (in == null) {
          throw new IllegalStateException("the web client's " + ROOT + name + " is not on the classpath");
        }
        assets.put(name, new Asset(in.readAllBytes(), type));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + ROOT + name, e);
      }
    });
    return new WebClient(Map.copyOf(assets));
  }

  /** The page served at {@code /}. */
  Asset page() {
    return assets.get("index.html");
  }

  /** The file called {@code name} under {@code /app/}, or null if there is none. */
  Asset asset(String name) {
    return name.equals("index.html") ? null : assets.get(name);
  }
}
