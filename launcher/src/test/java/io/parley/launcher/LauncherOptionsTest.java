package io.parley.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.session.TerminalPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LauncherOptionsTest {
  /** Parses flags; the PARLEY_* environment defaults are covered by ParleyJarIT, which sets a real environment. */
  private static LauncherOptions parse(Map<String, String> unused, String... args) {
    LauncherOptions options = new LauncherOptions();
    new CommandLine(new Holder(options)).parseArgs(args);
    return options;
  }

  @CommandLine.Command
  static final class Holder {
    @CommandLine.Mixin
    LauncherOptions options;

    Holder(LauncherOptions options) {
      this.options = options;
    }
  }

  @Test
  void defaultsRunTheEmbeddedModeWithAnEphemeralSecret() {
    NodeConfig config = parse(Map.of()).toConfig(Role.ALL, Map.of());

    assertThat(config.grpcPort()).isEqualTo(9090);
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.store()).isEqualTo("memory");
    assertThat(config.keysAreEphemeral()).isTrue();
    assertThat(config.sessionPolicy().terminalPolicy()).isEqualTo(TerminalPolicy.PER_TERMINAL);
    assertThat(config.sessionPolicy().maxInactive()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void everyServiceRoleNeedsTheDatabaseAndSaysHowToGiveIt() {
    Map<String, String> env = Map.of("PARLEY_JWT_SECRET", "x".repeat(40));
    for (Role role : new Role[] {Role.USER, Role.FRIEND, Role.GROUP, Role.MESSAGE}) {
      assertThatThrownBy(() -> parse(Map.of(), "--store", "redis://h:1").toConfig(role, env))
          .hasMessageContaining("--database postgresql://").hasMessageContaining("PARLEY_DATABASE_PASSWORD");
    }
    assertThatThrownBy(() -> parse(Map.of(), "--store", "redis://h:1").toConfig(Role.ALL, env))
        .as("sessions that outlive the process need data that does too")
        .hasMessageContaining("--database");
    assertThat(parse(Map.of(), "--store", "redis://h:1").toConfig(Role.GATEWAY, env).database()).isNull();
  }

  @Test
  void theDatabasePasswordNeverComesFromTheCommandLine(@TempDir Path dir) throws Exception {
    Map<String, String> env = Map.of("PARLEY_JWT_SECRET", "x".repeat(40));
    assertThatThrownBy(() -> parse(Map.of(), "--store", "redis://h:1", "--database", "postgresql://app:hunter2@db/chat")
        .toConfig(Role.USER, env))
        .hasMessageContaining("PARLEY_DATABASE_PASSWORD")
        .hasMessageNotContaining("hunter2");

    Path file = dir.resolve("db.pass");
    Files.write(file, "from-file\n".getBytes(UTF_8));
    assertThat(parse(Map.of(), "--store", "redis://h:1", "--database", "postgresql://app@db/chat",
        "--database-password-file", file.toString()).toConfig(Role.USER, env).database().password())
        .isEqualTo("from-file");

    Map<String, String> withPassword = Map.of("PARLEY_JWT_SECRET", "x".repeat(40), "PARLEY_DATABASE_PASSWORD", "env");
    NodeConfig config = parse(Map.of(), "--store", "redis://h:1", "--database", "postgresql://app@db1:5433,db2/chat",
        "--database-pool-size", "20").toConfig(Role.MESSAGE, withPassword);
    assertThat(config.database().password()).isEqualTo("env");
    assertThat(config.database().maxPoolSize()).isEqualTo(20);
    assertThat(config.database().jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5433,db2/chat");
    assertThat(config.toString()).doesNotContain("env\"").doesNotContain("password=env");
  }

  @Test
  void limitsAndTrustedProxiesAreFlags() {
    NodeConfig config = parse(Map.of(), "--register-limit", "5/1m", "--login-limit", "off",
        "--friend-request-limit", "3/1h,burst=2", "--trusted-proxies", "10.0.0.0/8,loopback", "--hashing-threads", "3",
        "--group-friends-add-directly", "--message-writers", "3").toConfig(Role.ALL, Map.of());
    assertThat(config.users().registerLimit().permits()).isEqualTo(5);
    assertThat(config.messages().writerThreads()).isEqualTo(3);
    assertThat(config.users().loginLimit().isUnlimited()).isTrue();
    assertThat(config.users().hashingThreads()).isEqualTo(3);
    assertThat(config.friends().friendRequestLimit().burst()).isEqualTo(2);
    assertThat(config.groups().friendsAddDirectly()).isTrue();
    assertThat(config.trustedProxies().toString()).contains("10.0.0.0/8");

    assertThat(parse(Map.of()).toConfig(Role.ALL, Map.of()).messages().writerThreads()).isEqualTo(1);
    assertThat(parse(Map.of()).toConfig(Role.ALL, Map.of()).messages().editWindow()).isEqualTo(Duration.ofHours(24));
    assertThat(parse(Map.of(), "--message-edit-window", "15m").toConfig(Role.ALL, Map.of()).messages().editWindow())
        .isEqualTo(Duration.ofMinutes(15));
    assertThat(parse(Map.of()).toConfig(Role.ALL, Map.of()).messages().resumeWindow()).isEqualTo(Duration.ofMinutes(2));
    assertThat(parse(Map.of(), "--subscribe-resume-window", "30s").toConfig(Role.ALL, Map.of()).messages()
        .resumeWindow()).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> parse(Map.of(), "--subscribe-resume-window", "10ms").toConfig(Role.ALL, Map.of()))
        .hasMessageContaining("--subscribe-resume-window must be at least 1s");
    assertThatThrownBy(() -> parse(Map.of(), "--message-writers", "0").toConfig(Role.ALL, Map.of()))
        .hasMessageContaining("--message-writers must be 1-64");
    assertThatThrownBy(() -> parse(Map.of(), "--login-limit", "lots").toConfig(Role.ALL, Map.of()))
        .hasMessageContaining("--login-limit").hasMessageContaining("20/1m");
    assertThatThrownBy(() -> parse(Map.of(), "--trusted-proxies", "gateway.local").toConfig(Role.ALL, Map.of()))
        .hasMessageContaining("--trusted-proxies").hasMessageContaining("gateway.local");
  }

  @Test
  void theRedisPasswordComesFromTheEnvironmentOrAFileAndIsNeverShown(@TempDir Path dir) throws Exception {
    Map<String, String> env = Map.of("PARLEY_JWT_SECRET", "x".repeat(40), "PARLEY_STORE_PASSWORD", "redis-secret");
    NodeConfig fromEnv = parse(Map.of(), "--store", "redis://h:1", "--database", "postgresql://app@db/chat")
        .toConfig(Role.USER, env);
    assertThat(fromEnv.storePassword()).isEqualTo("redis-secret");
    assertThat(fromEnv.toString()).doesNotContain("redis-secret").contains("storePassword=***");

    Path file = dir.resolve("redis.pass");
    Files.write(file, "from-file\n".getBytes(UTF_8));
    assertThat(parse(Map.of(), "--store", "redis://h:1", "--database", "postgresql://app@db/chat",
        "--store-password-file", file.toString(), "--session-cache-size", "1000").toConfig(Role.USER, env))
        .satisfies(c -> {
          assertThat(c.storePassword()).isEqualTo("from-file");
          assertThat(c.sessionCacheSize()).isEqualTo(1000);
        });
  }

  @Test
  void theEmbeddedModeMayKeepItsDataInADatabase() {
    NodeConfig config = parse(Map.of(), "--database", "postgresql://app@localhost/chat").toConfig(Role.ALL, Map.of());
    assertThat(config.store()).isEqualTo("memory");
    assertThat(config.database().user()).isEqualTo("app");
  }

  @Test
  void flagsAreParsed(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("parley.key");
    Files.write(secret, "0123456789abcdef0123456789abcdef-and-more\n".getBytes(UTF_8));
    NodeConfig config = parse(Map.of(), "--grpc-port", "7000", "--store", "redis://127.0.0.1:6390",
        "--jwt-secret-file", secret.toString(), "--terminal-policy", "single", "--session-idle", "30m",
        "--user-target", "users:9090", "--group-max-members", "50", "--database", "postgresql://app@db/chat")
        .toConfig(Role.FRIEND, Map.of());

    assertThat(config.grpcPort()).isEqualTo(7000);
    assertThat(config.keysAreEphemeral()).isFalse();
    assertThat(config.sessionPolicy().terminalPolicy()).isEqualTo(TerminalPolicy.SINGLE);
    assertThat(config.sessionPolicy().maxInactive()).isEqualTo(Duration.ofMinutes(30));
    assertThat(config.target(Role.USER)).isEqualTo("users:9090");
    assertThat(config.groups().maxMembers()).isEqualTo(50);
  }

  @Test
  void aSharedStoreWithoutASecretIsRefusedWithHowToFixIt() {
    assertThatThrownBy(() -> parse(Map.of(), "--store", "redis://127.0.0.1:6379").toConfig(Role.ALL, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--jwt-secret-file")
        .hasMessageContaining("head -c 48 /dev/urandom");
    assertThatThrownBy(() -> parse(Map.of(), "--store", "redis://h:1").toConfig(Role.FRIEND, Map.of()))
        .as("a single service never invents a secret")
        .hasMessageContaining("--jwt-secret-file");
  }

  @Test
  void aSingleServiceRefusesTheMemoryStoreSinceItCouldNotShareSessions() {
    assertThatThrownBy(() -> parse(Map.of()).toConfig(Role.FRIEND, Map.of("PARLEY_JWT_SECRET", "x".repeat(40))))
        .hasMessageContaining("shared store").hasMessageContaining("--store redis://");
  }

  @Test
  void sessionLimitsMayBothBeShortAndTheIdleOneMayNotExceedTheLifetime() {
    NodeConfig config = parse(Map.of(), "--session-lifetime", "1d", "--session-idle", "12h").toConfig(Role.ALL, Map.of());
    assertThat(config.sessionPolicy().absoluteLifetime()).isEqualTo(Duration.ofDays(1));
    assertThat(config.sessionPolicy().maxInactive()).isEqualTo(Duration.ofHours(12));

    assertThatThrownBy(() -> parse(Map.of(), "--session-lifetime", "1h", "--session-idle", "2h").toConfig(Role.ALL, Map.of()))
        .hasMessageContaining("--session-idle").hasMessageContaining("--session-lifetime");
  }

  @Test
  void helpNeverShowsTheStoreUrlWhichMayHoldAPassword() {
    java.io.StringWriter help = new java.io.StringWriter();
    Parley.commandLine(Map.of()).setOut(new java.io.PrintWriter(help)).execute("--help");
    assertThat(help.toString()).contains("--store").contains("Default: memory");
  }

  @Test
  void configDescriptionsHideTheStorePassword() {
    NodeConfig config = parse(Map.of(), "--store", "redis://:hunter2@db:6379", "--database", "postgresql://app@db/chat")
        .toConfig(Role.USER, Map.of("PARLEY_JWT_SECRET", "x".repeat(40)));
    assertThat(config.toString()).doesNotContain("hunter2").contains("***@db:6379");
  }

  @Test
  void theSecretMayComeFromTheEnvironmentButMustBeLongEnough() {
    NodeConfig config = parse(Map.of(), "--store", "redis://h:1", "--database", "postgresql://app@db/chat")
        .toConfig(Role.USER, Map.of("PARLEY_JWT_SECRET", "an-environment-secret-of-32-bytes!!"));
    assertThat(config.keysAreEphemeral()).isFalse();

    assertThatThrownBy(() -> parse(Map.of(), "--store", "redis://h:1")
        .toConfig(Role.USER, Map.of("PARLEY_JWT_SECRET", "short")))
        .hasMessageContaining("at least 32");
  }

  @Test
  void badValuesAreRefusedWithTheFlagNamed() {
    assertThatThrownBy(() -> parse(Map.of(), "--store", "postgres://x").toConfig(Role.ALL, Map.of()))
        .hasMessageContaining("--store");
    assertThatThrownBy(() -> parse(Map.of(), "--terminal-policy", "many").toConfig(Role.ALL, Map.of()))
        .hasMessageContaining("--terminal-policy");
    assertThatThrownBy(() -> parse(Map.of(), "--session-idle", "soon"))
        .hasMessageContaining("soon");
    assertThatThrownBy(() -> parse(Map.of(), "--store", "redis://h:1", "--jwt-algorithm", "RS256").toConfig(Role.USER, Map.of()))
        .hasMessageContaining("--jwt-public-key-files");
  }

  @Test
  void servicesThatCallInternalMethodsNeedOnlyTheServiceKeyNotTheUserTokensSigningKey(@TempDir Path dir)
      throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    Path publicKey = dir.resolve("k1.pem");
    Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
        + java.util.Base64.getMimeEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    Path serviceKey = dir.resolve("service.key");
    Files.write(serviceKey, "a-service-credential-key-of-at-least-32-bytes\n".getBytes(UTF_8));
    String[] verifyOnly = {"--store", "redis://h:1", "--database", "postgresql://app@db/chat", "--jwt-algorithm",
        "ES256", "--jwt-public-key-files", publicKey.toString()};

    for (Role role : List.of(Role.MESSAGE, Role.GROUP)) {
      assertThatThrownBy(() -> parse(Map.of(), verifyOnly).toConfig(role, Map.of()))
          .as("%s without a service key", role).hasMessageContaining("--service-key-file");
      NodeConfig config = parse(Map.of(), concat(verifyOnly, "--service-key-file", serviceKey.toString()))
          .toConfig(role, Map.of());
      assertThat(config.keys().canSign()).as("%s holds no key that signs user tokens", role).isFalse();
      assertThat(config.serviceKeys().canSign()).isTrue();
    }
    assertThat(parse(Map.of(), verifyOnly).toConfig(Role.MESSAGE,
        Map.of("PARLEY_SERVICE_KEY", "s".repeat(32))).serviceKeys()).isNotNull();
    assertThatThrownBy(() -> parse(Map.of(), verifyOnly).toConfig(Role.MESSAGE, Map.of("PARLEY_SERVICE_KEY", "short")))
        .hasMessageContaining("at least 32");
    assertThat(parse(Map.of()).toConfig(Role.ALL, Map.of()).serviceKeys())
        .as("the embedded mode keeps them apart with a key of its own").isNotNull();
  }

  @Test
  void theAdminPortIs9464ByDefaultAndOffServesNone() {
    assertThat(parse(Map.of()).toConfig(Role.ALL, Map.of()).adminPort()).isEqualTo(9464);
    assertThat(parse(Map.of(), "--admin-port", "0").toConfig(Role.ALL, Map.of()).adminPort()).isZero();
    assertThat(parse(Map.of(), "--admin-port", "off").toConfig(Role.ALL, Map.of()).adminPort())
        .isEqualTo(NodeConfig.NO_ADMIN_PORT);
    for (String bad : List.of("-1", "65536", "metrics")) {
      assertThatThrownBy(() -> parse(Map.of(), "--admin-port", bad).toConfig(Role.ALL, Map.of()))
          .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--admin-port");
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
