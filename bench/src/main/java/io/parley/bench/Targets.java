package io.parley.bench;

import io.parley.redis.RedisClients;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A running deployment to measure instead of starting one, from {@code --target role=address}
 * (once per role; several replicas of a role separated by commas): {@code user}, {@code friend},
 * {@code group} and {@code message} are gRPC {@code host:port} addresses, {@code gateway} the
 * gateway's {@code host:port}, {@code redis} a {@code redis://} URL of a standalone server.
 *
 * @param addresses the addresses of each role named, in the order given
 */
record Targets(Map<String, List<String>> addresses) {
  static final Set<String> ROLES = Set.of("user", "friend", "group", "message", "gateway", "redis");

  static final Targets NONE = new Targets(Map.of());

  Targets {
    addresses = Map.copyOf(addresses);
  }

  /**
   * Parses {@code role=address[,address…]} entries, one per role.
   *
   * @throws IllegalArgumentException naming the entry that is not one (with any credentials masked)
   */
  static Targets parse(List<String> entries) {
    Map<String, List<String>> parsed = new LinkedHashMap<>();
    for (String entry : entries) {
      int equals = entry.indexOf('=');
      if (equals < 0) {
        throw new IllegalArgumentException("--target " + redacted(entry) + ": expected ROLE=ADDRESS[,ADDRESS...]");
      }
      String role = entry.substring(0, equals);
      if (!ROLES.contains(role)) {
        // Only a word is echoed: text before an '=' may be part of a URL's password.
        throw new IllegalArgumentException((role.matches("[a-z]+") ? "unknown --target role '" + role + "'"
            : "--target " + redacted(entry) + " names no role") + "; roles are "
            + String.join(", ", ROLES.stream().sorted().toList()));
      }
      if (parsed.containsKey(role)) {
        throw new IllegalArgumentException("--target " + role + "= is given more than once; name all its addresses "
            + "in one, separated by commas");
      }
      List<String> list = Arrays.stream(entry.substring(equals + 1).split(","))
          .map(String::trim).filter(s -> !s.isEmpty()).toList();
      if (list.isEmpty()) {
        throw new IllegalArgumentException("--target " + role + "= names no address");
      }
      for (String address : list) {
        checkAddress(role, address);
      }
      if (role.equals("redis") && list.size() > 1) {
        throw new IllegalArgumentException("--target redis= takes one standalone Redis, not " + list.size());
      }
      parsed.put(role, list);
    }
    return new Targets(parsed);
  }

  private static void checkAddress(String role, String address) {
    String given = "--target " + role + "=" + redacted(address) + ": ";
    if (role.equals("redis")) {
      if (!address.startsWith("redis://")) {
        throw new IllegalArgumentException(given + "expected a redis:// URL");
      }
    } else if (!address.matches("[^:/@\\s]+:\\d{1,5}")) {
      throw new IllegalArgumentException(given + "expected host:port");
    } else if (port(address) < 1 || port(address) > 65535) {
      throw new IllegalArgumentException(given + "the port must be 1 to 65535");
    }
  }

  /** {@code text} with what comes before an {@code @} masked, whether or not it starts with a scheme. */
  private static String redacted(String text) {
    int at = text.lastIndexOf('@');
    return at < 0 || text.contains("://") ? RedisClients.redact(text) : "***@" + text.substring(at + 1);
  }

  boolean isEmpty() {
    return addresses.isEmpty();
  }

  /** The addresses of {@code role}, at least {@code min} of them. */
  List<String> require(String scenario, String role, int min) {
    List<String> list = addresses.getOrDefault(role, List.of());
    if (list.size() < min) {
      String example = role.equals("redis") ? "redis://host:port" : min > 1 ? "host1:port,host2:port" : "host:port";
      throw new IllegalArgumentException(scenario + " against a running deployment needs --target " + role + "="
          + example + (min > 1 ? " (" + min + " replicas sharing one store)" : ""));
    }
    return list;
  }

  /** The one address of {@code role}: a scenario that uses one refuses more rather than ignore them. */
  String require(String scenario, String role) {
    List<String> list = require(scenario, role, 1);
    if (list.size() > 1) {
      throw new IllegalArgumentException(scenario + " uses one " + role + " address; --target " + role + "= names "
          + list.size());
    }
    return list.get(0);
  }

  /** Fails if any role is named that {@code scenario} would not use (so that none is silently ignored). */
  void allowOnly(String scenario, String... roles) {
    Set<String> allowed = Set.of(roles);
    if (allowed.isEmpty() && !isEmpty()) {
      throw new IllegalArgumentException(scenario + " measures a fixture of its own and takes no --target");
    }
    for (String role : addresses.keySet()) {
      if (!allowed.contains(role)) {
        throw new IllegalArgumentException(scenario + " does not use --target " + role + "=; it takes "
            + String.join(", ", Arrays.stream(roles).sorted().toList()));
      }
    }
  }

  /** The host of a {@code host:port} address. */
  static String host(String address) {
    return address.substring(0, address.lastIndexOf(':'));
  }

  /** The port of a {@code host:port} address. */
  static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }
}
