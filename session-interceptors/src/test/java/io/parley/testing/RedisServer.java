package io.parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A real {@code redis-server} process for tests, on a free port of 127.0.0.1 with its own data
 * directory. Start it once per test class. It can be stopped and restarted on the same port (its
 * data survives when it was started {@linkplain Builder#persistent() persistent}), paused (SIGSTOP)
 * to simulate a hung server, and asked how many commands it has processed.
 *
 * <p>Needs {@code redis-server} on the PATH (Debian: {@code apt-get install redis-server}); a
 * missing binary fails the test with that message rather than skipping it.
 */
public final class RedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private final List<String> extraArgs;
  private Process process;
  private boolean paused;

  private RedisServer(int port, Path dir, List<String> extraArgs) {
    this.port = port;
    this.dir = dir;
    this.extraArgs = extraArgs;
  }

  /** Starts a non-persistent server on a free port. */
  public static RedisServer start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** A new plain connection; close it after use. */
  public Jedis connect() {
    return new Jedis(host(), port, 2000);
  }

  private void launch() {
    List<String> command = new ArrayList<>(List.of(binary(),
        "--port", Integer.toString(port),
        "--bind", "127.0.0.1",
        "--protected-mode", "no",
        "--dir", dir.toString(),
        "--logfile", dir.resolve("redis.log").toString(),
        "--loglevel", "warning",
        "--save", ""));
    command.addAll(extraArgs);
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("stdout.log").toFile())
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0), e);
    }
    awaitPing(Duration.ofSeconds(10));
  }

  private void awaitPing(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try (Jedis jedis = connect()) {
        if ("PONG".equals(jedis.ping())) {
          return;
        }
      } catch (JedisException e) {
        if (!process.isAlive()) {
          throw new IllegalStateException("redis-server on port " + port + " exited: " + log());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("redis-server on port " + port + " did not answer PING: " + log());
        }
      }
      sleep(20);
    }
  }

  /** Stops the server, saving its data if it is persistent, and waits for the process to end. */
  public void stop() {
    if (!isRunning()) {
      return;
    }
    try (Jedis jedis = connect()) {
      jedis.shutdown();
    } catch (JedisException e) {
      // SHUTDOWN closes the connection instead of answering.
    }
    awaitExit();
  }

  /** Kills the process (SIGKILL): no save, as in a crash. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      awaitExit();
    }
  }

  /** Starts the server again on the same port and directory. */
  public void restart() {
    if (isRunning()) {
      throw new IllegalStateException("redis-server on port " + port + " is still running");
    }
    launch();
  }

  /** Freezes the process (SIGSTOP): connections stay open but nothing answers. */
  public void pause() {
    signal("STOP");
  }

  /** Resumes a paused process (SIGCONT). */
  public void resume() {
    signal("CONT");
  }

  /** Removes every key. */
  public void flushAll() {
    try (Jedis jedis = connect()) {
      jedis.flushAll();
    }
  }

  /**
   * Calls of {@code command} (lower case, e.g. {@code "evalsha"}) the server has processed since
   * start, from {@code INFO commandstats}.
   */
  public long commandCount(String command) {
    try (RedisStats stats = new RedisStats(url())) {
      return stats.commandCount(command);
    }
  }

  /** Commands processed since start, leaving out {@code INFO} and {@code PING} (see {@link RedisStats}). */
  public long totalCommands() {
    try (RedisStats stats = new RedisStats(url())) {
      return stats.totalCommands();
    }
  }

  /** Used memory in bytes, from {@code INFO memory}. */
  public long usedMemory() {
    try (RedisStats stats = new RedisStats(url())) {
      return stats.usedMemory();
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      if (paused) {
        resume();
      }
      process.destroy();
      awaitExit();
    }
    deleteQuietly(dir);
  }

  private void signal(String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " failed");
      }
      paused = "STOP".equals(signal);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void awaitExit() {
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String log() {
    try {
      Path log = dir.resolve("redis.log");
      Path stdout = dir.resolve("stdout.log");
      return (Files.exists(stdout) ? Files.readString(stdout) : "") + (Files.exists(log) ? Files.readString(log) : "");
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  static String binary() {
    for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server",
        "/opt/homebrew/bin/redis-server")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(java.io.File.pathSeparator)) {
        Path candidate = Path.of(entry, "redis-server");
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    throw new IllegalStateException("redis-server is not installed; the Redis tests need it "
        + "(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)");
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void deleteQuietly(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }

  /** Builds a {@link RedisServer}. */
  public static final class Builder {
    private final List<String> extraArgs = new ArrayList<>();

    private Builder() {}

    /** Append-only persistence, so data survives {@link #stop()} and {@link #kill()} alike. */
    public Builder persistent() {
      extraArgs.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
      return this;
    }

    /** Any other redis-server arguments, e.g. {@code "--cluster-enabled", "yes"}. */
    public Builder args(String... args) {
      extraArgs.addAll(List.of(args));
      return this;
    }

    public RedisServer start() {
      IllegalStateException last = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        Path dir;
        try {
          dir = Files.createTempDirectory("parley-redis-");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        RedisServer server = new RedisServer(freePort(), dir, List.copyOf(extraArgs));
        try {
          server.launch();
          return server;
        } catch (IllegalStateException e) {
          // Most likely the free port was taken in between; try another.
          last = e;
          server.close();
        }
      }
      throw last;
    }
  }
}
