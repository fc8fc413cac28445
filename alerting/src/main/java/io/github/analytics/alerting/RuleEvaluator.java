package io.github.analytics.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.analytics.serving.LiveMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds the alerts the rules make active at a given time: anomaly rules read the anomaly stream the
 * streaming job writes, threshold rules the metrics' Redis hashes. Which of them fire (their {@code for}
 * has passed) is the service's business.
 */
final class RuleEvaluator {
  private final List<AlertingConfig.Rule> rules;
  private final LiveMetrics live;

  RuleEvaluator(List<AlertingConfig.Rule> rules, LiveMetrics live) {
    this.rules = rules;
    this.live = live;
  }

  /** The active alerts at {@code now}, each with the time its evidence started (or {@code now}). */
  List<Alert> evaluate(Instant now) {
    List<Alert> active = new ArrayList<>();
    for (AlertingConfig.Rule rule : rules) {
      if (rule.condition() instanceof AlertingConfig.Anomaly anomaly) {
        active.addAll(anomalies(rule, anomaly, now));
      } else if (rule.condition() instanceof AlertingConfig.Threshold threshold) {
        Instant end = floor(now.minus(threshold.delay()), threshold.window());
        Instant start = end.minus(threshold.window());
        double value = live.sumColumn(threshold.metric(), start, threshold.column(), threshold.where());
        if (threshold.holds(value)) {
          Map<String, String> labels = new TreeMap<>(rule.labels());
          labels.putAll(threshold.where());
          Map<String, String> values = new LinkedHashMap<>(labels);
          values.put("value", number(value));
          values.put("window_start", start.toString());
          active.add(Alert.of(labels, annotations(rule, values), value, now));
        }
      }
    }
    return active;
  }

  /** One alert per series key with a matching anomaly added within the rule's {@code resolve_after}. */
  private List<Alert> anomalies(AlertingConfig.Rule rule, AlertingConfig.Anomaly anomaly, Instant now) {
    Map<String, Alert> bySeries = new LinkedHashMap<>();
    for (LiveMetrics.Alert entry : live.alertsSince(now.minus(anomaly.resolveAfter()))) {
      JsonNode row = entry.row();
      if (entry.addedAt().isAfter(now) || !matches(anomaly, row)) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>(rule.labels());
      labels.put("series", row.path("series").asText());
      labels.put("series_key", row.path("series_key").asText());
      Map<String, String> values = new LinkedHashMap<>(labels);
      row.fields().forEachRemaining(f -> values.putIfAbsent(f.getKey(), f.getValue().asText()));
      Alert alert = Alert.of(labels, annotations(rule, values), row.path("value").asDouble(), entry.addedAt());
      Alert first = bySeries.get(alert.fingerprint());
      // The latest anomaly's value and text, active since the first one of the run.
      bySeries.put(alert.fingerprint(), first == null ? alert : alert.since(first.activeSince()));
    }
    return new ArrayList<>(bySeries.values());
  }

  private static boolean matches(AlertingConfig.Anomaly anomaly, JsonNode row) {
    return (anomaly.series() == null || anomaly.series().equals(row.path("series").asText()))
        && (anomaly.seriesKey() == null || anomaly.seriesKey().equals(row.path("series_key").asText()))
        && (anomaly.direction() == null || anomaly.direction().equals(row.path("direction").asText()))
        && Math.abs(row.path("z_score").asDouble()) >= anomaly.minZ();
  }

  /** The rule's annotations with every {@code {{name}}} replaced by the label or value of that name. */
  private static Map<String, String> annotations(AlertingConfig.Rule rule, Map<String, String> values) {
    Map<String, String> out = new TreeMap<>();
    rule.annotations().forEach((key, template) -> {
      String text = template;
      for (Map.Entry<String, String> value : values.entrySet()) {
        text = text.replace("{{" + value.getKey() + "}}", value.getValue());
      }
      out.put(key, text);
    });
    return out;
  }

  private static Instant floor(Instant t, Duration unit) {
    long ms = unit.toMillis();
    return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), ms) * ms);
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.3f", value);
  }
}
