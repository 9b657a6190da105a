package io.parley.gateway;

import static java.util.Objects.requireNonNull;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.netty.handler.codec.http.HttpMethod;
import io.parley.common.v1.AuthLevel;
import io.parley.common.v1.AuthProto;
import io.parley.common.v1.ErrorReason;
import io.parley.error.ParleyException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The route table: every {@code google.api.http} binding of every method that external clients may
 * call, and the lookup from an HTTP method and path to one of them.
 *
 * <p>Methods with {@code (parley.common.v1.auth) = INTERNAL} are never routed, even if they carry a
 * binding by mistake; nor are client- or bidi-streaming methods, which HTTP/1.1 cannot carry.
 *
 * <p>When several templates match a path, the most specific wins: segment by segment from the left,
 * a literal beats {@code *}, which beats {@code **}; so {@code GET /v1/users/me} reaches GetMe, not
 * GetUser with user_id "me". Immutable and thread-safe.
 */
final class Router {
  private static final Logger logger = LoggerFactory.getLogger(Router.class);

  /** What a request resolves to. */
  sealed interface Resolution permits Matched, MethodNotAllowed, NotFound {}

  /** A route and the values of its path variables, by field path. */
  record Matched(Route route, Map<String, String> variables) implements Resolution {}

  /** Routes match the path, but none for this HTTP method. */
  record MethodNotAllowed(Set<HttpMethod> allowed) implements Resolution {}

  /** No route matches the path. */
  record NotFound() implements Resolution {}

  private final List<Route> routes;
  private final List<Route> bySpecificity;

  Router(List<Route> routes) {
    this.routes = List.copyOf(routes);
    List<Route> sorted = new ArrayList<>(routes);
    sorted.sort((a, b) -> PathTemplate.MOST_SPECIFIC_FIRST.compare(a.template(), b.template()));
    this.bySpecificity = List.copyOf(sorted);
    Map<String, Route> seen = new HashMap<>();
    for (Route route : routes) {
      Route clash = seen.put(route.httpMethod() + " " + route.template().shape(), route);
      if (clash != null) {
        throw new IllegalArgumentException("ambiguous routes: " + clash + " and " + route + " match the same paths");
      }
    }
  }

  /**
   * The routes of every service in the catalog.
   *
   * @throws IllegalArgumentException if a binding is invalid or two bind the same method and path
   */
  static Router of(ServiceCatalog catalog) {
    List<Route> routes = new ArrayList<>();
    for (ServiceDescriptor service : catalog.services()) {
      for (MethodDescriptor method : service.getMethods()) {
        routes.addAll(routesOf(method));
      }
    }
    return new Router(routes);
  }

  /** Every route, in the order of the descriptors. */
  List<Route> routes() {
    return routes;
  }

  /** The full names of the services that have at least one route, in order. */
  List<String> serviceNames() {
    Set<String> names = new LinkedHashSet<>();
    routes.forEach(route -> names.add(route.serviceName()));
    return List.copyOf(names);
  }

  /**
   * Finds the route for a request.
   *
   * @param rawPath the request path, still percent-encoded, without the query
   * @throws ParleyException INVALID_ARGUMENT if the path has a malformed percent-escape
   */
  Resolution resolve(HttpMethod method, String rawPath) {
    requireNonNull(method, "method");
    if (!rawPath.startsWith("/")) {
      return new NotFound();
    }
    List<String> raw = List.of(rawPath.substring(1).split("/", -1));
    List<String> decoded = decodeAll(raw);
    Set<HttpMethod> allowed = new LinkedHashSet<>();
    for (Route route : bySpecificity) {
      List<String> routeRaw = raw;
      List<String> routeDecoded = decoded;
      String verb = route.template().verb();
      if (verb != null) {
        String last = raw.get(raw.size() - 1);
        String suffix = ":" + verb;
        if (!last.endsWith(suffix)) {
          continue;
        }
        routeRaw = new ArrayList<>(raw);
        routeRaw.set(raw.size() - 1, last.substring(0, last.length() - suffix.length()));
        routeDecoded = decodeAll(routeRaw);
      }
      Map<String, String> variables = route.template().match(routeRaw, routeDecoded);
      if (variables == null) {
        continue;
      }
      if (route.httpMethod().equals(method)) {
        return new Matched(route, Collections.unmodifiableMap(variables));
      }
      allowed.add(route.httpMethod());
    }
    return allowed.isEmpty() ? new NotFound() : new MethodNotAllowed(Collections.unmodifiableSet(allowed));
  }

  private static List<String> decodeAll(List<String> raw) {
    List<String> decoded = new ArrayList<>(raw.size());
    for (String segment : raw) {
      String value = PathTemplate.decode(segment, false);
      if (value == null) {
        throw ParleyException.builder(ErrorReason.INVALID_ARGUMENT)
            .message("malformed percent-encoding in the path")
            .violation("path", "malformed percent-encoding in '" + segment + "'")
            .build();
      }
      decoded.add(value);
    }
    return decoded;
  }

  private static List<Route> routesOf(MethodDescriptor method) {
    MethodOptions options = method.getOptions();
    if (!options.hasExtension(AnnotationsProto.http)) {
      return List.of();
    }
    AuthLevel auth = options.hasExtension(AuthProto.auth) ? options.getExtension(AuthProto.auth) : AuthLevel.SESSION;
    if (auth == AuthLevel.AUTH_LEVEL_UNSPECIFIED) {
      auth = AuthLevel.SESSION;
    }
    if (auth == AuthLevel.INTERNAL) {
      logger.warn("{} is INTERNAL: its google.api.http binding is ignored", method.getFullName());
      return List.of();
    }
    if (method.isClientStreaming()) {
      logger.warn("{} is client-streaming, which HTTP/1.1 cannot carry: not routed", method.getFullName());
      return List.of();
    }
    HttpRule rule = options.getExtension(AnnotationsProto.http);
    List<Route> routes = new ArrayList<>();
    routes.add(route(method, rule, 0, auth));
    for (int i = 0; i < rule.getAdditionalBindingsCount(); i++) {
      routes.add(route(method, rule.getAdditionalBindings(i), i + 1, auth));
    }
    return routes;
  }

  private static Route route(MethodDescriptor method, HttpRule rule, int index, AuthLevel auth) {
    HttpMethod httpMethod;
    String template;
    switch (rule.getPatternCase()) {
      case GET -> {
        httpMethod = HttpMethod.GET;
        template = rule.getGet();
      }
      case PUT -> {
        httpMethod = HttpMethod.PUT;
        template = rule.getPut();
      }
      case POST -> {
        httpMethod = HttpMethod.POST;
        template = rule.getPost();
      }
      case DELETE -> {
        httpMethod = HttpMethod.DELETE;
        template = rule.getDelete();
      }
      case PATCH -> {
        httpMethod = HttpMethod.PATCH;
        template = rule.getPatch();
      }
      case CUSTOM -> {
        httpMethod = HttpMethod.valueOf(rule.getCustom().getKind());
        template = rule.getCustom().getPath();
      }
      default -> throw new IllegalArgumentException(method.getFullName() + ": a google.api.http rule without a pattern");
    }
    return Route.of(httpMethod, template, method, index, rule.getBody(), rule.getResponseBody(), auth);
  }
}
