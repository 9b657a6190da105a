package io.parley.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.parley.user.v1.GetMeRequest;
import io.parley.user.v1.LoginResponse;
import io.parley.user.v1.UserServiceGrpc;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code parley.jar} as a user runs it: a real process, configured by flags and environment. */
class ParleyJarIT {
  private static final Path JAR = Path.of("target", "parley.jar");

  @Test
  void helpListsEveryFlagWithItsEnvironmentVariable() throws Exception {
    Result result = run(List.of("--help"), Map.of());

    assertThat(result.exitCode).isZero();
    for (String flag : List.of("--grpc-port", "--http-port", "--store", "--jwt-secret-file", "--user-target",
        "--friend-target", "--group-target", "--message-target", "--admin-port")) {
      assertThat(result.output).contains(flag);
    }
    assertThat(result.output).contains("PARLEY_GRPC_PORT", "PARLEY_ADMIN_PORT", "PARLEY_STORE", "user", "friend", "group", "message", "gateway");
  }

  @Test
  void aRedisStoreWithoutASecretIsRefusedWithHowToGiveOne() throws Exception {
    Result result = run(List.of("user", "--store", "redis://127.0.0.1:1"), Map.of());

    assertThat(result.exitCode).isEqualTo(2);
    assertThat(result.output).contains("--jwt-secret-file").contains("PARLEY_JWT_SECRET_FILE");
  }

  @Test
  void runsFromTheEnvironmentLogsJsonAndShutsDownCleanlyOnSigterm(@TempDir Path dir) throws Exception {
    int grpcPort = freePort();
    int httpPort = freePort();
    int adminPort = freePort();
    Path log = dir.resolve("parley.log");
    ProcessBuilder builder = new ProcessBuilder(java(), "-jar", JAR.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(Map.of(
        "PARLEY_GRPC_PORT", Integer.toString(grpcPort),
        "PARLEY_HTTP_PORT", Integer.toString(httpPort),
        "PARLEY_ADMIN_PORT", Integer.toString(adminPort),
        "PARLEY_HOST", "127.0.0.1",
        "PARLEY_LOG_FORMAT", "json"));
    Process process = builder.start();
    try {
      awaitLine(log, "is up", Duration.ofSeconds(30));
      assertThat(Files.readString(log)).contains("lost when this process exits");
      ManagedChannel channel = Clients.channel(grpcPort);
      try {
        assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
            .isEqualTo(ServingStatus.SERVING);
        LoginResponse ivan = Clients.signUp(channel, "ivan");
        assertThat(Clients.as(UserServiceGrpc.newBlockingStub(channel), ivan.getAccessToken())
            .getMe(GetMeRequest.getDefaultInstance()).getUsername()).isEqualTo("ivan");
      } finally {
        channel.shutdownNow();
      }
      java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + httpPort + "/healthz")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).as("the shaded jar serves the node's meters")
          .contains("grpc_server_processing_duration_seconds_count{method=\"GetMe\"", "jvm_memory_used_bytes");

      process.destroy();

      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log);
      assertThat(output).contains("shutting down").contains("stopped");
      assertThat(output).doesNotContain("Exception");
      assertThat(output.lines().filter(line -> !line.isBlank())).as("every line a JSON object, as asked")
          .isNotEmpty().allSatisfy(line -> assertThat(com.google.gson.JsonParser.parseString(line).getAsJsonObject()
              .get("level").getAsString()).isIn("INFO", "WARN", "ERROR"));
    } finally {
      process.destroyForcibly();
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> args, Map<String, String> env) throws Exception {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", JAR.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private static void awaitLine(Path log, String text, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(log) || !Files.readString(log).contains(text)) {
      assertThat(System.nanoTime()).as("'" + text + "' in the log").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
