package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.stack.RedisServer;
import io.github.analytics.transforms.metrics.CountPerMinute;
import io.github.analytics.transforms.metrics.MetricCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.beam.sdk.values.Row;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Drill: Redis killed (SIGKILL) under the streaming sink and started again, with the shipped
 * persistence ({@code deploy/redis/redis.conf}: append-only file, fsync every second) and without any.
 * The sink's step is driven by hand as the runner drives it: a bundle written and acknowledged, the
 * kill, a bundle that must fail (so that the runner retries it from its last checkpoint instead of
 * dropping it), the restart, and the retried bundle.
 *
 * <p>What it shows: every value the sink writes is absolute, so a retried or later pane rebuilds its
 * key whatever Redis lost. With persistence, keys acknowledged before the last fsync survive the kill;
 * without it, the keys of windows that do not fire again (closed minutes, past sessions) are gone until
 * a replay: the query API then answers closed days from the warehouse (README, *The query API*).
 */
class RedisOutageDrillTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METRIC = "event_counts_per_minute";
  private static final String CLOSED_MINUTE = METRIC + ":2026-11-27T10:05:00Z";
  private static final String OPEN_MINUTE = METRIC + ":2026-11-27T10:06:00Z";

  @TempDir Path dir;

  @Test
  void withTheShippedPersistenceAcknowledgedKeysSurviveAndTheRetriedPaneRebuildsItsKey()
      throws Exception {
    Path config = Path.of("..", "deploy", "redis", "redis.conf");
    RedisServer server = RedisServer.start(dir, config);
    try {
      server = drill(server, true);
    } finally {
      server.close();
    }
  }

  @Test
  void withoutPersistenceOnlyWhatFiresAgainIsRebuilt() throws Exception {
    RedisServer server = RedisServer.start(dir);
    try {
      server = drill(server, false);
    } finally {
      server.close();
    }
  }

  /** The drill; returns the server running at its end. */
  private RedisServer drill(RedisServer server, boolean persistent) throws Exception {
    RedisSink.Target target =
        RedisSink.Target.of("redis://" + server.host() + ":" + server.port(), 3_600, 86_400);
    // 1. A bundle with the final pane of a minute that will not fire again, and an early pane of the
    //    next minute; acknowledged.
    writeBundle(target, count("10:05", "click", 7), count("10:06", "click", 2));
    // Other steps of the job have connections to the same server idle in the shared pool.
    List<Jedis> others = List.of(RedisWriteFn.pool(target).getResource(),
        RedisWriteFn.pool(target).getResource(), RedisWriteFn.pool(target).getResource());
    others.forEach(Jedis::ping);
    others.forEach(Jedis::close);
    if (persistent) {
      awaitInAppendOnlyFile("2026-11-27T10:05:00Z");
    }
    // 2. Redis dies.
    server.kill();
    // 3. The next pane of the open minute: its bundle must fail, saying where Redis was.
    Exception failed = assertThrows(Exception.class,
        () -> writeBundle(target, count("10:06", "click", 5)));
    String messages = messages(failed);
    assertTrue(messages.contains("Lost Redis at " + server.host() + ":" + server.port())
        && messages.contains("retries it from its last checkpoint"), messages);
    // 4. Redis is back; the runner retries the failed bundle (restored from its checkpoint), and it
    //    goes through at once: no connection of the pool still points at the dead server.
    server = server.restart();
    writeBundle(target, count("10:06", "click", 5));

    try (Jedis redis = new Jedis(server.host(), server.port())) {
      assertEquals(5, JSON.readTree(redis.hget(OPEN_MINUTE, "click|web|US")).get("event_count").asLong(),
          "the retried pane rebuilt the open minute's absolute count");
      if (persistent) {
        assertEquals(7, JSON.readTree(redis.hget(CLOSED_MINUTE, "click|web|US")).get("event_count")
            .asLong(), "the closed minute was in the append-only file before the kill");
        assertTrue(redis.ttl(CLOSED_MINUTE) > 0, "a restored key keeps its TTL");
      } else {
        assertNull(redis.hget(CLOSED_MINUTE, "click|web|US"),
            "without persistence a minute that does not fire again needs a replay");
      }
    }
    return server;
  }

  private static void writeBundle(RedisSink.Target target, Row... rows) {
    RedisWriteFn<Row> fn = ((RedisSink.Write<Row>) RedisSink.metricRows(
        MetricCatalog.named(METRIC), target)).fn();
    try {
      fn.startBundle();
      for (Row row : rows) {
        fn.processElement(row);
      }
      fn.finishBundle();
    } finally {
      fn.teardown();
    }
  }

  /** Waits until the server's append-only files on disk hold {@code text} (fsync every second). */
  private void awaitInAppendOnlyFile(String text) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!appendOnlyFilesHold(text)) {
      assertTrue(System.nanoTime() < deadline, "no append-only file under " + dir + " holds " + text);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  private boolean appendOnlyFilesHold(String text) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().contains(".aof")).toList()) {
        if (new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Row count(String minute, String type, long count) {
    DateTime start = new DateTime("2026-11-27T" + minute + ":00Z", DateTimeZone.UTC);
    return Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(start, start.plusMinutes(1), type, "web", "US", count).build();
  }

  private static String messages(Throwable failure) {
    StringBuilder messages = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append(" / ");
    }
    return messages.toString();
  }
}
