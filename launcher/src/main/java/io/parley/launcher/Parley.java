package io.parley.launcher;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The {@code parley} command. Without a subcommand it runs {@code all}: every service on one gRPC
 * port and the REST gateway, on the memory store. Subcommands run one role each, so that services
 * scale out as separate processes on a shared Redis.
 */
@Command(
    name = "parley",
    mixinStandardHelpOptions = true,
    version = "parley 0.1.0",
    sortOptions = false,
    description = {
        "Parley: a distributed instant-messaging backend.",
        "Without a subcommand, runs everything in this process (the same as 'parley all').",
        "Every option can also be set through the environment variable named in its description."
    },
    subcommands = {CommandLine.HelpCommand.class})
public final class Parley implements Callable<Integer> {
  private static final Logger logger = LoggerFactory.getLogger(Parley.class);

  @Mixin
  LauncherOptions options;

  private final Map<String, String> env;

  Parley(Map<String, String> env) {
    this.env = env;
  }

  public static void main(String[] args) {
    int exit = commandLine(System.getenv()).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  static CommandLine commandLine(Map<String, String> env) {
    CommandLine commandLine = new CommandLine(new Parley(env));
    for (Role role : Role.values()) {
      CommandLine sub = new CommandLine(new RoleCommand(role, env));
      sub.getCommandSpec().usageMessage().description(role.description());
      commandLine.addSubcommand(role.command(), sub);
    }
    commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
      if (e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException) {
        cmd.getErr().println("parley: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return commandLine;
  }

  @Override
  public Integer call() throws InterruptedException {
    return run(Role.ALL, options, env);
  }

  static int run(Role role, LauncherOptions options, Map<String, String> env) throws InterruptedException {
    Logging.configure(options.logFormat, options.logLevels);
    OtlpTracing tracing = options.tracing(role);
    NodeConfig config = options.toConfig(role, env);
    OpenTelemetrySdk telemetry = tracing == null ? null : tracing.start();
    ParleyNode node;
    try {
      node = ParleyNode.start(telemetry == null ? config : config.withOpenTelemetry(telemetry));
    } catch (RuntimeException e) {
      if (telemetry != null) {
        telemetry.close();
      }
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      if (telemetry != null) {
        telemetry.close(); // flushes the spans still batched
      }
    }, "parley-shutdown"));
    if (tracing != null) {
      logger.info("Tracing: spans of {} go to {}", tracing.serviceName(), tracing.tracesUrl());
    }
    logger.info("Parley {} is up; stop it with Ctrl-C or SIGTERM (calls in flight are finished first)", role.command());
    if (config.database() == null && role != Role.GATEWAY) {
      logger.warn("Embedded mode: accounts, friends, groups and messages are kept in memory{}. They are lost when "
          + "this process exits. For anything that must last, run with --database postgresql://user@host/db.",
          config.keysAreEphemeral() ? ", with a random signing secret" : "");
    }
    node.awaitClosed();
    return 0;
  }

  /** One role as a subcommand: {@code parley user}, {@code parley gateway}, ... */
  @Command(mixinStandardHelpOptions = true, sortOptions = false)
  static final class RoleCommand implements Callable<Integer> {
    @Mixin
    LauncherOptions options;

    private final Role role;
    private final Map<String, String> env;

    RoleCommand(Role role, Map<String, String> env) {
      this.role = role;
      this.env = env;
    }

    @Override
    public Integer call() throws InterruptedException {
      return run(role, options, env);
    }
  }

}
