package io.github.analytics.serving;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The query API over HTTP/JSON and the dashboard page (Undertow). Every answer is JSON; every bucket
 * says which layer it came from: {@code "batch"} (the warehouse, for the UTC days the batch layer has
 * completed, when a warehouse is given) or {@code "streaming"} (Redis), never both for one bucket;
 * distinct users, sessions, funnels and alerts come from the streaming layer so far. Paths, all {@code
 * GET}:
 *
 * <ul>
 *   <li>{@code /}: the dashboard page ({@code ?from=ISO&to=ISO}, or the last {@code ?minutes=N}, 60 by
 *       default), which draws {@code /api/v1/dashboard} as it is pushed;
 *   <li>{@code /api/v1/events_per_minute?from=ISO&to=ISO[&event_type=&platform=&country=]}: one bucket
 *       per minute of {@code [from, to)} (at most 7 days), the count of the rows matching the given
 *       dimensions, and the total;
 *   <li>{@code /api/v1/distinct_users?from=ISO&to=ISO[&event_type=]}: distinct users over the range in
 *       whole UTC hours (HyperLogLog, 0.81% standard error), of one event type or all;
 *   <li>{@code /api/v1/sessions?day=YYYY-MM-DD}: sessions started that day;
 *   <li>{@code /api/v1/funnels?day=YYYY-MM-DD}: every funnel's steps for the attempts started that day;
 *   <li>{@code /api/v1/alerts[?limit=N]}: the latest anomaly alerts, newest first (default 50, at most
 *       1,000);
 *   <li>{@code /api/v1/dashboard[?from=&to=|?minutes=N]}: all the page draws in one answer, computed
 *       about once per refresh period whatever the number of clients ({@link SnapshotCache}), never
 *       while a client waits but for the first of a range;
 *   <li>{@code /api/v1/dashboard/stream[?from=&to=|?minutes=N]}: the same answer pushed as Server-Sent
 *       Events every refresh period;
 *   <li>{@code /healthz}: 200 when Redis answers, 503 when not;
 *   <li>{@code /grafana/...}: a Grafana JSON datasource ({@link GrafanaDatasource}).
 * </ul>
 *
 * <p>A bad parameter gets 400 with a message saying what is expected; Redis not answering gets 503
 * with {@code Retry-After}.
 */
