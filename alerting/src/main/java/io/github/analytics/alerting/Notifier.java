package io.github.analytics.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Turns the firing alerts of each evaluation into notifications as Alertmanager does: alerts are
 * grouped by the route's {@code group_by} labels; a new group is notified {@code group_wait} after its
 * first alert; a group whose alerts changed (a new alert firing, or one resolved) is notified again at
 * most every {@code group_interval}; an unchanged group still firing is notified again every {@code
 * repeat_interval}; a resolved alert is notified once, as resolved. Muted (silenced) alerts are left
 * out of notifications and keep the state they had.
 *
 * <p>Its state is what it last notified per group, so it is restored from the notification log after
 * a restart ({@link #restore}) and the same alerts are neither notified again nor forgotten.
 */
final class Notifier {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String NEVER = "0001-01-01T00:00:00Z";

  /** One notification: its id (the delivery's idempotency key), group and Alertmanager-format body. */
  record Notification(String id, String groupKey, Instant createdAt, ObjectNode payload) {}

  private static final class Tracked {
    final Alert alert;
    Instant resolvedAt;

    Tracked(Alert alert) {
      this.alert = alert;
    }
  }

  private static final class Group {
    final String key;
    final Map<String, String> labels;
    final Map<String, Tracked> alerts = new LinkedHashMap<>();
    final Instant firstSeen;
    Instant lastNotified;
    Set<String> notifiedFiring = new HashSet<>();

    Group(String key, Map<String, String> labels, Instant firstSeen) {
      this.key = key;
      this.labels = labels;
      this.firstSeen = firstSeen;
    }
  }

  private final AlertingConfig config;
  private final Map<String, Group> groups = new LinkedHashMap<>();

  Notifier(AlertingConfig config) {
    this.config = config;
  }

  /** Whether {@code fingerprint} was firing in the last notification of its group. */
  boolean notifiedFiring(String fingerprint) {
    for (Group group : groups.values()) {
      if (group.notifiedFiring.contains(fingerprint)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Takes the alerts firing now ({@code firing}, silenced ones left out) and the fingerprints that are
   * muted, and returns the notifications due at {@code now}.
   */
  List<Notification> update(Instant now, Collection<Alert> firing, Set<String> muted) {
    Set<String> firingNow = new HashSet<>();
    for (Alert alert : firing) {
      firingNow.add(alert.fingerprint());
      Map<String, String> groupLabels = groupLabels(alert.labels());
      String key = groupKey(groupLabels);
      Group group = groups.computeIfAbsent(key, k -> new Group(k, groupLabels, now));
      Tracked tracked = group.alerts.get(alert.fingerprint());
      if (tracked == null || tracked.resolvedAt != null) {
        group.alerts.put(alert.fingerprint(), new Tracked(alert));
      } else {
        // Same alert still firing: keep when it started, take the latest value and text.
        group.alerts.put(alert.fingerprint(), new Tracked(alert.since(tracked.alert.activeSince())));
      }
    }
    List<Notification> due = new ArrayList<>();
    for (Iterator<Group> it = groups.values().iterator(); it.hasNext(); ) {
      Group group = it.next();
      for (Tracked tracked : group.alerts.values()) {
        String fp = tracked.alert.fingerprint();
        if (tracked.resolvedAt == null && !firingNow.contains(fp) && !muted.contains(fp)) {
          tracked.resolvedAt = now;
        }
      }
      Notification notification = decide(group, now, muted);
      if (notification != null) {
        due.add(notification);
      }
      if (group.alerts.isEmpty()) {
        it.remove();
      }
    }
    return due;
  }

  private Notification decide(Group group, Instant now, Set<String> muted) {
    Set<String> firing = new HashSet<>();
    boolean resolvedPending = false;
    for (Tracked tracked : group.alerts.values()) {
      String fp = tracked.alert.fingerprint();
      if (muted.contains(fp)) {
        continue;
      }
      if (tracked.resolvedAt == null) {
        firing.add(fp);
      } else if (group.notifiedFiring.contains(fp)) {
        resolvedPending = true;
      }
    }
    if (group.lastNotified == null) {
      // Resolved before it was ever notified: nothing to say about it.
      group.alerts.values().removeIf(t -> t.resolvedAt != null);
      if (firing.isEmpty() || now.isBefore(group.firstSeen.plus(config.route().groupWait()))) {
        return null;
      }
      return notify(group, now, muted);
    }
    boolean changed = resolvedPending || !group.notifiedFiring.containsAll(firing);
    if (changed && !now.isBefore(group.lastNotified.plus(config.route().groupInterval()))) {
      return notify(group, now, muted);
    }
    if (!changed && !firing.isEmpty() && !now.isBefore(group.lastNotified.plus(config.route().repeatInterval()))) {
      return notify(group, now, muted);
    }
    if (firing.isEmpty() && !resolvedPending) {
      group.alerts.values().removeIf(t -> t.resolvedAt != null && !muted.contains(t.alert.fingerprint()));
    }
    return null;
  }

  private Notification notify(Group group, Instant now, Set<String> muted) {
    List<Tracked> included = new ArrayList<>();
    for (Tracked tracked : group.alerts.values()) {
      String fp = tracked.alert.fingerprint();
      if (muted.contains(fp)) {
        continue;
      }
      if (tracked.resolvedAt == null || group.notifiedFiring.contains(fp)) {
        included.add(tracked);
      }
    }
    ObjectNode payload = payload(group, included);
    Set<String> notified = new HashSet<>();
    for (Tracked tracked : included) {
      if (tracked.resolvedAt == null) {
        notified.add(tracked.alert.fingerprint());
      }
    }
    // Muted alerts that were notified firing stay so: their silence says nothing about them.
    for (String fp : group.notifiedFiring) {
      Tracked tracked = group.alerts.get(fp);
      if (tracked != null && tracked.resolvedAt == null && muted.contains(fp)) {
        notified.add(fp);
      }
    }
    group.alerts.values().removeIf(t -> t.resolvedAt != null && !muted.contains(t.alert.fingerprint()));
    group.notifiedFiring = notified;
    group.lastNotified = now;
    return new Notification(UUID.randomUUID().toString(), group.key, now, payload);
  }

  /** Alertmanager's webhook body (version 4). */
  private ObjectNode payload(Group group, List<Tracked> included) {
    ObjectNode body = NODES.objectNode();
    body.put("version", "4");
    body.put("groupKey", group.key);
    body.put("truncatedAlerts", 0);
    boolean anyFiring = included.stream().anyMatch(t -> t.resolvedAt == null);
    body.put("status", anyFiring ? "firing" : "resolved");
    body.put("receiver", config.receiver().name());
    body.set("groupLabels", labels(group.labels));
    Map<String, String> common = null;
    Map<String, String> commonAnnotations = null;
    ArrayNode alerts = body.putArray("alerts");
    for (Tracked tracked : included) {
      Alert alert = tracked.alert;
      ObjectNode node = alerts.addObject();
      node.put("status", tracked.resolvedAt == null ? "firing" : "resolved");
      node.set("labels", labels(alert.labels()));
      node.set("annotations", labels(alert.annotations()));
      node.put("startsAt", alert.activeSince().toString());
      node.put("endsAt", tracked.resolvedAt == null ? NEVER : tracked.resolvedAt.toString());
      node.put("generatorURL", "");
      node.put("fingerprint", alert.fingerprint());
      node.put("value", alert.value());
      common = intersect(common, alert.labels());
      commonAnnotations = intersect(commonAnnotations, alert.annotations());
    }
    body.set("commonLabels", labels(common == null ? Map.of() : common));
    body.set("commonAnnotations", labels(commonAnnotations == null ? Map.of() : commonAnnotations));
    body.put("externalURL", "");
    return body;
  }

  /**
   * Takes back what a notification said, on start-up: its group was last notified then, with its firing
   * alerts (the log's last notification of each group, oldest first).
   */
  void restore(Notification notification) {
    JsonNode payload = notification.payload();
    Map<String, String> groupLabels = new TreeMap<>();
    payload.path("groupLabels").fields().forEachRemaining(f -> groupLabels.put(f.getKey(), f.getValue().asText()));
    Group group = new Group(notification.groupKey(), groupLabels, notification.createdAt());
    group.lastNotified = notification.createdAt();
    for (JsonNode node : payload.path("alerts")) {
      if (!"firing".equals(node.path("status").asText())) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      node.path("labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
      Map<String, String> annotations = new TreeMap<>();
      node.path("annotations").fields().forEachRemaining(f -> annotations.put(f.getKey(), f.getValue().asText()));
      Alert alert = Alert.of(labels, annotations, node.path("value").asDouble(),
          Instant.parse(node.path("startsAt").asText()));
      group.alerts.put(alert.fingerprint(), new Tracked(alert));
      group.notifiedFiring.add(alert.fingerprint());
    }
    if (group.alerts.isEmpty()) {
      groups.remove(group.key);
    } else {
      groups.put(group.key, group);
    }
  }

  private Map<String, String> groupLabels(Map<String, String> labels) {
    Map<String, String> out = new TreeMap<>();
    for (String name : config.route().groupBy()) {
      out.put(name, labels.getOrDefault(name, ""));
    }
    return out;
  }

  private static String groupKey(Map<String, String> groupLabels) {
    StringBuilder key = new StringBuilder("{}:{");
    groupLabels.forEach((k, v) -> key.append(k).append("=\"").append(v).append("\","));
    if (key.charAt(key.length() - 1) == ',') {
      key.setLength(key.length() - 1);
    }
    return key.append('}').toString();
  }

  private static Map<String, String> intersect(Map<String, String> common, Map<String, String> labels) {
    if (common == null) {
      return new TreeMap<>(labels);
    }
    common.entrySet().removeIf(e -> !e.getValue().equals(labels.get(e.getKey())));
    return common;
  }

  private static ObjectNode labels(Map<String, String> labels) {
    ObjectNode node = NODES.objectNode();
    labels.forEach(node::put);
    return node;
  }
}
