package io.parley.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar parley-bench.jar <scenario> [options]}: runs one scenario (or {@code all}),
 * prints throughput, latency percentiles and each target with MET / NOT MET, and optionally writes
 * the figures as JSON. The exit code is 0 whether or not targets are met: figures, not verdicts.
 */
@Command(name = "parley-bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measures Parley: runs SCENARIO and prints its figures against their targets.")
public final class Bench implements Callable<Integer> {
  static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

  static {
    for (Scenario s : List.<Scenario>of(
        new AuthOverheadScenario(),
        new RedisPerCallScenario(),
        new SessionScaleScenario(),
        new SessionMemoryScenario(),
        new RevocationScenario(),
        new GatewayScenario(),
        new MessagingScenario(false),
        new MessagingScenario(true),
        new GroupFanoutScenario(),
        new HistoryScenario(),
        new LoginFloodScenario())) {
      SCENARIOS.put(s.name(), s);
    }
  }

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SCENARIO", description = "One of: ${COMPLETION-CANDIDATES}, or all.",
      completionCandidates = ScenarioNames.class)
  String scenario;

  @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class,
      description = "Measured time per load (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "3s", converter = DurationConverter.class,
      description = "Unmeasured time per load first (default ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--jit-wait", defaultValue = "2m", converter = DurationConverter.class,
      description = "How much longer than --warmup the scenarios that start the services (messaging) warm them up "
          + "while the services' JIT compilers are still busy; 0 for no longer (default ${DEFAULT-VALUE}).")
  Duration jitWait;

  @Option(names = "--concurrency", defaultValue = "16", description = "Client threads per load (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--scale", defaultValue = "0",
      description = "Size of the scenario: sessions, users or members (0 = the scenario's default).")
  int scale;

  @Option(names = "--rate", defaultValue = "0",
      description = "Offered load per second for paced scenarios (0 = the scenario's default).")
  int rate;

  @Option(names = "--target", paramLabel = "ROLE=ADDRESS[,ADDRESS...]",
      description = "Measure a running deployment instead of starting one; once per role, a role's replicas "
          + "separated by commas: user, friend, group, message, gateway (host:port) and redis (redis://host:port). "
          + "Each scenario says which it needs.")
  List<String> target = new ArrayList<>();

  @Option(names = "--runs", defaultValue = "1",
      description = "Runs of each scenario; with more than one, also each figure's median (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--json", description = "Also write the figures to this file as JSON.")
  Path json;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<Scenario> selected = "all".equals(scenario) ? List.copyOf(SCENARIOS.values()) : List.of(scenario());
    checkOptions();
    Targets targets;
    try {
      targets = Targets.parse(target);
    } catch (IllegalArgumentException e) {
      throw usageError(e.getMessage());
    }
    for (Scenario s : selected) {
      try {
        s.checkTargets(targets);
      } catch (IllegalArgumentException e) {
        // No set of targets suits every scenario: some measure a Redis alone, others services and no Redis.
        throw usageError(!"all".equals(scenario) ? e.getMessage() : "all takes no --target: the scenarios need "
            + "different ones (" + e.getMessage() + "); measure a running deployment one scenario at a time");
      }
    }
    BenchOptions options = new BenchOptions(duration, warmup, jitWait, concurrency, targets, scale, rate);
    StringBuilder jsonOut = new StringBuilder("[\n");
    for (Scenario s : selected) {
      List<Report> reports = new ArrayList<>();
      for (int run = 1; run <= runs; run++) {
        System.out.println("running " + s.name() + (runs > 1 ? " (run " + run + " of " + runs + ")" : "") + ": "
            + s.description());
        Report report = s.run(options);
        report.print(System.out);
        reports.add(report);
        jsonOut.append(jsonOut.length() > 2 ? ",\n" : "").append(report.toJson());
      }
      if (runs > 1) {
        Report median = Report.median(s.name(), reports);
        median.print(System.out);
        jsonOut.append(",\n").append(median.toJson());
      }
    }
    System.out.printf("%nmachine: %d cores, %s %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
    if (json != null) {
      writeJson(json, jsonOut.append("\n]\n").toString());
    }
    return 0;
  }

  private Scenario scenario() {
    Scenario s = SCENARIOS.get(scenario);
    if (s == null) {
      throw usageError("unknown scenario '" + scenario + "'; choose one of " + SCENARIOS.keySet() + " or all");
    }
    return s;
  }

  /**
   * Refuses, before anything starts, the values no scenario can run with. (The durations' converter
   * takes no negative value, so {@code --warmup} needs no check: 0 runs no warm-up.)
   */
  private void checkOptions() {
    if (duration.isZero()) {
      throw usageError("--duration must be more than 0");
    }
    if (concurrency < 1) {
      throw usageError("--concurrency must be at least 1, not " + concurrency);
    }
    if (scale < 0) {
      throw usageError("--scale must be 0 (the scenario's default) or more, not " + scale);
    }
    if (rate < 0) {
      throw usageError("--rate must be 0 (the scenario's default) or more, not " + rate);
    }
    if (runs < 1) {
      throw usageError("--runs must be at least 1, not " + runs);
    }
  }

  private CommandLine.ParameterException usageError(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  private static void writeJson(Path path, String content) throws IOException {
    Files.writeString(path, content, StandardCharsets.UTF_8);
  }

  static final class ScenarioNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return SCENARIOS.keySet().iterator();
    }
  }

  /** Parses 500ms, 10s, 2m. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)").matcher(value.trim());
      if (!m.matches()) {
        throw new CommandLine.TypeConversionException("not a duration: " + value + " (use e.g. 500ms, 10s, 2m)");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMinutes(n);
      };
    }
  }
}
