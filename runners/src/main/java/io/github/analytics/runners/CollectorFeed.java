package io.github.analytics.runners;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.collector.CollectorServer;
import io.github.analytics.collector.CollectorSettings;
import io.github.analytics.collector.WriteKeys;
import io.github.analytics.generator.GeneratedRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The demo's front door: generated records go over HTTP to a collector in this process (its native
 * path, in batches of {@value #BATCH} or what waited {@value #MAX_DELAY_MILLIS} ms), and the collector
 * publishes them to Kafka, as an app's traffic would arrive.
 *
 * <p>The demo's day runs faster than the clock, so its key is a replay key: the collector keeps each
 * event's {@code server_timestamp} (the simulated arrival) instead of stamping its own. The generator's
 * malformed records take the paths they would take at a real collector: a payload that is not JSON is
 * sent alone and refused with 400 (counted here); one that is JSON but not an event (no user) goes to
 * the dead-letter topic; the rest reach the pipeline, which dead-letters what it cannot parse.
 */
final class CollectorFeed implements AutoCloseable {
  static final int BATCH = 100;
  static final long MAX_DELAY_MILLIS = 200;
  private static final String KEY = "demo-generator";
  /** Reads as strictly as the collector does: duplicate keys and nesting deeper than 64 are errors. */
  private static final JsonFactory JSON_FACTORY = JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(64).build())
      .build();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final CollectorServer collector;
  private final HttpClient http = HttpClient.newHttpClient();
  private final URI nativeUri;
  private final String authorization;
  private final List<byte[]> buffer = new ArrayList<>();
  private final ScheduledExecutorService flusher;
  private long firstQueuedNanos;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();

  private CollectorFeed(CollectorServer collector) {
    this.collector = collector;
    this.nativeUri = URI.create("http://127.0.0.1:" + collector.port() + "/v1/native");
    this.authorization = "Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8));
    this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo-collector-flush");
      t.setDaemon(true);
      return t;
    });
    flusher.scheduleWithFixedDelay(this::flushIfDue, MAX_DELAY_MILLIS, MAX_DELAY_MILLIS / 4, TimeUnit.MILLISECONDS);
  }

  /** Starts a collector on a free loopback port publishing to {@code topic} at {@code bootstrapServers}. */
  static CollectorFeed start(String bootstrapServers, String topic, String deadLetterTopic) {
    CollectorServer collector = CollectorServer.start(
        CollectorSettings.defaults().withPort(0).withTopics(topic, deadLetterTopic),
        WriteKeys.of(Map.of(KEY, "demo:replay")), bootstrapServers);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!collector.healthy()) {
      if (System.nanoTime() > deadline) {
        collector.close();
        throw new IllegalStateException("The demo's collector did not see Kafka at " + bootstrapServers
            + " within 60 s");
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    return new CollectorFeed(collector);
  }

  /** The collector's address, for the demo's output. */
  String address() {
    return "http://127.0.0.1:" + collector.port();
  }

  /** Queues {@code record}; sends the batch once it is full. */
  synchronized void send(GeneratedRecord record) {
    byte[] payload = record.payload();
    if (!isJsonObject(payload)) {
      post(payload); // not JSON: alone, as its sender would have; the collector refuses it
      return;
    }
    if (buffer.isEmpty()) {
      firstQueuedNanos = System.nanoTime();
    }
    buffer.add(payload);
    if (buffer.size() >= BATCH) {
      flush();
    }
  }

  private synchronized void flushIfDue() {
    if (!buffer.isEmpty() && System.nanoTime() - firstQueuedNanos >= TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS)) {
      flush();
    }
  }

  /** Sends what is queued. */
  synchronized void flush() {
    if (buffer.isEmpty()) {
      return;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream(buffer.size() * 512 + 16);
    body.writeBytes("{\"events\":[".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < buffer.size(); i++) {
      if (i > 0) {
        body.write(',');
      }
      body.writeBytes(buffer.get(i));
    }
    body.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
    List<byte[]> sent = List.copyOf(buffer);
    buffer.clear();
    if (post(body.toByteArray()) == 400) {
      // A payload the collector's stricter reading refused (duplicate keys, deep nesting) spoils its
      // batch: send them one by one, so only that one is refused.
      refused.decrementAndGet();
      for (byte[] event : sent) {
        post(("{\"events\":[" + new String(event, StandardCharsets.UTF_8) + "]}").getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  /** Posts {@code body}, retrying 503s; returns the final status, after counting what it says. */
  private int post(byte[] body) {
    for (int attempt = 0; ; attempt++) {
      requests.incrementAndGet();
      HttpResponse<String> response;
      try {
        response = http.send(HttpRequest.newBuilder(nativeUri)
            .header("Authorization", authorization).header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new IllegalStateException("Sending to the demo's collector at " + nativeUri + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while sending to the demo's collector", e);
      }
      int status = response.statusCode();
      if (status == 200) {
        JsonNode answer = answer(response.body());
        accepted.addAndGet(answer.path("accepted").asLong());
        deadLettered.addAndGet(answer.path("rejected").asLong());
        return status;
      }
      if (status == 400) {
        refused.incrementAndGet();
        return status;
      }
      if (status != 503 || attempt >= 20) {
        throw new IllegalStateException("The demo's collector answered " + status + ": " + response.body());
      }
      LockSupport.parkNanos(Duration.ofMillis(250L << Math.min(attempt, 4)).toNanos());
    }
  }

  private static JsonNode answer(String body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("Unreadable answer from the demo's collector: " + body, e);
    }
  }

  /** Whether {@code payload} is one well-formed JSON object (UTF-8), as the native path takes in a batch. */
  static boolean isJsonObject(byte[] payload) {
    try (JsonParser parser = JSON_FACTORY.createParser(payload)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      int depth = 1;
      while (depth > 0) {
        JsonToken token = parser.nextToken();
        if (token == null) {
          return false;
        }
        switch (token) {
          case START_OBJECT, START_ARRAY -> depth++;
          case END_OBJECT, END_ARRAY -> depth--;
          case VALUE_STRING -> parser.getText(); // decoding checks the UTF-8
          default -> { }
        }
      }
      return parser.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }

  /** Events the collector published to the events topic. */
  long accepted() {
    return accepted.get();
  }

  /** Events the collector put on the dead-letter topic. */
  long deadLettered() {
    return deadLettered.get();
  }

  /** Payloads the collector refused with 400 (not JSON). */
  long refused() {
    return refused.get();
  }

  long requests() {
    return requests.get();
  }

  /** Sends what is queued and stops the collector. */
  @Override
  public void close() {
    flusher.shutdownNow();
    try {
      flush();
    } finally {
      collector.close();
    }
  }
}
