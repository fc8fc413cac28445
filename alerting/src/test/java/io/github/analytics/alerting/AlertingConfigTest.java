package io.github.analytics.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class AlertingConfigTest {
  @Test
  void theShippedExampleIsValid() throws Exception {
    AlertingConfig config = AlertingConfig.load(Path.of("..", "deploy", "alerting", "rules.yaml"));
    assertEquals(Duration.ofSeconds(15), config.evaluationInterval());
    assertEquals(4, config.rules().size());
    assertEquals("ErrorSpike", config.rules().get(0).labels().get("alertname"));
    AlertingConfig.Threshold noIos = (AlertingConfig.Threshold) config.rules().get(2).condition();
    assertEquals(Map.of("platform", "ios"), noIos.where());
    assertEquals(Duration.ofMinutes(10), config.rules().get(2).forDuration());
    assertEquals(Duration.ofHours(4), config.route().repeatInterval());
    AlertingConfig.Silence silence = config.silences().get(0);
    assertTrue(silence.mutes(Map.of("alertname", "ErrorsInOneVersion", "severity", "ticket"),
        Instant.parse("2026-12-06T22:30:00Z")));
    assertTrue(!silence.mutes(Map.of("alertname", "ErrorsInOneVersion"), Instant.parse("2026-12-06T23:00:00Z")),
        "ends_at is exclusive");
    assertTrue(!silence.mutes(Map.of("alertname", "ErrorSpike"), Instant.parse("2026-12-06T22:30:00Z")));
  }

  @Test
  void durationsReadAsPrometheusWritesThem() {
    assertEquals(Duration.ofMillis(500), AlertingConfig.duration("500ms"));
    assertEquals(Duration.ofMinutes(90), AlertingConfig.duration("1h30m"));
    assertEquals(Duration.ofDays(2), AlertingConfig.duration("2d"));
    assertThrows(IllegalArgumentException.class, () -> AlertingConfig.duration("5 minutes"));
    assertThrows(IllegalArgumentException.class, () -> AlertingConfig.duration("m5"));
  }

  @Test
  void mistakesSayWhereTheyAre() {
    assertEquals("rules: receiver: is required", error("rules: [{alert: A, anomaly: {}}]"));
    assertEquals("rules.rules[0]: a rule has exactly one of anomaly: or threshold:",
        error("receiver: {url: 'http://x/h'}\nrules: [{alert: A}]"));
    assertEquals("rules.rules[0].threshold: op must be one of > >= < <= == !=, got =<",
        error("receiver: {url: 'http://x/h'}\nrules: [{alert: A, threshold: {metric: m, column: c, op: '=<', value: 1}}]"));
    assertEquals("rules.route: group_wait: '30 s' is not a duration like 500ms, 15s, 5m, 4h or 1d",
        error("receiver: {url: 'http://x/h'}\nroute: {group_wait: 30 s}\nrules: [{alert: A, anomaly: {}}]"));
    assertEquals("rules.receiver: url must be an http:// or https:// address, got ftp://x",
        error("receiver: {url: 'ftp://x'}\nrules: [{alert: A, anomaly: {}}]"));
    assertEquals("rules.rules[1]: two rules are named A",
        error("receiver: {url: 'http://x/h'}\nrules: [{alert: A, anomaly: {}}, {alert: A, anomaly: {}}]"));
  }

  private static String error(String yaml) {
    return assertThrows(IllegalArgumentException.class,
        () -> AlertingConfig.parse(new Yaml().load(yaml), "rules")).getMessage();
  }
}
