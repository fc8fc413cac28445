package io.github.analytics.runners;

import io.github.analytics.serving.LiveMetrics;
import io.github.analytics.serving.QueryServer;
import io.github.analytics.serving.WarehouseMetrics;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import redis.clients.jedis.JedisPool;

/**
 * The demo's dashboard: the query API and page ({@link QueryServer}) over the demo's Redis and
 * warehouse, up while the demo streams, and afterwards until Ctrl-C unless the demo is told not to.
 */
final class DemoDashboard implements AutoCloseable {
  private final JedisPool pool;
  private final QueryServer server;

  private DemoDashboard(JedisPool pool, QueryServer server) {
    this.pool = pool;
    this.server = server;
  }

  /** Starts it on {@code port}, or on a free port when that one is taken. */
  static DemoDashboard start(String redisHost, int redisPort, Path warehouse, int port) {
    JedisPool pool = new JedisPool(redisHost, redisPort);
    LiveMetrics live = new LiveMetrics(pool);
    WarehouseMetrics batch = new WarehouseMetrics(warehouse, WarehouseMetrics.defaultMarkers(warehouse));
    QueryServer server;
    try {
      server = QueryServer.start(live, batch, "127.0.0.1", port, 8, QueryServer.DEFAULT_REFRESH);
    } catch (RuntimeException taken) {
      System.out.printf(Locale.ROOT, "      port %d is taken (%s): the dashboard takes a free one%n", port,
          taken.getMessage());
      server = QueryServer.start(live, batch, "127.0.0.1", 0, 8, QueryServer.DEFAULT_REFRESH);
    }
    return new DemoDashboard(pool, server);
  }

  /** The page showing the whole minutes of {@code [from, to)}. */
  String url(Instant from, Instant to) {
    Instant end = to.truncatedTo(ChronoUnit.MINUTES);
    if (end.isBefore(to)) {
      end = end.plus(1, ChronoUnit.MINUTES);
    }
    return "http://127.0.0.1:" + server.port() + "/?from=" + from.truncatedTo(ChronoUnit.MINUTES) + "&to=" + end;
  }

  /** Prints where the page is and serves it until Ctrl-C. */
  void serveUntilStopped(String url) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      close();
      stopped.countDown();
    }, "stop-demo-dashboard"));
    System.out.printf(Locale.ROOT, "%nThe dashboard stays up (Kafka and Redis too) until Ctrl-C:%n  %s%n", url);
    stopped.await();
  }

  @Override
  public void close() {
    server.close();
    pool.close();
  }
}
