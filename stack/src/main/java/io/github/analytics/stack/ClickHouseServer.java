package io.github.analytics.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real {@code clickhouse-server} on loopback and free ports (HTTP, native TCP, interserver), with its
 * configuration, data and logs under a working directory of its own. Needs the server binary
 * (Debian/Ubuntu: {@code apt-get install -y clickhouse-server}, which gives 18.16 on Debian 12).
 *
 * <pre>{@code
 * try (ClickHouseServer ch = ClickHouseServer.start(workDir)) {
 *   ch.execute("CREATE DATABASE analytics");
 *   String rows = ch.query("SELECT count() FROM analytics.t"); // TabSeparated text
 * }
 * }</pre>
 */
public final class ClickHouseServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /** The server's time zone when none is given: UTC, so that DateTime text reads as UTC. */
  public static final String DEFAULT_TIME_ZONE = "UTC";
  /** What a user without clickhouse-server is told. */
  static final String MISSING =
      "clickhouse-server is not installed (looked for clickhouse-server and clickhouse on PATH and in"
          + " /usr/bin, /usr/sbin, /usr/local/bin): install it with `sudo apt-get install -y"
          + " clickhouse-server` (Debian/Ubuntu), or set CLICKHOUSE_SERVER to its path.";

  private final Process process;
  private final int httpPort;
  private final int tcpPort;
  private final Path log;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ClickHouseServer(Process process, int httpPort, int tcpPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.tcpPort = tcpPort;
    this.log = log;
  }

  /** Starts a server in the {@value #DEFAULT_TIME_ZONE} time zone; see {@link #start(Path, String)}. */
  public static ClickHouseServer start(Path workDir) {
    return start(workDir, DEFAULT_TIME_ZONE);
  }

  /**
   * Writes a minimal configuration under {@code workDir} (listen_host 127.0.0.1, free ports, user
   * {@code default} without password from loopback only, server time zone {@code timeZone}), starts
   * the server and waits until {@code GET /ping} answers.
   */
  public static ClickHouseServer start(Path workDir, String timeZone) {
    Path binary = binary().orElseThrow(() -> new IllegalStateException(MISSING));
    Path dir = workDir.toAbsolutePath();
    int httpPort = ServiceProcess.freePort();
    int tcpPort = ServiceProcess.freePort();
    int interserverPort = ServiceProcess.freePort();
    Path log = dir.resolve("clickhouse-server.log");
    Path config = dir.resolve("config.xml");
    try {
      Files.createDirectories(dir.resolve("data"));
      Files.writeString(config, String.join("\n", List.of(
          "<?xml version=\"1.0\"?>",
          "<yandex>",
          "  <logger>",
          "    <level>information</level>",
          "    <log>" + log + "</log>",
          "    <errorlog>" + dir.resolve("clickhouse-server.err.log") + "</errorlog>",
          "    <size>100M</size><count>1</count>",
          "  </logger>",
          "  <listen_host>127.0.0.1</listen_host>",
          // On SIGTERM the server waits for open HTTP connections; HttpClient keeps them alive, and
          // with the default timeout stopping took about 10 s instead of about 2.
          "  <keep_alive_timeout>1</keep_alive_timeout>",
          "  <http_port>" + httpPort + "</http_port>",
          "  <tcp_port>" + tcpPort + "</tcp_port>",
          "  <interserver_http_port>" + interserverPort + "</interserver_http_port>",
          "  <interserver_http_host>127.0.0.1</interserver_http_host>",
          "  <path>" + dir.resolve("data") + "/</path>",
          "  <tmp_path>" + dir.resolve("tmp") + "/</tmp_path>",
          "  <user_files_path>" + dir.resolve("user_files") + "/</user_files_path>",
          "  <format_schema_path>" + dir.resolve("format_schemas") + "/</format_schema_path>",
          "  <users_config>users.xml</users_config>",
          "  <default_profile>default</default_profile>",
          "  <default_database>default</default_database>",
          "  <timezone>" + timeZone + "</timezone>",
          // The packaged defaults (8 GB and 5 GB caches) are for a dedicated machine.
          "  <mark_cache_size>67108864</mark_cache_size>",
          "  <uncompressed_cache_size>67108864</uncompressed_cache_size>",
          "  <mlock_executable>false</mlock_executable>",
          "</yandex>",
          "")), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("users.xml"), String.join("\n", List.of(
          "<?xml version=\"1.0\"?>",
          "<yandex>",
          "  <profiles><default><max_memory_usage>1000000000</max_memory_usage></default></profiles>",
          "  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>",
          "    <profile>default</profile><quota>default</quota></default></users>",
          "  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>",
          "    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>",
          "  </interval></default></quotas>",
          "</yandex>",
          "")), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare ClickHouse's directory " + dir, e);
    }
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    if (binary.getFileName().toString().equals("clickhouse")) {
      command.add("server"); // the single-binary packages of newer releases
    }
    command.add("--config-file=" + config);
    Path stdout = dir.resolve("clickhouse-server.stdout.log");
    Process process = ServiceProcess.start(command, dir, stdout);
    ClickHouseServer server = new ClickHouseServer(process, httpPort, tcpPort, log);
    ServiceProcess.awaitReady("clickhouse-server", process, stdout, START_TIMEOUT, server::answers);
    return server;
  }

  /** Where the server binary is, if it is installed. */
  public static Optional<Path> binary() {
    return find(System.getenv("CLICKHOUSE_SERVER"), ServiceProcess.searchPath());
  }

  /**
   * {@code configured} if set (and executable), else the first {@code clickhouse-server} in {@code
   * dirs}, else the first single {@code clickhouse} binary.
   */
  static Optional<Path> find(String configured, List<String> dirs) {
    return ServiceProcess.findExecutable(configured, dirs, "clickhouse-server", "clickhouse");
  }

  /** The HTTP interface, e.g. {@code http://127.0.0.1:41234}, for curl and {@code apply.sh}. */
  public String httpUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  public int httpPort() {
    return httpPort;
  }

  /** The native protocol's port, for {@code clickhouse-client --port}. */
  public int tcpPort() {
    return tcpPort;
  }

  /** The server's log file, for a failing test's message. */
  public Path log() {
    return log;
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Runs one statement over HTTP and returns the response body (TabSeparated unless the statement
   * says {@code FORMAT ...}); throws with ClickHouse's error text if it answers other than 200.
   */
  public String query(String sql) {
    return post(httpUrl() + "/", sql);
  }

  /** Runs one statement that returns nothing (DDL, INSERT ... VALUES); see {@link #query(String)}. */
  public void execute(String sql) {
    query(sql);
  }

  /**
   * Inserts {@code jsonEachRow} (one JSON object a line) into {@code table}, as {@code INSERT INTO
   * table FORMAT JSONEachRow} does; throws with ClickHouse's error text if it refuses.
   */
  public void insertJsonEachRow(String table, String jsonEachRow) {
    String insert = "INSERT INTO " + table + " FORMAT JSONEachRow";
    post(httpUrl() + "/?query=" + URLEncoder.encode(insert, StandardCharsets.UTF_8), jsonEachRow);
  }

  /** Stops the server (SIGTERM: it shuts its tables down cleanly), killing it after 30 s. */
  @Override
  public void close() {
    ServiceProcess.stop(process, Duration.ofSeconds(30));
  }

  private String post(String url, String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("ClickHouse answered " + response.statusCode() + " to:\n"
            + body + "\n" + response.body().trim());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot reach ClickHouse at " + httpUrl() + " (is it running? see " + log + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for ClickHouse", e);
    }
  }

  private boolean answers() {
    HttpRequest ping = HttpRequest.newBuilder(URI.create(httpUrl() + "/ping"))
        .timeout(Duration.ofSeconds(2)).GET().build();
    try {
      HttpResponse<String> response = http.send(ping, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 && response.body().startsWith("Ok.");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
