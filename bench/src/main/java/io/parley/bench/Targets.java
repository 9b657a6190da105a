package io.parley.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A running deployment to measure instead of starting one, from {@code --target role=address}
 * (repeatable; several replicas of a role separated by commas): {@code user}, {@code friend},
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
   * Parses {@code role=address[,address…]} entries.
   *
   * @throws IllegalArgumentException naming the entry that is not one
   */
  static Targets parse(Map<String, String> given) {
    Map<String, List<String>> parsed = new LinkedHashMap<>();
    given.forEach((role, value) -> {
      if (!ROLES.contains(role)) {
        throw new IllegalArgumentException("unknown --target role '" + role + "'; roles are " + String.join(", ",
            ROLES.stream().sorted().toList()));
      }
      List<String> list = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
      if (list.isEmpty()) {
        throw new IllegalArgumentException("--target " + role + "= names no address");
      }
      for (String address : list) {
        boolean ok = role.equals("redis") ? address.startsWith("redis://") : address.matches("[^:/\\s]+:\\d{1,5}");
        if (!ok) {
          throw new IllegalArgumentException("--target " + role + "=" + address + ": expected "
              + (role.equals("redis") ? "a redis:// URL" : "host:port"));
        }
      }
      parsed.put(role, list);
    });
    return new Targets(parsed);
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

  /** The one address of {@code role}. */
  String require(String scenario, String role) {
    return require(scenario, role, 1).get(0);
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
