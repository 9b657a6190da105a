package io.parley.testing;

import io.parley.database.DatabaseSettings;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: {@code initdb} and {@code pg_ctl} on a free port of
 * 127.0.0.1, in a temporary folder, with trust authentication for the role {@code parley}.
 *
 * <p>{@link #shared()} is the one server of a test JVM, started on first use and stopped when the
 * JVM exits; each test class takes a fresh database of it with {@link #createDatabase()}, so
 * classes never see each other's rows. If the environment variable {@code PARLEY_TEST_DATABASE}
 * names a server ({@code postgresql://user[:password]@host:port/db}, a role that may create
 * databases), the shared server is that one and nothing is started. {@link #start()} starts a
 * server of one's own, for tests that kill or restart it.
 *
 * <p>Finds the binaries in {@code PARLEY_PG_BIN}, on the PATH, or in Debian's
 * {@code /usr/lib/postgresql/<version>/bin}; a missing PostgreSQL fails the test with a message
 * saying what to install. PostgreSQL refuses to run as root, so as root the server runs as the
 * {@code postgres} user (Debian's package creates it) through {@code runuser}.
 */
public final class PostgresServer implements AutoCloseable {
  private static final String ROLE = "parley";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PostgresServer shared;

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final Path dir;
  private final Path bin;
  private final List<String> runAs;
  private final List<String> settings = new ArrayList<>();

  private PostgresServer(String host, int port, String user, String password, Path dir, Path bin, List<String> runAs) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.dir = dir;
    this.bin = bin;
    this.runAs = runAs;
  }

  /**
   * The test JVM's server: {@code PARLEY_TEST_DATABASE} if set, else one started on first use and
   * stopped at exit.
   */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      String external = System.getenv("PARLEY_TEST_DATABASE");
      if (external != null && !external.isBlank()) {
        shared = external(external);
      } else {
        PostgresServer server = start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "parley-test-postgres-stop"));
        shared = server;
      }
    }
    return shared;
  }

  /** Starts a server of the caller's own, on a free port; close it when done. */
  public static PostgresServer start() {
    return start(null, List.of());
  }

  /**
   * Starts a server of the caller's own with further settings, each {@code name=value} as in
   * postgresql.conf (e.g. {@code shared_buffers=1GB} for a benchmark).
   */
  public static PostgresServer start(String... settings) {
    return start(null, List.of(settings));
  }

  /**
   * Starts a hot standby of {@code primary} (a server of one's own): a base backup taken with
   * {@code pg_basebackup -R}, streaming the primary's WAL from then on. {@link #promote()} makes it
   * the primary, as a failover does.
   */
  public static PostgresServer startStandby(PostgresServer primary) {
    primary.requireOwn();
    return start(primary, primary.settings);
  }

  private static PostgresServer start(PostgresServer primary, List<String> settings) {
    Path bin = binaries();
    List<String> runAs = isRoot() ? List.of("runuser", "-u", "postgres", "--") : List.of();
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      Path dir;
      try {
        dir = Files.createTempDirectory("parley-pg-");
        if (isRoot()) {
          UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
          Files.setOwner(dir, postgres);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare a folder for PostgreSQL (as root it runs as the user "
            + "'postgres', which Debian's postgresql package creates)", e);
      }
      PostgresServer server = new PostgresServer("127.0.0.1", freePort(), ROLE, null, dir, bin, runAs);
      server.settings.addAll(settings);
      try {
        if (primary == null) {
          server.run("initdb", "-D", server.dataDir().toString(), "-U", ROLE, "--auth=trust", "-E", "UTF8",
              "--locale=C", "--no-sync");
        } else {
          server.run("pg_basebackup", "-h", primary.host, "-p", Integer.toString(primary.port), "-U", ROLE,
              "-D", server.dataDir().toString(), "-R", "-X", "stream", "-c", "fast");
        }
        server.launch();
        return server;
      } catch (IllegalStateException e) {
        last = e; // most likely the free port was taken in between
        server.close();
      }
    }
    throw last;
  }

  /** Promotes a standby to primary and waits until it accepts writes. */
  public void promote() {
    requireOwn();
    run("pg_ctl", "-D", dataDir().toString(), "-w", "-t", "60", "promote");
  }

  private static PostgresServer external(String url) {
    DatabaseSettings settings = DatabaseSettings.parse(url);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("jdbc:postgresql://([^:/,]+)(?::(\\d+))?/.*")
        .matcher(settings.jdbcUrl());
    if (!m.matches()) {
      throw new IllegalArgumentException("PARLEY_TEST_DATABASE must name one host: " + DatabaseSettings.redact(url));
    }
    int port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
    return new PostgresServer(m.group(1), port, settings.user() == null ? System.getProperty("user.name") : settings.user(),
        settings.password(), null, null, List.of());
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /**
   * Creates an empty database and returns the settings that reach it (a pool of 8 connections), so
   * that each test class starts from nothing.
   */
  public DatabaseSettings createDatabase() {
    String name = "parley_t" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection admin = connect("postgres"); Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test database on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    DatabaseSettings settings = DatabaseSettings.parse(url(name)).withMaxPoolSize(8);
    return password == null ? settings : settings.withPassword(password);
  }

  /** {@code postgresql://user@host:port/<database>}, without the password. */
  public String url(String database) {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }

  /** A plain connection to {@code database}; close it after use. */
  public Connection connect(String database) throws SQLException {
    java.util.Properties properties = new java.util.Properties();
    properties.setProperty("user", user);
    if (password != null) {
      properties.setProperty("password", password);
    }
    return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, properties);
  }

  /** Whether the server answers. */
  public boolean isRunning() {
    try (Connection c = connect("postgres")) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Kills the postmaster and every backend with SIGKILL, as a crash would: no checkpoint, no
   * goodbye to clients. {@link #restart()} then runs crash recovery from the WAL.
   */
  public void kill() {
    requireOwn();
    ProcessHandle postmaster = postmaster();
    if (postmaster == null) {
      return;
    }
    List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
    all.add(postmaster);
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle process : all) {
      try {
        process.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("PostgreSQL process " + process.pid() + " did not die", e);
      }
    }
  }

  /** Stops the server cleanly (a fast shutdown: clients are disconnected, data is checkpointed). */
  public void stop() {
    requireOwn();
    if (postmaster() != null) {
      run("pg_ctl", "-D", dataDir().toString(), "-m", "fast", "-w", "stop");
    }
  }

  /** Starts a stopped or killed server again, on the same port and data. */
  public void restart() {
    requireOwn();
    launch();
  }

  @Override
  public void close() {
    if (dir == null) {
      return;
    }
    try {
      if (postmaster() != null) {
        run("pg_ctl", "-D", dataDir().toString(), "-m", "immediate", "-w", "stop");
      }
    } catch (RuntimeException e) {
      kill();
    } finally {
      deleteQuietly(dir);
    }
  }

  private void launch() {
    String options = "-c port=" + port + " -c listen_addresses=" + host + " -c unix_socket_directories=" + dir
        + " -c max_connections=400 -c shared_buffers=64MB -c log_min_messages=warning";
    for (String setting : settings) {
      options += " -c " + setting;
    }
    run("pg_ctl", "-D", dataDir().toString(), "-l", dir.resolve("postgres.log").toString(), "-o", options, "-w",
        "-t", "60", "start");
  }

  private ProcessHandle postmaster() {
    Path pidFile = dataDir().resolve("postmaster.pid");
    try {
      if (!Files.exists(pidFile)) {
        return null;
      }
      long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElse(null);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private Path dataDir() {
    return dir.resolve("data");
  }

  private void requireOwn() {
    if (dir == null) {
      throw new IllegalStateException("this server is PARLEY_TEST_DATABASE's; start one of your own to stop it");
    }
  }

  private void run(String tool, String... args) {
    List<String> command = new ArrayList<>(runAs);
    command.add(bin.resolve(tool).toString());
    command.addAll(List.of(args));
    Path output = dir.resolve(tool + ".out");
    try {
      Process process = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .start();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(tool + " did not finish within 90 s: " + read(output) + log());
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
            + read(output) + log());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + tool, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String log() {
    Path log = dir.resolve("postgres.log");
    return Files.exists(log) ? "\n" + read(log) : "";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Where initdb and pg_ctl are. */
  static Path binaries() {
    String configured = System.getenv("PARLEY_PG_BIN");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(File.pathSeparator)) {
        Path initdb = entry.isEmpty() ? null : Path.of(entry, "initdb");
        if (initdb != null && Files.isExecutable(initdb)) {
          try {
            // The real folder, not a folder of links to a few of the tools (pg_basebackup, ...).
            return initdb.toRealPath().getParent();
          } catch (IOException e) {
            return Path.of(entry);
          }
        }
      }
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        Path newest = versions
            .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
            .max(Comparator.comparingInt(PostgresServer::version))
            .orElse(null);
        if (newest != null) {
          return newest.resolve("bin");
        }
      } catch (IOException e) {
        // fall through to the error below
      }
    }
    for (String candidate : List.of("/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin")) {
      if (Files.isExecutable(Path.of(candidate, "initdb"))) {
        return Path.of(candidate);
      }
    }
    throw new IllegalStateException("PostgreSQL (initdb, pg_ctl) is not installed; the database tests need it "
        + "(Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql), or set "
        + "PARLEY_TEST_DATABASE to a server where the tests may create databases");
  }

  private static int version(Path dir) {
    try {
      return Integer.parseInt(dir.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^0-9].*", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp folder left behind is harmless
    }
  }
}
