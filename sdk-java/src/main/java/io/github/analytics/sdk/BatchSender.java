package io.github.analytics.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * Sends one batch to {@code /v1/batch} until the collector takes it, refuses it for good, or the
 * retries run out; counts what became of its messages. Used by the sender thread only.
 */
final class BatchSender {
  private static final System.Logger LOG = System.getLogger(BatchSender.class.getName());
  /** The messages of a batch stay under this, leaving room for the envelope. */
  static final int MAX_MESSAGES_BYTES = AnalyticsSettings.MAX_BATCH_BYTES - 1_024;
  private static final byte[] LIBRARY = ("\"context\":{\"library\":{\"name\":\"analytics-sdk-java\",\"version\":\""
      + version() + "\"}}}").getBytes(StandardCharsets.UTF_8);

  record Counts(long delivered, long rejected, long failed, long requests, long retries) {}

  private final AnalyticsSettings settings;
  private final HttpClient http;
  private final URI batchUri;
  private final String authorization;
  private final Backoff backoff;
  private final ObjectMapper mapper = new ObjectMapper();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();

  BatchSender(AnalyticsSettings settings) {
    this.settings = settings;
    this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
    String base = settings.endpoint().toString();
    this.batchUri = URI.create((base.endsWith("/") ? base : base + "/") + "v1/batch");
    this.authorization = "Basic " + Base64.getEncoder()
        .encodeToString((settings.writeKey() + ":").getBytes(StandardCharsets.UTF_8));
    this.backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
  }

  Counts counts() {
    return new Counts(delivered.get(), rejected.get(), failed.get(), requests.get(), retries.get());
  }

  void countFailed(int messages) {
    failed.addAndGet(messages);
  }

  /** Sends {@code messages} (each a JSON object), retrying as the settings say; returns when it is settled. */
  void send(List<byte[]> messages) throws InterruptedException {
    int n = messages.size();
    for (int attempt = 0; ; attempt++) {
      if (attempt > 0) {
        retries.incrementAndGet();
      }
      requests.incrementAndGet();
      Duration retryAfter = Duration.ZERO;
      String problem;
      try {
        // sentAt is the app's clock now, at each attempt: the collector corrects skew with it.
        HttpResponse<String> response = http.send(request(messages), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status / 100 == 2) {
          settle(n, response.body());
          return;
        }
        if (status != 408 && status != 429 && status / 100 != 5) {
          rejected.addAndGet(n);
          LOG.log(Level.WARNING, "The collector refused a batch of " + n + " messages with " + status + ": "
              + response.body() + (status == 401 ? " (check the write key)" : ""));
          return;
        }
        retryAfter = retryAfter(response.headers().firstValue("Retry-After").orElse(null));
        problem = "HTTP " + status;
      } catch (IOException e) {
        problem = e.toString();
      } catch (InterruptedException e) {
        failed.addAndGet(n);
        throw e;
      }
      if (attempt >= settings.maxRetries()) {
        failed.addAndGet(n);
        LOG.log(Level.WARNING, "Gave up a batch of " + n + " messages after " + (attempt + 1) + " attempts to "
            + batchUri + "; last: " + problem);
        return;
      }
      Duration delay = backoff.delay(attempt, retryAfter);
      LOG.log(Level.DEBUG, () -> "Batch to " + batchUri + " failed; retrying in " + delay.toMillis() + " ms");
      try {
        TimeUnit.NANOSECONDS.sleep(delay.toNanos());
      } catch (InterruptedException e) {
        failed.addAndGet(n);
        throw e;
      }
    }
  }

  private void settle(int n, String body) {
    int refused = 0;
    try {
      JsonNode answer = mapper.readTree(body);
      refused = Math.max(0, Math.min(n, answer.path("rejected").asInt(0)));
    } catch (IOException | RuntimeException e) {
      // A 2xx without the collector's counts (another Segment-compatible endpoint): all taken.
    }
    if (refused > 0) {
      LOG.log(Level.WARNING, refused + " of a batch of " + n + " messages went to the collector's dead letters");
    }
    rejected.addAndGet(refused);
    delivered.addAndGet(n - refused);
  }

  private HttpRequest request(List<byte[]> messages) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(messages.size() * 256 + 256);
    body.writeBytes("{\"batch\":[".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < messages.size(); i++) {
      if (i > 0) {
        body.write(',');
      }
      body.writeBytes(messages.get(i));
    }
    body.writeBytes(("],\"sentAt\":\"" + Instant.now() + "\",").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(LIBRARY);
    byte[] bytes = settings.gzip() ? gzip(body.toByteArray()) : body.toByteArray();
    HttpRequest.Builder request = HttpRequest.newBuilder(batchUri)
        .timeout(settings.requestTimeout())
        .header("Authorization", authorization)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    if (settings.gzip()) {
      request.header("Content-Encoding", "gzip");
    }
    return request.build();
  }

  /** {@code Retry-After} in seconds or as an HTTP date; zero when absent or unreadable. */
  static Duration retryAfter(String header) {
    if (header == null || header.isBlank()) {
      return Duration.ZERO;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
    } catch (NumberFormatException e) {
      try {
        Duration until = Duration.between(Instant.now(),
            ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        return until.isNegative() ? Duration.ZERO : until;
      } catch (DateTimeParseException notADate) {
        return Duration.ZERO;
      }
    }
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String version() {
    String version = BatchSender.class.getPackage().getImplementationVersion();
    return version != null ? version : "dev";
  }
}
