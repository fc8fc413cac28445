package io.github.analytics.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server, <a href="https://github.com/gaul/s3proxy">S3Proxy</a> with the jclouds
 * {@code filesystem} backend, in a JVM of its own started from the {@code analytics-s3proxy-server}
 * module's classpath, on loopback and a free port. Buckets are directories under {@code <dir>/data}.
 * Requests must be signed (AWS Signature V2 or V4) with {@link #ACCESS_KEY} and {@link #SECRET_KEY}, and
 * address buckets path-style ({@code http://127.0.0.1:PORT/bucket/key}): S3Proxy serves no virtual
 * host names here.
 *
 * <pre>{@code
 * try (S3ProxyServer s3 = S3ProxyServer.start(workDir)) {
 *   s3.createBucket("archive");
 *   // Beam: --awsRegion=<s3.region()> --endpoint=<s3.endpoint()> plus static credentials and a
 *   // path-style client factory (pipelines' S3Settings sets all four).
 * }
 * }</pre>
 */
public final class S3ProxyServer implements AutoCloseable {
  /** The access key id every request must be signed with. */
  public static final String ACCESS_KEY = "local";
  /** The secret key every request must be signed with. */
  public static final String SECRET_KEY = "local-secret";
  /** S3Proxy accepts any region in a signature; clients need one, so this is the one to give them. */
  public static final String REGION = "us-east-1";

  private static final String CLASSPATH_RESOURCE = "/io/github/analytics/stack/s3proxy-server.classpath";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /** Without a configuration file logback logs every request at DEBUG: megabytes per test. */
  private static final String LOGBACK_XML = String.join("\n", List.of(
      "<configuration>",
      "  <appender name=\"LOG\" class=\"ch.qos.logback.core.ConsoleAppender\">",
      "    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>",
      "  </appender>",
      "  <root level=\"INFO\"><appender-ref ref=\"LOG\"/></root>",
      "</configuration>",
      ""));

  private final Process process;
  private final int port;
  private final Path data;
  private final Path log;
  private final S3Client client;

  private S3ProxyServer(Process process, int port, Path data, Path log) {
    this.process = process;
    this.port = port;
    this.data = data;
    this.log = log;
    this.client = S3Client.builder()
        .endpointOverride(URI.create(endpoint()))
        .region(Region.of(REGION))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .forcePathStyle(true)
        // Readiness is polled: a request that fails must fail at once, not after retries.
        .overrideConfiguration(c -> c.retryPolicy(RetryPolicy.none()).apiCallTimeout(Duration.ofSeconds(10)))
        .build();
  }

  /** Starts S3Proxy with its buckets under {@code workDir/data} and waits until it lists buckets. */
  public static S3ProxyServer start(Path workDir) {
    return start(workDir, ServiceProcess.freePort());
  }

  /** {@link #start(Path)} on a given port, so a test can make the start fail. */
  static S3ProxyServer start(Path workDir, int port) {
    try {
      Path data = Files.createDirectories(workDir.resolve("data"));
      Path properties = workDir.resolve("s3proxy.properties");
      Files.writeString(properties, String.join("\n", List.of(
          "s3proxy.endpoint=http://127.0.0.1:" + port,
          "s3proxy.authorization=aws-v2-or-v4",
          "s3proxy.identity=" + ACCESS_KEY,
          "s3proxy.credential=" + SECRET_KEY,
          "jclouds.provider=filesystem",
          "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
          "")), StandardCharsets.UTF_8);
      Path logback = workDir.resolve("logback.xml");
      Files.writeString(logback, LOGBACK_XML, StandardCharsets.UTF_8);
      Path log = workDir.resolve("s3proxy.log");
      String classpath = ServiceProcess.classpath(CLASSPATH_RESOURCE, "S3Proxy", "analytics-s3proxy-server");
      Process process = ServiceProcess.start(List.of(
          Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xms64m", "-Xmx256m", "-Djava.awt.headless=true",
          "-Dlogback.configurationFile=" + logback.toAbsolutePath(),
          "-cp", classpath,
          "org.gaul.s3proxy.Main", "--properties", properties.toAbsolutePath().toString()),
          workDir, log);
      S3ProxyServer server = new S3ProxyServer(process, port, data, log);
      try {
        ServiceProcess.awaitReady("S3Proxy", process, log, START_TIMEOUT, server::answers);
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare S3Proxy's directory " + workDir, e);
    }
  }

  /** {@code http://127.0.0.1:PORT}, for {@code --endpoint} and S3 clients. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public String accessKey() {
    return ACCESS_KEY;
  }

  public String secretKey() {
    return SECRET_KEY;
  }

  public String region() {
    return REGION;
  }

  /** The directory the filesystem backend keeps buckets in (one directory per bucket). */
  public Path dataDirectory() {
    return data;
  }

  /** S3Proxy's log file, for a failing test's message. */
  public Path log() {
    return log;
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Creates a private bucket through the S3 API. (A directory made by hand under {@link
   * #dataDirectory()} also shows as a bucket, but one that anybody may read: the backend maps
   * world-readable directories to public-read.)
   */
  public void createBucket(String name) {
    client.createBucket(b -> b.bucket(name));
  }

  /**
   * Kills S3Proxy (SIGKILL): the store is unreachable until {@link #restart}. Objects already written
   * stay in {@link #dataDirectory()}. For drills.
   */
  public void kill() {
    client.close();
    ServiceProcess.kill(process, "S3Proxy");
  }

  /**
   * Starts S3Proxy again on the same port over the same buckets, after {@link #kill} or {@link
   * #close}. Use the instance returned.
   */
  public S3ProxyServer restart() {
    if (process.isAlive()) {
      close();
    }
    return start(data.getParent(), port);
  }

  /** Stops S3Proxy (SIGTERM), killing it after 10 s. */
  @Override
  public void close() {
    try {
      client.close();
    } finally {
      ServiceProcess.stop(process, Duration.ofSeconds(10));
    }
  }

  private boolean answers() {
    try {
      client.listBuckets(r -> r.overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(1))));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
