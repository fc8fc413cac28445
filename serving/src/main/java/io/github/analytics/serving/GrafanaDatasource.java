package io.github.analytics.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The query API as a Grafana JSON datasource (the protocol of the {@code simpod-json-datasource}
 * plugin, which also answers the older SimpleJson one), under {@code /grafana}: point the datasource's
 * URL at {@code http://<host>:8090/grafana}. Metrics: {@code events_per_minute}, filtered by the
 * query's payload ({@code {"event_type": "error", "platform": "ios", "country": "DE"}}, any of them);
 * annotations: the anomaly alerts. Values come through {@link Answers}, so the layers are merged as
 * in the rest of the API.
 */
final class GrafanaDatasource implements HttpHandler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String METRIC = "events_per_minute";

  private final Answers answers;
  private final LiveMetrics live;

  GrafanaDatasource(Answers answers, LiveMetrics live) {
    this.answers = answers;
    this.live = live;
  }

  /** Answers {@code GET /grafana} (the datasource's test) and the protocol's {@code POST}s. */
  @Override
  public void handleRequest(HttpServerExchange exchange) {
    QueryServer.guarded(exchange, () -> {
      String path = exchange.getRequestPath();
      if (Methods.GET.equals(exchange.getRequestMethod()) && (path.equals("/grafana") || path.equals("/grafana/"))) {
        ObjectNode body = NODES.objectNode();
        body.put("status", live.ping() ? "ok" : "redis down");
        QueryServer.respond(exchange, 200, body.toString().getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (!Methods.POST.equals(exchange.getRequestMethod())) {
        QueryServer.error(exchange, 405, "The Grafana datasource takes POST on /grafana/metrics, /grafana/search,"
            + " /grafana/query and /grafana/annotations (GET /grafana tests it)");
        return;
      }
      byte[] body = exchange.getInputStream().readAllBytes();
      JsonNode answer = switch (path) {
        case "/grafana/metrics" -> metrics(false);
        case "/grafana/search" -> metrics(true);
        case "/grafana/query" -> query(body);
        case "/grafana/annotations" -> annotations(body);
        default -> null;
      };
      if (answer == null) {
        QueryServer.error(exchange, 404, "No such path: " + path + ". Paths: /grafana/metrics, /grafana/search,"
            + " /grafana/query, /grafana/annotations");
        return;
      }
      QueryServer.respond(exchange, 200, answer.toString().getBytes(StandardCharsets.UTF_8));
    });
  }

  /** {@code POST /grafana/metrics} (and the older {@code /search}): the metrics one can pick. */
  JsonNode metrics(boolean older) {
    ArrayNode out = NODES.arrayNode();
    if (older) {
      out.add(METRIC);
    } else {
      ObjectNode metric = out.addObject();
      metric.put("label", "Events per minute (payload filters: event_type, platform, country)");
      metric.put("value", METRIC);
    }
    return out;
  }

  /** {@code POST /grafana/query}: one time series per target, a point per minute of the range. */
  JsonNode query(byte[] body) {
    JsonNode request = parse(body);
    Instant from = instant(request.path("range"), "from");
    Instant to = instant(request.path("range"), "to");
    ArrayNode out = NODES.arrayNode();
    for (JsonNode target : request.path("targets")) {
      if (target.path("hide").asBoolean(false)) {
        continue;
      }
      String metric = target.path("target").asText(METRIC);
      if (metric.isEmpty()) {
        metric = METRIC;
      }
      if (!METRIC.equals(metric)) {
        throw new IllegalArgumentException("Unknown metric '" + metric + "': this datasource serves " + METRIC);
      }
      JsonNode payload = target.path("payload");
      LiveMetrics.Dimensions dimensions = new LiveMetrics.Dimensions(
          text(payload, "event_type"), text(payload, "platform"), text(payload, "country"));
      ObjectNode answer = answers.eventsPerMinute(from, to, dimensions);
      ObjectNode series = out.addObject();
      StringBuilder name = new StringBuilder(metric);
      answer.path("filter").fields().forEachRemaining(
          f -> name.append(name.indexOf("{") < 0 ? "{" : ",").append(f.getKey()).append('=').append(f.getValue().asText()));
      if (name.indexOf("{") >= 0) {
        name.append('}');
      }
      series.put("target", name.toString());
      ArrayNode points = series.putArray("datapoints");
      for (JsonNode bucket : answer.path("buckets")) {
        if (!bucket.path("present").asBoolean()) {
          continue;
        }
        ArrayNode point = points.addArray();
        point.add(bucket.path("count").asLong());
        point.add(Instant.parse(bucket.path("start").asText()).toEpochMilli());
      }
    }
    return out;
  }

  /** {@code POST /grafana/annotations}: the anomaly alerts of the range, one annotation each. */
  JsonNode annotations(byte[] body) {
    JsonNode request = parse(body);
    long from = instant(request.path("range"), "from").toEpochMilli();
    long to = instant(request.path("range"), "to").toEpochMilli();
    ArrayNode out = NODES.arrayNode();
    for (JsonNode alert : answers.alerts(QueryServer.MAX_ALERTS).path("alerts")) {
      JsonNode row = alert.path("row");
      long start = row.path("window_start_ms").asLong(-1);
      if (start < 0 && row.hasNonNull("window_start")) {
        start = Instant.parse(row.path("window_start").asText()).toEpochMilli();
      }
      if (start < from || start >= to) {
        continue;
      }
      ObjectNode annotation = out.addObject();
      annotation.put("time", start);
      annotation.put("timeEnd", row.path("window_end_ms").asLong(start + 60_000));
      annotation.put("title", row.path("direction").asText("anomaly") + " in " + row.path("series_key").asText());
      annotation.put("text", String.format(java.util.Locale.ROOT, "%d events (usual %.1f, z %.1f)",
          row.path("value").asLong(), row.path("mean").asDouble(), row.path("z_score").asDouble()));
      ArrayNode tags = annotation.putArray("tags");
      tags.add("anomaly");
      tags.add(row.path("series_key").asText());
    }
    return out;
  }

  private static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("The request body is not JSON: " + e.getMessage());
    }
  }

  private static Instant instant(JsonNode range, String field) {
    String value = range.path(field).asText("");
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("range." + field + " must be an ISO-8601 time like"
          + " 2026-12-05T14:00:00.000Z, got '" + value + "'");
    }
  }

  private static String text(JsonNode payload, String field) {
    JsonNode value = payload.path(field);
    return value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
  }
}
