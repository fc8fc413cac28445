package io.github.analytics.bench;

import io.github.analytics.serving.LiveMetrics;
import io.github.analytics.serving.QueryServer;
import io.github.analytics.stack.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.StreamEntryID;

/**
 * The query API under dashboard load: a real redis-server holding an hour of the streaming layer's
 * keys at production shape, the API ({@link QueryServer}) in this JVM, and {@value #CLIENTS}
 * dashboard clients asking for the page's answer ({@code /api/v1/dashboard}, served from the cache).
 */
public final class ServingSection implements Section {
  public static final String NAME = "serving";
  /** Issue 15: p99 at most 50 ms for 200 concurrent dashboard clients, from the cache. */
  static final int CLIENTS = 200;
  static final double TARGET_P99_MILLIS = 50;
  private static final String[] TYPES = {"page_view", "click", "add_to_cart", "purchase", "error", "signup"};
  private static final String[] PLATFORMS = {"web", "ios", "android", "desktop"};
  private static final int COUNTRIES = 20;
  private static final int MINUTES = 60;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "Serving: the dashboard's answer for 200 clients";
  }

  @Override
  public String description() {
    return "A redis-server holding an hour of the streaming layer's keys as production writes them (" + MINUTES
        + " per-minute hashes of " + TYPES.length * PLATFORMS.length * COUNTRIES + " rows: event type x platform"
        + " x country; the hour's HyperLogLog of 100,000 users; 20,000 sessions; a funnel; 50 alerts), the query"
        + " API (`QueryServer`, Undertow, 32 worker threads, refresh 2 s) in the bench's JVM, and " + CLIENTS
        + " clients in the same JVM (the JDK's HttpClient, HTTP/1.1), so clients, API and Redis share the"
        + " machine's cores. Paced: every client asks for the page's hour (`/api/v1/dashboard`) once a second,"
        + " on schedule whether or not its last answer came (open loop; each request timed from when it was"
        + " due), for the set time after a warm-up: what 200 open pages polling 10 times faster than the page"
        + " does cost. Saturation: the same " + CLIENTS + " clients back to back. Uncached: the same hour from"
        + " the per-minute endpoint, which reads Redis on every request (the cost the cache saves).";
  }

  @Override
  public List<Measurement> run(BenchContext context) throws Exception {
    Duration length = Duration.ofSeconds(context.settings().collectorSeconds());
    List<Measurement> rows = new ArrayList<>();
    try (RedisServer redis = RedisServer.start(context.workDir().resolve("redis"))) {
      Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
      Instant start = end.minus(MINUTES, ChronoUnit.MINUTES);
      context.log(NAME, "filling Redis with an hour of the streaming layer's keys");
      fill(redis, start);
      GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
      poolConfig.setMaxTotal(32);
      poolConfig.setMaxIdle(32);
      try (JedisPool pool = new JedisPool(poolConfig, redis.host(), redis.port());
          QueryServer server = QueryServer.start(new LiveMetrics(pool), null, "127.0.0.1", 0, 32,
              QueryServer.DEFAULT_REFRESH)) {
        String range = "from=" + start + "&to=" + end;
        URI dashboard = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/dashboard?" + range);
        URI uncached = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/events_per_minute?" + range);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(8, r -> {
              Thread t = new Thread(r, "bench-http");
              t.setDaemon(true);
              return t;
            })).build();
        int bytes = http.send(HttpRequest.newBuilder(dashboard).build(), HttpResponse.BodyHandlers.ofByteArray())
            .body().length;

        Duration warmUp = Duration.ofSeconds(Math.min(10, Math.max(3, length.toSeconds() / 3)));
        context.log(NAME, "paced: %d clients, one request a second each, %d s warm-up then %d s", CLIENTS,
            warmUp.toSeconds(), length.toSeconds());
        run(http, dashboard, warmUp, true);
        Latencies paced = run(http, dashboard, length, true);
        rows.add(Measurement.of(NAME, "200 clients, 1 request/s each: p99", paced.percentile(0.99),
                Measurement.MILLISECONDS)
            .withTarget(Target.atMost(TARGET_P99_MILLIS))
            .withNote(String.format(Locale.ROOT, "p50 %.1f ms, max %.1f ms over %,d requests (%.0f/s), %d not 200;"
                + " answer %,d bytes", paced.percentile(0.5), paced.max(), paced.count(), paced.count()
                / paced.seconds, paced.failures, bytes)));

        context.log(NAME, "saturation: %d clients back to back for %d s", CLIENTS, length.toSeconds());
        Latencies saturated = run(http, dashboard, length, false);
        rows.add(Measurement.of(NAME, "200 clients back to back: requests/s", saturated.count() / saturated.seconds,
            "requests/s").withNote(String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms; %d not 200",
            saturated.percentile(0.5), saturated.percentile(0.99), saturated.failures)));

        context.log(NAME, "uncached: the hour from /api/v1/events_per_minute, one client, %d s", length.toSeconds());
        Latencies direct = runOne(http, uncached, length);
        rows.add(Measurement.of(NAME, "uncached hour of minutes (one client): p50", direct.percentile(0.5),
            Measurement.MILLISECONDS).withNote(String.format(Locale.ROOT, "p99 %.1f ms over %,d requests: %d"
            + " HVALS of %d rows parsed per request", direct.percentile(0.99), direct.count(), MINUTES,
            TYPES.length * PLATFORMS.length * COUNTRIES)));
      }
    }
    return rows;
  }

  private static void fill(RedisServer redis, Instant start) {
    SplittableRandom random = new SplittableRandom(15);
    try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
      Pipeline pipeline = jedis.pipelined();
      for (int m = 0; m < MINUTES; m++) {
        Instant minute = start.plus(m, ChronoUnit.MINUTES);
        Map<String, String> rows = new HashMap<>();
        for (String type : TYPES) {
          for (String platform : PLATFORMS) {
            for (int c = 0; c < COUNTRIES; c++) {
              String country = "C" + c;
              rows.put(type + "|" + platform + "|" + country, String.format(Locale.ROOT,
                  "{\"window_start\":\"%s\",\"window_start_ms\":%d,\"window_end\":\"%s\",\"window_end_ms\":%d,"
                      + "\"event_type\":\"%s\",\"platform\":\"%s\",\"country\":\"%s\",\"event_count\":%d}",
                  minute, minute.toEpochMilli(), minute.plusSeconds(60), minute.plusSeconds(60).toEpochMilli(),
                  type, platform, country, 1 + random.nextInt(500)));
            }
          }
        }
        pipeline.hset("event_counts_per_minute:" + minute, rows);
      }
      String hour = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHH", Locale.ROOT)
          .withZone(java.time.ZoneOffset.UTC).format(start);
      for (int u = 0; u < 100_000; u += 1_000) {
        String[] users = new String[1_000];
        for (int i = 0; i < users.length; i++) {
          users[i] = "user-" + (u + i);
        }
        pipeline.pfadd("hll:all:" + hour, users);
      }
      String day = start.atZone(java.time.ZoneOffset.UTC).toLocalDate().toString();
      Map<String, String> sessions = new HashMap<>();
      for (int s = 0; s < 20_000; s++) {
        sessions.put("user-" + s + "|" + start, "{\"event_count\":5}");
      }
      pipeline.hset("sessions:" + day, sessions);
      String[] steps = {"page_view", "add_to_cart", "checkout", "purchase"};
      for (int s = 0; s < steps.length; s++) {
        pipeline.hset("funnel_conversion:" + day + "T00:00:00Z", "checkout|" + (s + 1), String.format(Locale.ROOT,
            "{\"funnel\":\"checkout\",\"step\":%d,\"step_name\":\"%s\",\"users\":%d,\"overall_conversion\":%.3f}",
            s + 1, steps[s], 10_000 >> s, 1.0 / (1 << s)));
      }
      for (int a = 0; a < 50; a++) {
        pipeline.xadd("alerts:anomalies", StreamEntryID.NEW_ENTRY, Map.of("alert_id", "event_type|error|" + a,
            "alert", "{\"series\":\"event_type\",\"series_key\":\"error\",\"value\":400,\"mean\":20.0,"
                + "\"z_score\":9.5,\"direction\":\"spike\"}"));
      }
      pipeline.sync();
    }
  }

  /** Every client's requests for {@code length}: paced once a second each, or back to back. */
  private static Latencies run(HttpClient http, URI uri, Duration length, boolean paced) throws InterruptedException {
    long[][] perClient = new long[CLIENTS][];
    int[] counts = new int[CLIENTS];
    AtomicLong failures = new AtomicLong();
    CountDownLatch done = new CountDownLatch(CLIENTS);
    long begin = System.nanoTime() + 100_000_000L;
    long stop = begin + length.toNanos();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      perClient[c] = new long[(int) (paced ? length.toSeconds() + 2 : length.toSeconds() * 2_000 + 16)];
      Thread thread = new Thread(() -> {
        // Paced clients start spread over the first second, as pages opened at different times are.
        long due = begin + (paced ? client * 1_000_000_000L / CLIENTS : 0);
        try {
          while (due < stop && counts[client] < perClient[client].length) {
            if (paced) {
              long wait = due - System.nanoTime();
              if (wait > 0) {
                LockSupport.parkNanos(wait);
              }
            } else {
              due = System.nanoTime();
            }
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
              failures.incrementAndGet();
            }
            perClient[client][counts[client]++] = System.nanoTime() - due;
            if (paced) {
              due += 1_000_000_000L;
            }
          }
        } catch (Exception e) {
          failures.incrementAndGet();
        } finally {
          done.countDown();
        }
      }, "dashboard-client-" + c);
      thread.setDaemon(true);
      thread.start();
    }
    done.await();
    double seconds = (System.nanoTime() - begin) / 1e9;
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int at = 0;
    for (int c = 0; c < CLIENTS; c++) {
      System.arraycopy(perClient[c], 0, all, at, counts[c]);
      at += counts[c];
    }
    return new Latencies(all, seconds, failures.get());
  }

  private static Latencies runOne(HttpClient http, URI uri, Duration length) throws Exception {
    List<Long> latencies = new ArrayList<>();
    long begin = System.nanoTime();
    long failures = 0;
    while (System.nanoTime() - begin < length.toNanos()) {
      long sent = System.nanoTime();
      if (http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
        failures++;
      }
      latencies.add(System.nanoTime() - sent);
    }
    return new Latencies(latencies.stream().mapToLong(Long::longValue).toArray(),
        (System.nanoTime() - begin) / 1e9, failures);
  }

  /** Request latencies in nanoseconds. */
  private static final class Latencies {
    private final long[] sorted;
    final double seconds;
    final long failures;

    Latencies(long[] nanos, double seconds, long failures) {
      this.sorted = nanos.clone();
      Arrays.sort(this.sorted);
      this.seconds = seconds;
      this.failures = failures;
    }

    int count() {
      return sorted.length;
    }

    double percentile(double p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    double max() {
      return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6;
    }
  }
}
