package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.analytics.collector.CollectorServer;
import io.github.analytics.collector.CollectorSettings;
import io.github.analytics.collector.WriteKeys;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.schemas.RawEventCoder;
import io.github.analytics.sdk.Analytics;
import io.github.analytics.sdk.AnalyticsSettings;
import io.github.analytics.sdk.ClientStats;
import io.github.analytics.sdk.Message;
import io.github.analytics.stack.KafkaBroker;
import io.github.analytics.transforms.PipelineCounters;
import io.github.analytics.transforms.ingest.DeduplicateEvents;
import io.github.analytics.transforms.ingest.EnrichEvents;
import io.github.analytics.transforms.ingest.IngestEvents;
import io.github.analytics.transforms.ingest.ParseEvents;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Drill: one request in twenty loses its response. A proxy between the SDK and the collector
 * forwards every request, so the collector publishes its batch, and then drops every twentieth
 * response (the connection closes, as behind a load balancer that timed out). The SDK sends those
 * batches again, so Kafka holds their events twice; the ingest path's deduplication keeps each event
 * once and counts the copies. The SDK's own count of what it sent is the oracle.
 */
class LostResponsesDrillTest {
  private static final String KEY = "wk_drill";
  private static final String TOPIC = "events-lost-responses";
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int EVENTS = 2_000;
  private static final int BATCH = 20;

  @Test
  void retriedBatchesAreCountedOnceAndTheirCopiesAsDuplicates() throws Exception {
    Path dir = Files.createTempDirectory("lost-responses");
    List<ConsumerRecord<String, byte[]>> records;
    Set<String> sentIds = new HashSet<>();
    AtomicInteger dropped = new AtomicInteger();
    try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"))) {
      kafka.createTopics(TOPIC, TOPIC + ".dead_letters");
      try (CollectorServer collector = CollectorServer.start(
              CollectorSettings.defaults().withPort(0).withTopics(TOPIC, TOPIC + ".dead_letters"),
              WriteKeys.of(Map.of(KEY, "drill")), kafka.bootstrapServers());
          LossyProxy proxy = new LossyProxy(collector.port(), 20, dropped)) {
        try (Analytics sdk = Analytics.start(AnalyticsSettings.of(proxy.uri(), KEY)
            .withBatchSize(BATCH)
            .withFlushInterval(Duration.ofMillis(20))
            .withRetries(10, Duration.ofMillis(20), Duration.ofMillis(500))
            .withCloseTimeout(WAIT))) {
          for (int i = 0; i < EVENTS; i++) {
            Message message = Message.track("user-" + (i % 97), "tap").withProperties(Map.of("n", i));
            assertTrue(sdk.enqueue(message), "the queue has room");
            sentIds.add(message.messageId());
          }
          assertTrue(sdk.flush(WAIT), sdk.stats().toString());
          ClientStats stats = sdk.stats();
          assertEquals(EVENTS, stats.delivered(), stats.toString());
          assertEquals(0, stats.failed() + stats.dropped() + stats.rejected(), stats.toString());
          assertTrue(stats.retries() >= dropped.get() && dropped.get() >= 3,
              dropped.get() + " responses dropped; " + stats);
        }
      }
      // Every delivered event, plus a copy of each event of a batch whose response was lost.
      records = kafka.readAll(TOPIC, EVENTS + dropped.get() * BATCH, WAIT);
    }
    int copies = records.size() - EVENTS;
    assertTrue(copies > 0 && copies <= dropped.get() * BATCH,
        copies + " copies for " + dropped.get() + " lost responses of up to " + BATCH + " events");

    List<RawEvent> raw = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      raw.add(RawEvent.of(record.value(), new Instant(record.timestamp()), TOPIC));
    }
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PCollection<Event> events = pipeline.apply(Create.of(raw).withCoder(RawEventCoder.of()))
        .apply(IngestEvents.of(ParseEvents.of(), DeduplicateEvents.of(), EnrichEvents.of()))
        .output();
    PAssert.that(events.apply(MapElements.into(TypeDescriptors.strings()).via(Event::getEventId)))
        .containsInAnyOrder(sentIds);
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(records.size(), counter(result, PipelineCounters.PARSE_INPUT));
    assertEquals(records.size(), counter(result, PipelineCounters.PARSE_VALID));
    assertEquals(copies, counter(result, PipelineCounters.DUPLICATES_DROPPED));
  }

  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> counter : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(PipelineCounters.NAMESPACE, name)).build()).getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }

  /** Forwards each request to the collector; closes every {@code every}-th without its response. */
  private static final class LossyProxy implements AutoCloseable {
    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final int target;
    private final AtomicInteger requests = new AtomicInteger();

    LossyProxy(int target, int every, AtomicInteger dropped) throws IOException {
      this.target = target;
      this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", exchange -> forward(exchange, every, dropped));
      server.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void forward(HttpExchange exchange, int every, AtomicInteger dropped) throws IOException {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + target + exchange.getRequestURI()))
          .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
      for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
        String name = header.getKey();
        if (!Set.of("host", "content-length", "connection", "expect", "upgrade")
            .contains(name.toLowerCase(java.util.Locale.ROOT))) {
          header.getValue().forEach(value -> request.header(name, value));
        }
      }
      HttpResponse<byte[]> response;
      try {
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      if (requests.incrementAndGet() % every == 0) {
        // The collector has the batch; the client never hears so.
        dropped.incrementAndGet();
        exchange.close();
        return;
      }
      response.headers().firstValue("Content-Type")
          .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
      exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(response.body());
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
