package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Each scenario starts what it needs and reports, at a scale and for a time far too small to mean
 * anything: the benchmarks themselves never run in the test suite (see BENCHMARKS.md).
 */
class BenchSmokeTest {
  @TempDir Path dir;

  static Stream<Arguments> scenarios() {
    return Stream.of(
        Arguments.of("auth-overhead", List.of("--scale", "10", "--concurrency", "2")),
        Arguments.of("redis-per-call", List.of("--scale", "10", "--concurrency", "2")),
        Arguments.of("session-scale", List.of("--scale", "200", "--rate", "200")),
        Arguments.of("session-memory", List.of("--scale", "500", "--concurrency", "2")),
        Arguments.of("revocation", List.of("--scale", "5")),
        Arguments.of("gateway", List.of("--concurrency", "2")),
        Arguments.of("messaging", List.of("--scale", "20", "--rate", "200", "--concurrency", "4")),
        Arguments.of("messaging-two-way", List.of("--scale", "20", "--rate", "200", "--concurrency", "4")),
        Arguments.of("group-fanout", List.of("--scale", "20")),
        Arguments.of("history", List.of("--scale", "20000")),
        Arguments.of("login-flood", List.of("--rate", "50", "--scale", "100")));
  }

  @Test
  void everyScenarioIsSmokeTested() {
    assertThat(scenarios().map(a -> (String) a.get()[0])).containsExactlyElementsOf(Bench.SCENARIOS.keySet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void startsWhatItNeedsAndReports(String scenario, List<String> options) throws Exception {
    Path json = dir.resolve(scenario + ".json");
    List<String> args = new ArrayList<>(List.of(scenario, "--duration", "1s", "--warmup", "200ms", "--jit-wait", "0s",
        "--json", json.toString()));
    args.addAll(options);

    Run run = run(args.toArray(String[]::new));

    assertThat(run.exitCode).as(run.err).isZero();
    assertThat(run.out).contains("== " + scenario, "target ", "machine: ");
    JsonArray reports = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
    assertThat(reports).hasSize(1);
    JsonObject report = reports.get(0).getAsJsonObject();
    assertThat(report.get("scenario").getAsString()).isEqualTo(scenario);
    assertThat(report.getAsJsonObject("figures").size()).isPositive();
    JsonArray targets = report.getAsJsonArray("targets");
    assertThat(targets).isNotEmpty();
    for (JsonElement target : targets) {
      assertThat(target.getAsJsonObject().get("figure").getAsDouble()).isNotNaN();
    }
    for (JsonElement measurement : report.getAsJsonArray("measurements")) {
      assertThat(measurement.getAsJsonObject().get("operations").getAsLong()).isPositive();
    }
  }

  @Test
  void repeatedRunsAreEachReportedThenTheirMedian() throws Exception {
    Path json = dir.resolve("runs.json");

    Run run = run("session-memory", "--scale", "200", "--concurrency", "2", "--runs", "3", "--json", json.toString());

    assertThat(run.exitCode).as(run.err).isZero();
    assertThat(run.out).contains("(run 1 of 3)", "(run 3 of 3)", "== session-memory (median of 3 runs)",
        "bytes per session <= 400, run by run: ");
    JsonArray reports = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
    assertThat(reports).hasSize(4);
    assertThat(reports.get(3).getAsJsonObject().get("scenario").getAsString())
        .isEqualTo("session-memory (median of 3 runs)");
  }

  @Test
  void anUnknownScenarioIsAUsageError() {
    Run run = run("no-such-scenario");
    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.err).contains("unknown scenario 'no-such-scenario'", "messaging");
  }

  @Test
  void targetsAScenarioCannotUseAreRefusedBeforeAnythingStarts() {
    Run missing = run("messaging", "--target", "user=127.0.0.1:1");
    assertThat(missing.exitCode).isEqualTo(2);
    assertThat(missing.err).contains("messaging against a running deployment needs --target friend=host:port");

    Run extra = run("auth-overhead", "--target", "user=127.0.0.1:1");
    assertThat(extra.exitCode).isEqualTo(2);
    assertThat(extra.err).contains("auth-overhead does not use --target user=; it takes redis");

    Run oneReplica = run("revocation", "--target", "user=127.0.0.1:1");
    assertThat(oneReplica.exitCode).isEqualTo(2);
    assertThat(oneReplica.err).contains("needs --target user=host1:port,host2:port");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badOptions")
  void optionValuesNoScenarioCanRunWithAreRefusedBeforeAnythingStarts(List<String> args, String message) {
    Run run = run(args.toArray(String[]::new));
    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.err).contains(message).doesNotContain("hunter2");
    assertThat(run.out).doesNotContain("running ");
  }

  static Stream<Arguments> badOptions() {
    return Stream.of(
        Arguments.of(List.of("messaging", "--concurrency", "0"), "--concurrency must be at least 1, not 0"),
        Arguments.of(List.of("auth-overhead", "--concurrency", "-3"), "--concurrency must be at least 1, not -3"),
        Arguments.of(List.of("messaging", "--duration", "0ms"), "--duration must be more than 0"),
        Arguments.of(List.of("messaging", "--warmup", "-1s"), "not a duration: -1s"),
        Arguments.of(List.of("group-fanout", "--scale", "-1"),
            "--scale must be 0 (the scenario's default) or more, not -1"),
        Arguments.of(List.of("messaging", "--rate", "-10"),
            "--rate must be 0 (the scenario's default) or more, not -10"),
        Arguments.of(List.of("auth-overhead", "--runs", "0"), "--runs must be at least 1, not 0"),
        Arguments.of(List.of("gateway", "--target", "user=h:0", "--target", "gateway=h:99999"),
            "--target user=h:0: the port must be 1 to 65535"),
        Arguments.of(List.of("messaging", "--target", "message=m1:9090", "--target", "message=m2:9090"),
            "--target message= is given more than once"),
        Arguments.of(List.of("redis-per-call", "--target", "redis=rediss://:hunter2@cache:6380"),
            "--target redis=rediss://***@cache:6380: expected a redis:// URL"),
        Arguments.of(List.of("all", "--target", "redis=redis://cache:6379"),
            "all takes no --target: the scenarios need different ones (revocation does not use --target redis=; "
                + "it takes user); measure a running deployment one scenario at a time"));
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter err = new StringWriter();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    int exitCode;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      exitCode = new CommandLine(new Bench()).setErr(new PrintWriter(err, true)).execute(args);
    } finally {
      System.setOut(stdout);
    }
    return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString());
  }
}
