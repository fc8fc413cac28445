package io.github.analytics.serving;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The query API's answers as JSON, whatever carries them (a request, the dashboard's snapshot, a
 * push): the lambda merge of the layers happens here. Every bucket says which layer it came from.
 */
final class Answers {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Alerts a dashboard snapshot carries. */
  static final int DASHBOARD_ALERTS = 20;

  private final LiveMetrics live;
  private final WarehouseMetrics warehouse;
  private final Clock clock;

  Answers(LiveMetrics live, WarehouseMetrics warehouse, Clock clock) {
    this.live = live;
    this.warehouse = warehouse;
    this.clock = clock;
  }

  /**
   * Events per minute of {@code [from, to)} over the rows matching {@code dimensions}: a minute of a day
   * the batch layer holds completely comes from the warehouse, any other from Redis; never both.
   */
  ObjectNode eventsPerMinute(Instant from, Instant to, LiveMetrics.Dimensions dimensions) {
    List<LiveMetrics.MinuteCount> counts = live.eventsPerMinute(from, to, dimensions);
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

  ObjectNode distinctUsers(Instant from, Instant to, String eventType) {
    String type = eventType == null ? "all" : eventType;
    ObjectNode body = range("distinct_users", from, to);
    body.put("event_type", type);
    body.put("distinct_users", live.distinctUsers(type, from, to));
    body.put("layer", "streaming");
    body.put("standard_error", 0.0081);
    return body;
  }

  ObjectNode sessions(LocalDate day) {
    ObjectNode body = NODES.objectNode();
    body.put("metric", "sessions");
    body.put("day", day.toString());
    body.put("sessions", live.sessionsStartedOn(day));
    body.put("layer", "streaming");
    return body;
  }

  ObjectNode alerts(int limit) {
    ObjectNode body = NODES.objectNode();
    body.put("metric", "anomalies");
    ArrayNode alerts = body.putArray("alerts");
    for (LiveMetrics.Alert alert : live.latestAlerts(limit)) {
      ObjectNode node = alerts.addObject();
      node.put("alert_id", alert.id());
      node.put("added_at", alert.addedAt().toString());
      node.set("row", alert.row());
      node.put("layer", "streaming");
    }
    return body;
  }

  /** Every funnel's steps for the attempts that started on {@code day}, as far as the layer has seen. */
  ObjectNode funnels(LocalDate day) {
    ObjectNode body = NODES.objectNode();
    body.put("metric", "funnel_conversion");
    body.put("day", day.toString());
    ArrayNode funnels = body.putArray("funnels");
    String current = null;
    ArrayNode steps = null;
    for (LiveMetrics.FunnelStep step : live.funnelSteps(day)) {
      if (!step.funnel().equals(current)) {
        current = step.funnel();
        ObjectNode funnel = funnels.addObject();
        funnel.put("funnel", current);
        funnel.put("layer", "streaming");
        steps = funnel.putArray("steps");
      }
      ObjectNode node = steps.addObject();
      node.put("step", step.step());
      node.put("step_name", step.stepName());
      node.put("users", step.users());
      node.put("overall_conversion", step.overallConversion());
    }
    return body;
  }

  /**
   * What the dashboard page draws for {@code [from, to)}, in one answer: events and errors per minute
   * (merged as {@link #eventsPerMinute}), distinct users over the range, sessions started on its days,
   * the funnels of its last day and the latest alerts.
   */
  ObjectNode dashboard(Instant from, Instant to) {
    ObjectNode body = range("dashboard", from, to);
    body.put("computed_at", clock.instant().toString());
    body.set("events_per_minute", eventsPerMinute(from, to, LiveMetrics.Dimensions.ALL));
    body.set("errors_per_minute",
        eventsPerMinute(from, to, new LiveMetrics.Dimensions("error", null, null)));
    body.set("distinct_users", distinctUsers(from, to, null));
    LocalDate first = from.atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate last = to.minusMillis(1).atZone(ZoneOffset.UTC).toLocalDate();
    long sessions = 0;
    for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
      sessions += live.sessionsStartedOn(day);
    }
    ObjectNode sessionsNode = body.putObject("sessions");
    sessionsNode.put("first_day", first.toString());
    sessionsNode.put("last_day", last.toString());
    sessionsNode.put("sessions", sessions);
    sessionsNode.put("layer", "streaming");
    body.set("funnels", funnels(last));
    body.set("alerts", alerts(DASHBOARD_ALERTS));
    return body;
  }

  static ObjectNode range(String metric, Instant from, Instant to) {
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
}