public final class QueryServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final int DEFAULT_ALERTS = 50;
  static final int MAX_ALERTS = 1_000;
  /** How often the dashboard's answer is recomputed and pushed, unless told otherwise. */
  public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(2);
  static final int DEFAULT_DASHBOARD_MINUTES = 60;
  private static final String PATHS = "/, /api/v1/events_per_minute, /api/v1/distinct_users,"
      + " /api/v1/sessions, /api/v1/funnels, /api/v1/alerts, /api/v1/dashboard, /api/v1/dashboard/stream,"
      + " /healthz";

  private final LiveMetrics metrics;
  private final Answers answers;
  private final GrafanaDatasource grafana;
  private final SnapshotCache<DashboardRange> cache;
  private final java.util.concurrent.ExecutorService refreshes;
  private final Clock clock;
  private final ServerSentEventHandler pushes;
  private final ScheduledExecutorService pusher;
  private final GracefulShutdownHandler requests;
  private final Undertow server;

  private QueryServer(LiveMetrics metrics, WarehouseMetrics warehouse, String host, int port,
      int workerThreads, Duration refresh) {
    this.metrics = metrics;
    this.clock = Clock.systemUTC();
    this.answers = new Answers(metrics, warehouse, clock);
    this.grafana = new GrafanaDatasource(answers, metrics);
    this.refreshes = Executors.newFixedThreadPool(2, r -> {
      Thread thread = new Thread(r, "dashboard-refresh");
      thread.setDaemon(true);
      return thread;
    });
    this.cache = new SnapshotCache<>(metrics.pool(), refresh, DashboardRange::cacheKey,
        range -> answers.dashboard(range.from(), range.to()).toString(), refreshes);
    this.pusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "dashboard-pushes");
      thread.setDaemon(true);
      return thread;
    });
    this.pushes = Handlers.serverSentEvents((connection, lastEventId) -> pusher.execute(() -> push(connection)));
    HttpHandler page = Handlers.resource(new ClassPathResourceManager(
            QueryServer.class.getClassLoader(), "io/github/analytics/serving/dashboard/"))
        .addWelcomeFiles("index.html")
        .setDirectoryListingEnabled(false);
    HttpHandler api = new BlockingHandler(this::handle);
    this.requests = Handlers.gracefulShutdown(Handlers.path(page)
        .addPrefixPath("/api", api)
        .addPrefixPath("/grafana", new BlockingHandler(grafana))
        .addExactPath("/healthz", api)
        .addExactPath("/api/v1/dashboard/stream", pushes));
    this.server = Undertow.builder()
        .addHttpListener(port, host)
        .setWorkerThreads(workerThreads)
        .setHandler(requests)
        .build();
  }

  /** Starts the API on {@code host:port} (0: a free port) over the streaming layer only. */
  public static QueryServer start(LiveMetrics metrics, String host, int port, int workerThreads) {
    return start(metrics, null, host, port, workerThreads, DEFAULT_REFRESH);
  }

  /**
   * Starts the API on {@code host:port} (0: a free port), merging the layers: the batch layer's values
   * for the days {@code warehouse} (may be null) holds completely, the streaming layer's for the rest.
   * The dashboard's answer is recomputed and pushed every {@code refresh}.
   */
  public static QueryServer start(LiveMetrics metrics, WarehouseMetrics warehouse, String host, int port,
      int workerThreads, Duration refresh) {
    if (refresh.toMillis() < 100) {
      throw new IllegalArgumentException("The refresh period must be at least 100 ms, got " + refresh);
    }
    QueryServer server = new QueryServer(metrics, warehouse, host, port, workerThreads, refresh);
    server.server.start();
    long period = refresh.toMillis();
    server.pusher.scheduleAtFixedRate(server::pushAll, period, period, TimeUnit.MILLISECONDS);
    return server;
  }

  /** The port it listens on. */
  public int port() {
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  /** Ends the pushes, answers the requests under way (up to 10 s), then stops. */
  @Override
  public void close() {
    pusher.shutdownNow();
    refreshes.shutdownNow();
    for (ServerSentEventConnection connection : pushes.getConnections()) {
      connection.shutdown();
    }
    requests.shutdown();
    try {
      requests.awaitShutdown(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.stop();
  }

  private void handle(HttpServerExchange exchange) {
    guarded(exchange, () -> {
      if (!Methods.GET.equals(exchange.getRequestMethod())) {
        error(exchange, 405, "Only GET is served here");
        return;
      }
      String path = exchange.getRequestPath();
      switch (path) {
        case "/api/v1/events_per_minute" -> respond(exchange, 200, eventsPerMinute(exchange));
        case "/api/v1/distinct_users" -> respond(exchange, 200, distinctUsers(exchange));
        case "/api/v1/sessions" -> respond(exchange, 200, answers.sessions(day(exchange)));
        case "/api/v1/funnels" -> respond(exchange, 200, answers.funnels(day(exchange)));
        case "/api/v1/alerts" -> respond(exchange, 200, alerts(exchange));
        case "/api/v1/dashboard" -> respond(exchange, 200,
            dashboard(DashboardRange.of(exchange.getQueryParameters(), clock)));
        case "/healthz" -> {
          ObjectNode body = NODES.objectNode();
          body.put("redis", metrics.ping() ? "up" : "down");
          respond(exchange, 200, body);
        }
        default -> error(exchange, 404, "No such path: " + path + ". Paths: " + PATHS);
      }
    });
  }

  /** Answers one request; may fail with what {@link #guarded} turns into a status. */
  interface Answering {
    void answer() throws IOException;
  }

  /**
   * Runs {@code answering} for {@code exchange} (with the CORS header every answer carries), turning a
   * failure into its status: a bad parameter 400 with its message, Redis not answering 503 with
   * {@code Retry-After}, anything else 500 (logged).
   */
  static void guarded(HttpServerExchange exchange, Answering answering) {
    exchange.getResponseHeaders().put(new HttpString("Access-Control-Allow-Origin"), "*");
    try {
      answering.answer();
    } catch (IllegalArgumentException e) {
      error(exchange, 400, e.getMessage());
    } catch (JedisConnectionException e) {
      exchange.getResponseHeaders().put(new HttpString("Retry-After"), "5");
      error(exchange, 503, unavailable(e));
    } catch (IOException | RuntimeException e) {
      LOG.error("Failed to answer {}", exchange.getRequestURI(), e);
      error(exchange, 500, e.toString());
    }
  }

  /** The range a dashboard shows: {@code from} and {@code to}, or the last {@code minutes} until now. */
  record DashboardRange(Instant from, Instant to) {
    static DashboardRange of(Map<String, Deque<String>> query, Clock clock) {
      String from = first(query, "from");
      String to = first(query, "to");
      String minutes = first(query, "minutes");
      if (from != null || to != null) {
        if (from == null || to == null || minutes != null) {
          throw new IllegalArgumentException("Give both from and to (ISO-8601 UTC), or minutes, or neither");
        }
        return new DashboardRange(parse("from", from), parse("to", to));
      }
      int last = DEFAULT_DASHBOARD_MINUTES;
      if (minutes != null) {
        try {
          last = Integer.parseInt(minutes);
        } catch (NumberFormatException e) {
          last = -1;
        }
        if (last < 1 || last > 24 * 60) {
          throw new IllegalArgumentException("minutes must be a whole number from 1 to 1440, got '" + minutes + "'");
        }
      }
      Instant end = clock.instant().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
      return new DashboardRange(end.minus(last, ChronoUnit.MINUTES), end);
    }

    String cacheKey() {
      return "dashboard:v1:" + from + "/" + to;
    }
  }

  private byte[] dashboard(DashboardRange range) {
    return cache.get(range);
  }

  /** Sends every open stream its range's answer, computed afresh (once per range). */
  private void pushAll() {
    try {
      Map<DashboardRange, byte[]> answered = new HashMap<>();
      for (ServerSentEventConnection connection : pushes.getConnections()) {
        push(connection, answered, cache::refresh);
      }
    } catch (RuntimeException e) {
      LOG.warn("Pushing the dashboard failed", e);
    }
  }

  /** Sends a new stream the latest answer for its range. */
  private void push(ServerSentEventConnection connection) {
    push(connection, new HashMap<>(), this::dashboard);
  }

  private void push(ServerSentEventConnection connection, Map<DashboardRange, byte[]> answered,
      java.util.function.Function<DashboardRange, byte[]> answer) {
    if (!connection.isOpen()) {
      return;
    }
    DashboardRange range;
    try {
      range = DashboardRange.of(connection.getQueryParameters(), clock);
    } catch (IllegalArgumentException e) {
      connection.send(errorJson(e.getMessage()), "problem", null, null);
      connection.shutdown();
      return;
    }
    try {
      byte[] json = answered.computeIfAbsent(range, answer);
      connection.send(new String(json, StandardCharsets.UTF_8));
    } catch (JedisConnectionException e) {
      connection.send(errorJson(unavailable(e)), "problem", null, null);
    }
  }

  static String unavailable(JedisConnectionException e) {
    return "Redis does not answer (" + e.getMessage() + "); is it running?";
  }

  private static String errorJson(String message) {
    ObjectNode body = NODES.objectNode();
    body.put("error", message);
    return body.toString();
  }

  private ObjectNode eventsPerMinute(HttpServerExchange exchange) {
    return answers.eventsPerMinute(instant(exchange, "from"), instant(exchange, "to"),
        new LiveMetrics.Dimensions(
            optional(exchange, "event_type"), optional(exchange, "platform"), optional(exchange, "country")));
  }

  private ObjectNode distinctUsers(HttpServerExchange exchange) {
    return answers.distinctUsers(instant(exchange, "from"), instant(exchange, "to"), optional(exchange, "event_type"));
  }

  private ObjectNode alerts(HttpServerExchange exchange) {
    String value = optional(exchange, "limit");
    int limit = DEFAULT_ALERTS;
    if (value != null) {
      try {
        limit = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_ALERTS) {
        throw new IllegalArgumentException("limit must be a whole number from 1 to " + MAX_ALERTS + ", got '"
            + value + "'");
      }
    }
    return answers.alerts(limit);
  }

  private static LocalDate day(HttpServerExchange exchange) {
    String value = required(exchange, "day");
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("day must be a date like 2026-12-05, got '" + value + "'");
    }
  }

  private static Instant instant(HttpServerExchange exchange, String name) {
    return parse(name, required(exchange, name));
  }

  private static Instant parse(String name, String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          name + " must be an ISO-8601 UTC time like 2026-12-05T14:00:00Z, got '" + value + "'");
    }
  }

  private static String required(HttpServerExchange exchange, String name) {
    String value = optional(exchange, name);
    if (value == null) {
      throw new IllegalArgumentException("The query parameter '" + name + "' is missing");
    }
    return value;
  }

  private static String optional(HttpServerExchange exchange, String name) {
    return first(exchange.getQueryParameters(), name);
  }

  private static String first(Map<String, Deque<String>> query, String name) {
    Deque<String> values = query.get(name);
    if (values == null || values.isEmpty() || values.getFirst().isEmpty()) {
      return null;
    }
    return values.getFirst();
  }

  static void error(HttpServerExchange exchange, int status, String message) {
    ObjectNode body = NODES.objectNode();
    body.put("error", message);
    respond(exchange, status, body);
  }

  private static void respond(HttpServerExchange exchange, int status, ObjectNode body) {
    respond(exchange, status, body.toString().getBytes(StandardCharsets.UTF_8));
  }

  static void respond(HttpServerExchange exchange, int status, byte[] json) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.getResponseSender().send(ByteBuffer.wrap(json));
  }
}
