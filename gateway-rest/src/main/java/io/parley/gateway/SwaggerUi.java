package io.parley.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The API browser at {@code /docs/}: Swagger UI from its webjar, pointed at {@code /openapi.json}.
 * Files are read from the classpath once and kept. Thread-safe.
 */
final class SwaggerUi {
  /** One file to serve. */
  record Asset(byte[] bytes, String contentType) {}

  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final String POM_PROPERTIES = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Map<String, String> CONTENT_TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "png", "image/png",
      "txt", "text/plain; charset=utf-8",
      "map", "application/json");

  // Relative, so that the page also works behind a proxy that mounts the gateway under a prefix.
  private static final String INITIALIZER = """
      window.onload = function () {
        window.ui = SwaggerUIBundle({
          url: "../openapi.json",
          dom_id: "#swagger-ui",
          deepLinking: true,
          persistAuthorization: true,
          presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
          plugins: [SwaggerUIBundle.plugins.DownloadUrl],
          layout: "StandaloneLayout"
        });
      };
      """;

  private final String root;
  private final Map<String, Asset> cache = new ConcurrentHashMap<>();

  private SwaggerUi(String root) {
    this.root = root;
  }

  /** Swagger UI from the webjar on the classpath. */
  static SwaggerUi fromWebjar() {
    ClassLoader loader = SwaggerUi.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(POM_PROPERTIES)) {
      if (in == null) {
        throw new IllegalStateException("the swagger-ui webjar is not on the classpath");
      }
      Properties properties = new Properties();
      properties.load(in);
      return new SwaggerUi(WEBJAR + properties.getProperty("version") + "/");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + POM_PROPERTIES, e);
    }
  }

  /** The file called {@code name} ({@code ""} is the page itself), or null if there is none. */
  Asset asset(String name) {
    String file = name.isEmpty() ? "index.html" : name;
    if (!FILE_NAME.matcher(file).matches()) {
      return null;
    }
    Asset cached = cache.get(file);
    if (cached != null) {
      return cached;
    }
    Asset asset = load(file);
    if (asset != null) {
      cache.put(file, asset);
    }
    return asset;
  }

  private Asset load(String file) {
    String type = CONTENT_TYPES.get(file.substring(file.lastIndexOf('.') + 1));
    if (type == null) {
      return null;
    }
    if (file.equals("swagger-initializer.js")) {
      return new Asset(INITIALIZER.getBytes(StandardCharsets.UTF_8), type);
    }
    try (InputStream in = SwaggerUi.class.getClassLoader().getResourceAsStream(root + file)) {
      if (in == null) {
        return null;
      }
      byte[] bytes = in.readAllBytes();
      if (file.equals("index.html")) {
        bytes = new String(bytes, StandardCharsets.UTF_8)
            .replace("<title>Swagger UI</title>", "<title>Parley API</title>")
            .getBytes(StandardCharsets.UTF_8);
      }
      return new Asset(bytes, type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + root + file, e);
    }
  }
}
