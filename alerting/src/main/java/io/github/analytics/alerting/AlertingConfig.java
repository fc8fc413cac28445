package io.github.analytics.alerting;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The alerting rules file (YAML; {@code deploy/alerting/rules.yaml} is an example): how often to
 * evaluate, the webhook receiver, how notifications are grouped and repeated (Alertmanager's route
 * settings), the rules and the silences. Durations are written as Prometheus writes them: {@code 500ms},
 * {@code 15s}, {@code 5m}, {@code 4h}, {@code 1d}. Every mistake is reported with where it is.
 */
public record AlertingConfig(
    Duration evaluationInterval, Receiver receiver, Route route, List<Rule> rules, List<Silence> silences) {

  /** Where notifications go: an Alertmanager-compatible webhook. */
  public record Receiver(String name, URI url, Duration timeout, Duration initialBackoff, Duration maxBackoff) {}

  /** How alerts are grouped into notifications and how often a group is notified again. */
  public record Route(List<String> groupBy, Duration groupWait, Duration groupInterval, Duration repeatInterval) {}

  /** What makes a rule's alerts active. */
  public sealed interface Condition permits Anomaly, Threshold {}

  /**
   * Active while the anomaly stream ({@code alerts:anomalies}) holds an anomaly matching the filters
   * (null: any) added less than {@code resolveAfter} ago; one alert per series key.
   */
  public record Anomaly(String series, String seriesKey, double minZ, String direction, Duration resolveAfter)
      implements Condition {}

  /**
   * Active while {@code column} summed over the rows of {@code metric} matching {@code where}, in the
   * latest {@code window} that ended {@code delay} ago, compares to {@code value} by {@code op}. A
   * window Redis holds nothing for sums to 0.
   */
  public record Threshold(String metric, String column, Duration window, Map<String, String> where, String op,
      double value, Duration delay) implements Condition {
    boolean holds(double observed) {
      return switch (op) {
        case ">" -> observed > value;
        case ">=" -> observed >= value;
        case "<" -> observed < value;
        case "<=" -> observed <= value;
        case "==" -> observed == value;
        case "!=" -> observed != value;
        default -> throw new IllegalStateException(op);
      };
    }
  }

  /** A rule: its name (the {@code alertname} label), condition, {@code for} duration, labels, annotations. */
  public record Rule(String name, Condition condition, Duration forDuration, Map<String, String> labels,
      Map<String, String> annotations) {}

  /** Mutes the alerts whose labels equal every matcher, from {@code startsAt} until {@code endsAt}. */
  public record Silence(String id, Map<String, String> matchers, Instant startsAt, Instant endsAt, String comment) {
    boolean mutes(Map<String, String> labels, Instant now) {
      if (now.isBefore(startsAt) || !now.isBefore(endsAt)) {
        return false;
      }
      for (Map.Entry<String, String> matcher : matchers.entrySet()) {
        if (!matcher.getValue().equals(labels.get(matcher.getKey()))) {
          return false;
        }
      }
      return true;
    }
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern WHOLE_DURATION = Pattern.compile("(\\d+(ms|s|m|h|d))+");
  private static final Set<String> OPS = Set.of(">", ">=", "<", "<=", "==", "!=");
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Reads and checks a rules file. */
  public static AlertingConfig load(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
      return parse(root, file.toString());
    } catch (YAMLException e) {
      throw new IllegalArgumentException(file + " is not valid YAML: " + e.getMessage(), e);
    }
  }

  /** Checks a rules file already read into maps and lists, as SnakeYAML reads it. */
  static AlertingConfig parse(Object root, String source) {
    Node top = new Node(source, root);
    Duration interval = top.duration("evaluation_interval", Duration.ofSeconds(15));
    Node r = top.required("receiver");
    String url = r.string("url", null);
    if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
      throw r.error("url must be an http:// or https:// address, got " + url);
    }
    Receiver receiver = new Receiver(r.string("name", "webhook"), URI.create(url),
        r.duration("timeout", Duration.ofSeconds(10)), r.duration("initial_backoff", Duration.ofSeconds(1)),
        r.duration("max_backoff", Duration.ofMinutes(5)));
    Node g = top.optional("route");
    Route route = new Route(g.strings("group_by", List.of("alertname")),
        g.duration("group_wait", Duration.ofSeconds(30)), g.duration("group_interval", Duration.ofMinutes(5)),
        g.duration("repeat_interval", Duration.ofHours(4)));
    List<Rule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Node n : top.list("rules")) {
      String name = n.string("alert", null);
      if (name == null || !NAME.matcher(name).matches()) {
        throw n.error("alert must be a name of letters, digits and _, got " + name);
      }
      if (!names.add(name)) {
        throw n.error("two rules are named " + name);
      }
      Condition condition;
      if (n.has("anomaly") == n.has("threshold")) {
        throw n.error("a rule has exactly one of anomaly: or threshold:");
      } else if (n.has("anomaly")) {
        Node a = n.required("anomaly");
        String direction = a.string("direction", null);
        if (direction != null && !Set.of("spike", "drop").contains(direction)) {
          throw a.error("direction must be spike or drop, got " + direction);
        }
        condition = new Anomaly(a.string("series", null), a.string("series_key", null), a.number("min_z", 0),
            direction, a.duration("resolve_after", Duration.ofMinutes(5)));
      } else {
        Node t = n.required("threshold");
        String op = t.string("op", null);
        if (!OPS.contains(op)) {
          throw t.error("op must be one of > >= < <= == !=, got " + op);
        }
        Duration window = t.duration("window", Duration.ofMinutes(1));
        if (!Set.of(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(1)).contains(window)) {
          throw t.error("window must be 1m, 1h or 1d (the metric's window), got " + window);
        }
        String metric = t.string("metric", null);
        String column = t.string("column", null);
        if (metric == null || column == null) {
          throw t.error("metric and column are required (e.g. metric: event_counts_per_minute, column: event_count)");
        }
        if (!t.has("value")) {
          throw t.error("value is required");
        }
        condition = new Threshold(metric, column, window, t.map("where"), op, t.number("value", 0),
            t.duration("delay", Duration.ofMinutes(1)));
      }
      Map<String, String> labels = new TreeMap<>(n.map("labels"));
      labels.put("alertname", name);
      rules.add(new Rule(name, condition, n.duration("for", Duration.ZERO), labels, n.map("annotations")));
    }
    if (rules.isEmpty()) {
      throw top.error("rules: is empty; an alerting service with no rule would never notify");
    }
    List<Silence> silences = new ArrayList<>();
    int index = 0;
    for (Node s : top.list("silences")) {
      Map<String, String> matchers = s.map("matchers");
      if (matchers.isEmpty()) {
        throw s.error("a silence needs matchers (labels the silenced alerts carry)");
      }
      Instant starts = s.instant("starts_at");
      Instant ends = s.instant("ends_at");
      if (!starts.isBefore(ends)) {
        throw s.error("starts_at must be before ends_at");
      }
      silences.add(new Silence(s.string("id", "silence-" + index), matchers, starts, ends, s.string("comment", "")));
      index++;
    }
    return new AlertingConfig(interval, receiver, route, List.copyOf(rules), List.copyOf(silences));
  }

  /** Parses {@code 15s}, {@code 5m}, {@code 1h30m}... */
  static Duration duration(String text) {
    String trimmed = text.trim();
    if (!WHOLE_DURATION.matcher(trimmed).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration like 500ms, 15s, 5m, 4h or 1d");
    }
    Duration total = Duration.ZERO;
    Matcher part = DURATION.matcher(trimmed);
    while (part.find()) {
      long n = Long.parseLong(part.group(1));
      total = total.plus(switch (part.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      });
    }
    return total;
  }

  /** A place in the file, for reading it with messages that say where a mistake is. */
  private record Node(String where, Object value) {
    @SuppressWarnings("unchecked")
    private Map<String, Object> fields() {
      if (value == null) {
        return Map.of();
      }
      if (!(value instanceof Map)) {
        throw error("expected a mapping of key: value");
      }
      return (Map<String, Object>) value;
    }

    boolean has(String key) {
      return fields().get(key) != null;
    }

    Node required(String key) {
      if (!has(key)) {
        throw error(key + ": is required");
      }
      return new Node(where + "." + key, fields().get(key));
    }

    Node optional(String key) {
      return new Node(where + "." + key, fields().get(key));
    }

    List<Node> list(String key) {
      Object v = fields().get(key);
      if (v == null) {
        return List.of();
      }
      if (!(v instanceof List<?> items)) {
        throw error(key + ": must be a list");
      }
      List<Node> nodes = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        nodes.add(new Node(where + "." + key + "[" + i + "]", items.get(i)));
      }
      return nodes;
    }

    String string(String key, String fallback) {
      Object v = fields().get(key);
      return v == null ? fallback : v.toString();
    }

    List<String> strings(String key, List<String> fallback) {
      Object v = fields().get(key);
      if (v == null) {
        return fallback;
      }
      if (!(v instanceof List<?> items)) {
        throw error(key + ": must be a list like [alertname, severity]");
      }
      return items.stream().map(String::valueOf).toList();
    }

    Map<String, String> map(String key) {
      Object v = fields().get(key);
      if (v == null) {
        return Map.of();
      }
      if (!(v instanceof Map<?, ?> entries)) {
        throw error(key + ": must be a mapping of name: value");
      }
      Map<String, String> out = new LinkedHashMap<>();
      entries.forEach((k, x) -> out.put(String.valueOf(k), String.valueOf(x)));
      return out;
    }

    double number(String key, double fallback) {
      Object v = fields().get(key);
      if (v == null) {
        return fallback;
      }
      if (!(v instanceof Number n)) {
        throw error(key + ": must be a number, got " + v);
      }
      return n.doubleValue();
    }

    Duration duration(String key, Duration fallback) {
      Object v = fields().get(key);
      if (v == null) {
        return fallback;
      }
      try {
        return AlertingConfig.duration(v.toString());
      } catch (IllegalArgumentException e) {
        throw error(key + ": " + e.getMessage());
      }
    }

    Instant instant(String key) {
      Object v = fields().get(key);
      if (v == null) {
        throw error(key + ": is required (an ISO-8601 UTC time like 2026-12-06T10:00:00Z)");
      }
      if (v instanceof java.util.Date date) {
        return date.toInstant(); // YAML reads an unquoted timestamp as a date
      }
      try {
        return Instant.parse(v.toString());
      } catch (DateTimeParseException e) {
        throw error(key + ": must be an ISO-8601 UTC time like 2026-12-06T10:00:00Z, got " + v);
      }
    }

    IllegalArgumentException error(String message) {
      return new IllegalArgumentException(where + ": " + message);
    }
  }
}
