package io.github.analytics.serving;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The query API over HTTP/JSON (Undertow). Every answer is JSON; every bucket says which layer it
 * came from: {@code "batch"} (the warehouse, for the UTC days the batch layer has completed, when a
 * warehouse is given) or {@code "streaming"} (Redis), never both for one bucket; distinct users,
 * sessions and alerts come from the streaming layer so far. Paths, all {@code GET}:
 *
 * <ul>
 *   <li>{@code /api/v1/events_per_minute?from=ISO&to=ISO[&event_type=&platform=&country=]}: one bucket
 *       per minute of {@code [from, to)} (at most 7 days), the count of the rows matching the given
 *       dimensions, and the total;
 *   <li>{@code /api/v1/distinct_users?from=ISO&to=ISO[&event_type=]}: distinct users over the range in
 *       whole UTC hours (HyperLogLog, 0.81% standard error), of one event type or all;
 *   <li>{@code /api/v1/sessions?day=YYYY-MM-DD}: sessions started that day;
 *   <li>{@code /api/v1/alerts[?limit=N]}: the latest anomaly alerts, newest first (default 50, at most
 *       1,000);
 *   <li>{@code /healthz}: 200 when Redis answers, 503 when not.
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

  private final LiveMetrics metrics;
  private final WarehouseMetrics warehouse;
  private final GracefulShutdownHandler requests;
  private final Undertow server;

  private QueryServer(LiveMetrics metrics, WarehouseMetrics warehouse, String host, int port, int workerThreads) {
    this.metrics = metrics;
    this.warehouse = warehouse;
    this.requests = Handlers.gracefulShutdown(new BlockingHandler(this::handle));
    this.server = Undertow.builder()
        .addHttpListener(port, host)
        .setWorkerThreads(workerThreads)
        .setHandler(requests)
        .build();
  }

  /** Starts the API on {@code host:port} (0: a free port) over the streaming layer only. */
  public static QueryServer start(LiveMetrics metrics, String host, int port, int workerThreads) {
    return start(metrics, null, host, port, workerThreads);
  }

  /**
   * Starts the API on {@code host:port} (0: a free port), merging the layers: the batch layer's values
   * for the days {@code warehouse} holds completely, the streaming layer's for the rest.
   */
  public static QueryServer start(
      LiveMetrics metrics, WarehouseMetrics warehouse, String host, int port, int workerThreads) {
    QueryServer server = new QueryServer(metrics, warehouse, host, port, workerThreads);
    server.server.start();
    return server;
  }

  /** The port it listens on. */
  public int port() {
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  /** Answers the requests under way (up to 10 s), then stops. */
  @Override
  public void close() {
    requests.shutdown();
    try {
      requests.awaitShutdown(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.stop();
  }

  private void handle(HttpServerExchange exchange) {
    exchange.getResponseHeaders().put(new HttpString("Access-Control-Allow-Origin"), "*");
    if (!Methods.GET.equals(exchange.getRequestMethod())) {
      error(exchange, 405, "Only GET is served here");
      return;
    }
    String path = exchange.getRelativePath();
    try {
      switch (path) {
        case "/api/v1/events_per_minute" -> respond(exchange, 200, eventsPerMinute(exchange));
        case "/api/v1/distinct_users" -> respond(exchange, 200, distinctUsers(exchange));
        case "/api/v1/sessions" -> respond(exchange, 200, sessions(exchange));
        case "/api/v1/alerts" -> respond(exchange, 200, alerts(exchange));
        case "/healthz" -> {
          ObjectNode body = NODES.objectNode();
          body.put("redis", metrics.ping() ? "up" : "down");
          respond(exchange, 200, body);
        }
        default -> error(exchange, 404, "No such path: " + path + ". Paths: /api/v1/events_per_minute,"
            + " /api/v1/distinct_users, /api/v1/sessions, /api/v1/alerts, /healthz");
      }
    } catch (IllegalArgumentException e) {
      error(exchange, 400, e.getMessage());
    } catch (JedisConnectionException e) {
      exchange.getResponseHeaders().put(new HttpString("Retry-After"), "5");
      error(exchange, 503, "Redis does not answer (" + e.getMessage() + "); is it running?");
    } catch (RuntimeException e) {
      LOG.error("Failed to answer {}", exchange.getRequestURI(), e);
      error(exchange, 500, e.toString());
    }
  }

  private ObjectNode eventsPerMinute(HttpServerExchange exchange) {
    Instant from = instant(exchange, "from");
    Instant to = instant(exchange, "to");
    LiveMetrics.Dimensions dimensions = new LiveMetrics.Dimensions(
        optional(exchange, "event_type"), optional(exchange, "platform"), optional(exchange, "country"));
    List<LiveMetrics.MinuteCount> counts = metrics.eventsPerMinute(from, to, dimensions);
    // The lambda merge: a minute of a day the batch layer holds completely comes from the warehouse,
    // any other from Redis; never both for one minute.
    Set<LocalDate> batchDays = Set.of();
    Map<Long, Long> batch = Map.of();
    String note = null;
    if (warehouse != null) {
      try {
        batchDays = warehouse.completeDays(from, to);
        if (!batchDays.isEmpty()) {
          batch = warehouse.eventsPerMinute(from, to, dimensions);
        }
      } catch (WarehouseMetrics.WarehouseBusyException e) {
        batchDays = Set.of();
        note = e.getMessage() + "; every bucket comes from the streaming layer until it is done";
      }
    }
    ObjectNode body = range("events_per_minute", from, to);
    ObjectNode filter = body.putObject("filter");
    putIfSet(filter, "event_type", dimensions.eventType());
    putIfSet(filter, "platform", dimensions.platform());
    putIfSet(filter, "country", dimensions.country());
    ArrayNode buckets = body.putArray("buckets");
    long total = 0;
    for (LiveMetrics.MinuteCount count : counts) {
      ObjectNode bucket = buckets.addObject();
      bucket.put("start", count.start().toString());
      long value;
      if (batchDays.contains(count.start().atZone(ZoneOffset.UTC).toLocalDate())) {
        value = batch.getOrDefault(count.start().toEpochMilli(), 0L);
        bucket.put("count", value);
        bucket.put("layer", "batch");
        bucket.put("present", true);
      } else {
        value = count.count();
        bucket.put("count", value);
        bucket.put("layer", "streaming");
        bucket.put("present", count.present());
      }
      total += value;
    }
    body.put("total", total);
    if (note != null) {
      body.put("note", note);
    }
    return body;
  }

  private ObjectNode distinctUsers(HttpServerExchange exchange) {
    Instant from = instant(exchange, "from");
    Instant to = instant(exchange, "to");
    String eventType = optional(exchange, "event_type");
    String type = eventType == null ? "all" : eventType;
    ObjectNode body = range("distinct_users", from, to);
    body.put("event_type", type);
    body.put("distinct_users", metrics.distinctUsers(type, from, to));
    body.put("layer", "streaming");
    body.put("standard_error", 0.0081);
    return body;
  }

  private ObjectNode sessions(HttpServerExchange exchange) {
    String value = required(exchange, "day");
    LocalDate day;
    try {
      day = LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("day must be a date like 2026-12-05, got '" + value + "'");
    }
    ObjectNode body = NODES.objectNode();
    body.put("metric", "sessions");
    body.put("day", day.toString());
    body.put("sessions", metrics.sessionsStartedOn(day));
    body.put("layer", "streaming");
    return body;
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
    ObjectNode body = NODES.objectNode();
    body.put("metric", "anomalies");
    ArrayNode alerts = body.putArray("alerts");
    for (LiveMetrics.Alert alert : metrics.latestAlerts(limit)) {
      ObjectNode node = alerts.addObject();
      node.put("alert_id", alert.id());
      node.put("added_at", alert.addedAt().toString());
      node.set("row", alert.row());
      node.put("layer", "streaming");
    }
    return body;
  }

  private static ObjectNode range(String metric, Instant from, Instant to) {
    ObjectNode body = NODES.objectNode();
    body.put("metric", metric);
    body.put("from", from.toString());
    body.put("to", to.toString());
    return body;
  }

  private static void putIfSet(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  private static Instant instant(HttpServerExchange exchange, String name) {
    String value = required(exchange, name);
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
    Deque<String> values = exchange.getQueryParameters().get(name);
    if (values == null || values.isEmpty() || values.getFirst().isEmpty()) {
      return null;
    }
    return values.getFirst();
  }

  private static void error(HttpServerExchange exchange, int status, String message) {
    ObjectNode body = NODES.objectNode();
    body.put("error", message);
    respond(exchange, status, body);
  }

  private static void respond(HttpServerExchange exchange, int status, ObjectNode body) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.getResponseSender().send(ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
