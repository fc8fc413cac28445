package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.PageMessage;
import com.segment.analytics.messages.TrackMessage;
import io.github.analytics.collector.CollectorServer;
import io.github.analytics.collector.CollectorSettings;
import io.github.analytics.collector.WriteKeys;
import io.github.analytics.sdk.Analytics;
import io.github.analytics.sdk.AnalyticsSettings;
import io.github.analytics.stack.LocalStack;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The whole front door: Segment's published Java library and this project's SDK send to the
 * collector, the collector publishes to a real Kafka broker, and the streaming pipeline (Flink
 * {@code [local]}) counts every call in Redis, by event type, as the dashboards read it.
 */
class TrackingLibrariesToDashboardTest {
  private static final String KEY = "wk_libraries";
  private static final String TOPIC = "events-libraries";
  private static final Duration WAIT = Duration.ofSeconds(180);

  @Test
  void callsFromSegmentsLibraryAndTheSdkAreCountedOnTheDashboard() throws Exception {
    Path dir = Files.createTempDirectory("libraries-test");
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    try (LocalStack stack = LocalStack.start(dir.resolve("stack"))) {
      stack.kafka().createTopics(TOPIC, TOPIC + ".dead_letters");
      try (CollectorServer collector = CollectorServer.start(
          CollectorSettings.defaults().withPort(0).withTopics(TOPIC, TOPIC + ".dead_letters"),
          WriteKeys.of(Map.of(KEY, "libraries-test")), stack.kafka().bootstrapServers())) {
        String endpoint = "http://127.0.0.1:" + collector.port();

        com.segment.analytics.Analytics segment = com.segment.analytics.Analytics.builder(KEY)
            .endpoint(endpoint).build();
        for (int i = 0; i < 12; i++) {
          segment.enqueue(TrackMessage.builder("Order Completed").userId("buyer-" + (i % 4))
              .properties(Map.of("revenue", 10 + i)));
        }
        for (int i = 0; i < 3; i++) {
          segment.enqueue(IdentifyMessage.builder().userId("buyer-" + i).traits(Map.of("plan", "pro")));
        }
        segment.enqueue(PageMessage.builder("Pricing").anonymousId("visitor-1"));
        segment.flush();
        segment.shutdown();

        try (Analytics sdk = Analytics.start(AnalyticsSettings.of(URI.create(endpoint), KEY))) {
          for (int i = 0; i < 5; i++) {
            sdk.page("reader-" + i, "Docs", Map.of());
          }
          sdk.track("reader-0", "Order Completed", Map.of("revenue", 5));
          assertTrue(sdk.flush(WAIT), sdk.stats().toString());
          assertEquals(6, sdk.stats().delivered(), sdk.stats().toString());
        }

        // The job starts after the calls: it reads the topic from its beginning.
        PipelineResult job = StreamingPipeline.run(PipelineOptionsFactory.fromArgs(
                "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=1", "--objectReuse=true",
                "--attachedMode=false",
                "--bootstrapServers=" + stack.kafka().bootstrapServers(), "--inputTopic=" + TOPIC,
                "--consumerGroup=libraries-test",
                "--redisUri=redis://" + stack.redis().host() + ":" + stack.redis().port() + "/4",
                "--earlyFiringSeconds=1", "--writeArchive=false", "--deadLetterTopic=", "--rollupTopic=",
                "--alertTopic=")
            .withValidation().as(StreamingPipelineOptions.class));
        Map<String, Long> expected = Map.of("Order Completed", 13L, "identify", 3L, "page_view", 6L);
        Map<String, Long> counted = Map.of();
        try (Jedis redis = new Jedis(URI.create(
            "redis://" + stack.redis().host() + ":" + stack.redis().port() + "/4"))) {
          long deadline = System.nanoTime() + WAIT.toNanos();
          while (!counted.equals(expected) && System.nanoTime() < deadline) {
            assertTrue(!job.getState().isTerminal(), "the streaming job ended: " + job.getState());
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
            counted = byEventType(Dashboard.read(redis, today));
          }
        } finally {
          job.cancel();
        }
        assertEquals(expected, counted, "events per type on the dashboard, as the libraries sent them");
      }
    }
  }

  /** The per-minute counts summed by event type (rows are {@code window|event_type|platform|country}). */
  private static Map<String, Long> byEventType(Dashboard dashboard) {
    Map<String, Long> byType = new TreeMap<>();
    dashboard.perMinuteCounts().forEach((row, count) -> byType.merge(List.of(row.split("\\|")).get(1), count, Long::sum));
    return byType;
  }
}
