package io.github.analytics.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Druid supervisor specs of {@code deploy/druid} (Druid itself does not run here): valid JSON,
 * reading the pipeline's topics, and rolling repeated panes up with a max, never a sum, so that
 * publishing a key's absolute count again cannot change the stored value.
 */
class DruidSpecsTest {
  private static final Path DRUID = Paths.get("..", "deploy", "druid");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void eventsPerMinuteSpecReadsTheMetricsTopicAndKeepsTheMaxCountPerMinuteAndKey() throws IOException {
    JsonNode spec = read("events_per_minute-supervisor.json");
    assertEquals("kafka", spec.path("type").asText());
    JsonNode schema = spec.path("spec").path("dataSchema");
    assertEquals("events_per_minute", schema.path("dataSource").asText());
    assertEquals("${METRICS_TOPIC}", spec.path("spec").path("ioConfig").path("topic").asText());
    assertEquals("window_start_ms", schema.path("timestampSpec").path("column").asText());
    assertEquals("millis", schema.path("timestampSpec").path("format").asText());
    // Exactly the key's dimensions: pane_timing, pane_index or emitted_at would split the panes of one
    // key into rows of their own and roll nothing up.
    assertEquals(List.of("event_type", "platform", "country"), texts(schema.path("dimensionsSpec").path("dimensions")));
    JsonNode granularity = schema.path("granularitySpec");
    assertEquals("MINUTE", granularity.path("queryGranularity").asText());
    assertEquals("HOUR", granularity.path("segmentGranularity").asText());
    assertTrue(granularity.path("rollup").asBoolean(false), "rollup must be on");
    JsonNode metrics = schema.path("metricsSpec");
    assertEquals(1, metrics.size(), metrics.toString());
    assertEquals("longMax", metrics.get(0).path("type").asText());
    assertEquals("event_count", metrics.get(0).path("fieldName").asText());
    assertEquals(List.of(), sumsOver("event_count", spec), "a sum over event_count counts every pane again");
    assertFalse(spec.toString().contains("\"count\""), "a count metric counts published panes, not events");
  }

  @Test
  void anomalyAlertsSpecReadsTheAlertsTopicAndRollsCopiesOfAnAlertIntoOne() throws IOException {
    JsonNode spec = read("anomaly_alerts-supervisor.json");
    assertEquals("kafka", spec.path("type").asText());
    JsonNode schema = spec.path("spec").path("dataSchema");
    assertEquals("anomaly_alerts", schema.path("dataSource").asText());
    assertEquals("${ALERTS_TOPIC}", spec.path("spec").path("ioConfig").path("topic").asText());
    assertEquals("window_start_ms", schema.path("timestampSpec").path("column").asText());
    List<String> dimensions = texts(schema.path("dimensionsSpec").path("dimensions"));
    assertTrue(dimensions.contains("alert_id"), dimensions.toString());
    assertFalse(dimensions.contains("emitted_at"), "emitted_at differs between copies of an alert");
    assertTrue(schema.path("granularitySpec").path("rollup").asBoolean(false), "rollup must be on");
    for (JsonNode metric : schema.path("metricsSpec")) {
      assertTrue(metric.path("type").asText().endsWith("Max"), "copies of an alert must not add up: " + metric);
    }
    assertEquals(List.of("value", "mean", "stddev", "z_score"), names(schema.path("metricsSpec")));
  }

  /** apply.sh fills the placeholders and POSTs each spec to the Overlord's supervisor endpoint. */
  @Test
  void applyScriptPostsBothSpecsWithThePlaceholdersFilled() throws Exception {
    List<String> paths = Collections.synchronizedList(new ArrayList<>());
    List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    HttpServer overlord = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    overlord.createContext("/", exchange -> {
      paths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
      bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      byte[] answer = "{\"id\":\"accepted\"}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    overlord.start();
    try {
      ProcessBuilder builder = new ProcessBuilder("bash", DRUID.resolve("apply.sh").toAbsolutePath().normalize().toString())
          .redirectErrorStream(true);
      builder.environment().putAll(Map.of(
          "DRUID_URL", "http://127.0.0.1:" + overlord.getAddress().getPort(),
          "KAFKA_BROKERS", "kafka-1:9092,kafka-2:9092",
          "METRICS_TOPIC", "staging.metrics.events_per_minute"));
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), output);
      assertEquals(0, process.exitValue(), "apply.sh failed:\n" + output);
    } finally {
      overlord.stop(0);
    }
    assertEquals(List.of("POST /druid/indexer/v1/supervisor", "POST /druid/indexer/v1/supervisor"), paths);
    // The glob sorts anomaly_alerts before events_per_minute.
    JsonNode alerts = JSON.readTree(bodies.get(0));
    JsonNode metrics = JSON.readTree(bodies.get(1));
    assertEquals("alerts.anomalies", alerts.path("spec").path("ioConfig").path("topic").asText());
    assertEquals("staging.metrics.events_per_minute", metrics.path("spec").path("ioConfig").path("topic").asText());
    for (JsonNode spec : List.of(alerts, metrics)) {
      assertEquals("kafka-1:9092,kafka-2:9092",
          spec.path("spec").path("ioConfig").path("consumerProperties").path("bootstrap.servers").asText());
      assertFalse(spec.toString().contains("${"), "a placeholder is left: " + spec);
    }
  }

  private static JsonNode read(String name) throws IOException {
    Path file = DRUID.resolve(name);
    assertTrue(Files.isRegularFile(file), "No " + file.toAbsolutePath().normalize()
        + ": run the tests from the stack module of the repository (mvn -pl stack ...)");
    return JSON.readTree(file.toFile()); // throws on invalid JSON, naming the line
  }

  /** Every aggregator anywhere in {@code node} that sums {@code field}. */
  private static List<String> sumsOver(String field, JsonNode node) {
    List<String> found = new ArrayList<>();
    if (node.isObject()) {
      if (field.equals(node.path("fieldName").asText()) && node.path("type").asText().toLowerCase().contains("sum")) {
        found.add(node.toString());
      }
    }
    node.elements().forEachRemaining(child -> found.addAll(sumsOver(field, child)));
    return found;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.isObject() ? n.path("name").asText() : n.asText()));
    return out;
  }

  private static List<String> names(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.path("name").asText()));
    return out;
  }
}
