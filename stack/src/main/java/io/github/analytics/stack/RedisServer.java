package io.github.analytics.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.Jedis;

/**
 * A real {@code redis-server} on loopback and a free port, without persistence, in a working
 * directory of its own. Needs the {@code redis-server} binary (Debian/Ubuntu: {@code apt-get install -y
 * redis-server}; macOS: {@code brew install redis}).
 */
public final class RedisServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  /** What a user without redis-server is told. */
  static final String MISSING =
      "redis-server is not installed (looked on PATH and in /usr/bin, /usr/sbin, /usr/local/bin):"
          + " install it with `sudo apt-get install -y redis-server` (Debian/Ubuntu) or"
          + " `brew install redis` (macOS), or set REDIS_SERVER to its path.";

  private final Process process;
  private final int port;
  private final Path workDir;
  private final List<String> settings;

  private RedisServer(Process process, int port, Path workDir, List<String> settings) {
    this.process = process;
    this.port = port;
    this.workDir = workDir;
    this.settings = settings;
  }

  /** Starts a server with its files under {@code workDir} and waits until it answers PING. */
  public static RedisServer start(Path workDir) {
    return start(workDir, List.of("--save", "", "--appendonly", "no"));
  }

  /**
   * Starts a server with the settings of {@code configFile} (for example {@code
   * deploy/redis/redis.conf}), except its port, address and directory, which are a free loopback
   * port and {@code workDir}.
   */
  public static RedisServer start(Path workDir, Path configFile) {
    if (!Files.isRegularFile(configFile)) {
      throw new IllegalArgumentException("No Redis configuration file at " + configFile.toAbsolutePath());
    }
    return start(workDir, List.of(configFile.toAbsolutePath().toString()));
  }

  private static RedisServer start(Path workDir, List<String> settings) {
    return start(workDir, settings, ServiceProcess.freePort());
  }

  private static RedisServer start(Path workDir, List<String> configured, int port) {
    List<String> settings = configured;
    Path binary = binary().orElseThrow(() -> new IllegalStateException(MISSING));
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + workDir, e);
    }
    Path log = workDir.resolve("redis.log");
    List<String> command = new java.util.ArrayList<>();
    command.add(binary.toString());
    // A configuration file must come first; options after it override the file.
    if (!settings.isEmpty() && !settings.get(0).startsWith("--")) {
      command.add(settings.get(0));
      settings = settings.subList(1, settings.size());
    }
    command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", workDir.toAbsolutePath().toString(), "--daemonize", "no"));
    command.addAll(settings);
    Process process = ServiceProcess.start(command, workDir, log);
    RedisServer server = new RedisServer(process, port, workDir, configured);
    ServiceProcess.awaitReady("redis-server", process, log, START_TIMEOUT, server::answers);
    return server;
  }

  /** Where {@code redis-server} is, if it is installed. */
  public static Optional<Path> binary() {
    return find(System.getenv("REDIS_SERVER"), ServiceProcess.searchPath());
  }

  /** {@code configured} if set (and executable), else the first {@code redis-server} in {@code dirs}. */
  static Optional<Path> find(String configured, List<String> dirs) {
    return ServiceProcess.findExecutable(configured, dirs, "redis-server");
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Kills the server (SIGKILL), as a crashed host would: no shutdown save, so what it had not yet
   * written to its append-only file or snapshot is lost. For drills; {@link #restart} brings it back.
   */
  public void kill() {
    ServiceProcess.kill(process, "redis-server");
  }

  /**
   * Starts the server again on the same port, directory and settings, after {@link #kill} or {@link
   * #close}: it loads what its persistence settings kept (nothing without them). Use the instance
   * returned.
   */
  public RedisServer restart() {
    if (process.isAlive()) {
      close();
    }
    return start(workDir, settings, port);
  }

  /** Stops the server (SIGTERM), killing it after 10 s. */
  @Override
  public void close() {
    ServiceProcess.stop(process, Duration.ofSeconds(10));
  }

  private boolean answers() {
    try (Jedis jedis = new Jedis(host(), port, 1_000)) {
      return "PONG".equals(jedis.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }
}
