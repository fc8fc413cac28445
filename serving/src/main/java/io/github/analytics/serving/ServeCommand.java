package io.github.analytics.serving;

import java.net.URI;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;

/** {@code analytics serve}: the query API over the streaming layer's Redis, until Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the live dashboard page (GET /) and the metrics the streaming job writes to Redis as"
          + " HTTP/JSON:"
          + " GET /api/v1/events_per_minute?from=ISO&to=ISO[&event_type=&platform=&country=],"
          + " /api/v1/distinct_users?from=ISO&to=ISO[&event_type=], /api/v1/sessions?day=YYYY-MM-DD,"
          + " /api/v1/funnels?day=YYYY-MM-DD, /api/v1/alerts[?limit=N], /api/v1/dashboard (all the page"
          + " draws) and /api/v1/dashboard/stream (the same pushed as Server-Sent Events), /healthz."
          + " Every bucket says which layer it came from."
    })
public final class ServeCommand implements Callable<Integer> {
  @Option(names = "--redis-uri", defaultValue = "redis://127.0.0.1:6379/0",
      description = "The Redis the streaming job writes, redis://host:port[/db] (default: ${DEFAULT-VALUE}).")
  String redisUri;

  @Option(names = "--duckdb-path",
      description = "The DuckDB warehouse the batch layer writes: minutes of the days it holds completely (a"
          + " backfill's completion marker) come from it, the rest from Redis. Without it, Redis only.")
  java.nio.file.Path duckDbPath;

  @Option(names = "--marker-dir",
      description = "The completion markers of the warehouse's days (default: <duckdb-path>.markers, where"
          + " ./analytics backfill writes them).")
  java.nio.file.Path markerDir;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8090", description = "Port (0: a free one; default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--worker-threads", defaultValue = "32",
      description = "Threads answering requests, each holding a Redis connection while it reads (default:"
          + " ${DEFAULT-VALUE}).")
  int workerThreads;

  @Option(names = "--refresh", defaultValue = "PT2S",
      description = "How often the dashboard's answer is recomputed (once for every client) and pushed to the"
          + " open pages, ISO-8601 (default: ${DEFAULT-VALUE}).")
  java.time.Duration refresh;

  @Override
  public Integer call() throws Exception {
    URI uri = URI.create(redisUri);
    if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("--redis-uri must look like redis://host:port[/db], got '" + redisUri + "'");
    }
    GenericObjectPoolConfig<Jedis> config = new GenericObjectPoolConfig<>();
    config.setMaxTotal(workerThreads);
    config.setMaxIdle(workerThreads);
    try (JedisPool pool = new JedisPool(config, uri)) {
      WarehouseMetrics warehouse = duckDbPath == null ? null : new WarehouseMetrics(duckDbPath,
          markerDir != null ? markerDir : WarehouseMetrics.defaultMarkers(duckDbPath));
      QueryServer server = QueryServer.start(new LiveMetrics(pool), warehouse, host, port, workerThreads,
          refresh);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        stopped.countDown();
      }, "stop-query-api"));
      System.out.printf(Locale.ROOT,
          "Dashboard and query API on http://%s:%d/ over Redis %s:%d%s%n"
              + "Try:  curl 'http://%s:%d/api/v1/events_per_minute?from=2026-12-05T14:00:00Z&to=2026-12-05T15:00:00Z'%n"
              + "Ctrl-C stops it.%n",
          host, server.port(), uri.getHost(), uri.getPort(),
          warehouse == null ? "" : " and the warehouse " + warehouse.database() + " (its complete days)",
          host, server.port());
      stopped.await();
    }
    return 0;
  }
}
