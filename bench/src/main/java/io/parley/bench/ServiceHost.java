package io.parley.bench;

import io.parley.auth.TokenKeys;
import io.parley.database.DatabaseSettings;
import io.parley.launcher.NodeConfig;
import io.parley.launcher.ParleyNode;
import io.parley.launcher.Role;
import io.parley.message.MessageSettings;
import io.parley.ratelimit.RateLimit;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The services a {@link Deployment} measures, in a JVM of their own, as in production: the bench's
 * clients build and parse millions of messages, and their garbage must not pause the services
 * (one JVM holding both measured the load generator's collections as service latency).
 *
 * <p>Started by {@link Deployment} with {@code java -cp <the bench's classpath> io.parley.bench.ServiceHost}.
 * It reads its settings from standard input, {@code key=value} lines ended by an empty line (the
 * secrets go there, not on a command line): {@code secret} (the HMAC key, base64), {@code redis},
 * {@code database}, {@code database-password} (optional), {@code message-replicas} and {@code
 * gateway} ({@code true} to start the REST gateway too). It starts user, friend and group nodes,
 * the message replicas and the gateway, each a node of the launcher on loopback, prints one line
 * {@code ready user=… friend=… group=… message=…,… gateway=…} (the gateway's HTTP port, or 0), then
 * runs until its standard input closes: when the bench closes the deployment, or dies. Meanwhile
 * each line {@value #COMPILATION} it reads is answered with one line {@code compilation <ms>}: the
 * time its JIT compilers have taken so far ({@link CompilationMXBean}; -1 where the JVM does not
 * say), which tells the bench when the services' code is compiled ({@link Deployment#warmUp}).
 */
final class ServiceHost {
  static final String READY = "ready ";
  static final String COMPILATION = "compilation";

  private ServiceHost() {}

  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Map<String, String> settings = new HashMap<>();
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected key=value, not a line of " + line.length() + " characters");
      }
      settings.put(line.substring(0, eq), line.substring(eq + 1));
    }
    // The ready line goes to the real standard output; the nodes' logs, to standard error.
    PrintStream out = System.out;
    System.setOut(System.err);
    List<ParleyNode> nodes = new ArrayList<>();
    try {
      out.println(READY + start(settings, nodes));
      out.flush();
      for (String request; (request = in.readLine()) != null; ) {
        if (request.equals(COMPILATION)) {
          out.println(COMPILATION + " " + compilationMillis());
          out.flush();
        }
      }
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
    }
  }

  /** The JIT compilers' time so far, in milliseconds; -1 if this JVM does not measure it. */
  private static long compilationMillis() {
    CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
    return compiler != null && compiler.isCompilationTimeMonitoringSupported()
        ? compiler.getTotalCompilationTime() : -1;
  }

  /** Starts the nodes {@code settings} ask for, adding each to {@code nodes}; returns their addresses. */
  private static String start(Map<String, String> settings, List<ParleyNode> nodes) {
    TokenKeys keys = TokenKeys.hmac(Base64.getDecoder().decode(required(settings, "secret")));
    String redis = required(settings, "redis");
    DatabaseSettings database = DatabaseSettings.parse(required(settings, "database")).withMaxPoolSize(16);
    if (settings.containsKey("database-password")) {
      database = database.withPassword(settings.get("database-password"));
    }
    int replicas = Integer.parseInt(required(settings, "message-replicas"));
    Builders builders = new Builders(keys, redis, database);
    String user = grpc(started(nodes, builders.node(Role.USER).build()));
    String friend = grpc(started(nodes, builders.node(Role.FRIEND).target(Role.USER, user).build()));
    String group = grpc(started(nodes, builders.node(Role.GROUP).target(Role.USER, user)
        .target(Role.FRIEND, friend).groupMaxMembers(5000).build()));
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      messages.add(grpc(started(nodes, builders.node(Role.MESSAGE).target(Role.FRIEND, friend)
          .target(Role.GROUP, group).build())));
    }
    int gateway = 0;
    if (Boolean.parseBoolean(settings.get("gateway"))) {
      gateway = started(nodes, builders.node(Role.GATEWAY).target(Role.USER, user).target(Role.FRIEND, friend)
          .target(Role.GROUP, group).target(Role.MESSAGE, messages.get(0)).build()).httpPort();
    }
    return "user=" + user + " friend=" + friend + " group=" + group + " message=" + String.join(",", messages)
        + " gateway=" + gateway;
  }

  /** The nodes' common settings. */
  private record Builders(TokenKeys keys, String redis, DatabaseSettings database) {
    NodeConfig.Builder node(Role role) {
      return NodeConfig.builder(role, keys).host("127.0.0.1").grpcPort(0).httpPort(0).store(redis)
          .database(role == Role.GATEWAY ? null : database).fastPasswordHashing(true)
          // The load generator sends far faster than any user: the send limit would measure itself.
          .messages(MessageSettings.defaults().withSendLimit(RateLimit.unlimited(MessageSettings.SEND_LIMIT))
              .withResumeWindow(Deployment.RESUME_WINDOW));
    }
  }

  private static ParleyNode started(List<ParleyNode> nodes, NodeConfig config) {
    ParleyNode node = ParleyNode.start(config);
    nodes.add(node);
    return node;
  }

  private static String grpc(ParleyNode node) {
    return "127.0.0.1:" + node.grpcPort();
  }

  private static String required(Map<String, String> settings, String key) {
    return Objects.requireNonNull(settings.get(key), () -> "no " + key + " given");
  }

  /** How long the host may take to start its nodes (migrations included) before the bench gives up. */
  static final Duration START_TIMEOUT = Duration.ofMinutes(2);
}
