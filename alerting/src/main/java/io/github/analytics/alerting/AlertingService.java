package io.github.analytics.alerting;

import io.github.analytics.serving.LiveMetrics;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The alerting service: at each evaluation the rules say which alerts are active ({@link
 * RuleEvaluator}); an alert fires once it has been active for its rule's {@code for}; silences mute
 * alerts; the {@link Notifier} groups, dedupes, repeats and resolves as Alertmanager does; each
 * notification is logged ({@link NotificationLog}) before the {@link WebhookDelivery} sends it.
 * Calls are serialised: one thread evaluates and delivers.
 */
public final class AlertingService implements AutoCloseable {
  /** What an evaluation found and did. */
  public record Tick(Instant at, int active, int firing, int muted, int notified, int undelivered) {}

  private final AlertingConfig config;
  private final Clock clock;
  private final RuleEvaluator evaluator;
  private final Notifier notifier;
  private final NotificationLog log;
  private final WebhookDelivery delivery;
  private final Map<String, Instant> activeSince = new HashMap<>();
  private List<Alert> firing = List.of();

  private AlertingService(AlertingConfig config, LiveMetrics live, NotificationLog log, Clock clock, HttpClient http) {
    this.config = config;
    this.clock = clock;
    this.evaluator = new RuleEvaluator(config.rules(), live);
    this.notifier = new Notifier(config);
    this.log = log;
    this.delivery = new WebhookDelivery(config.receiver(), http, log);
  }

  /**
   * Opens the service over the notification log in {@code stateDir}: what it notified before is taken
   * back (not notified again), what it had not delivered is delivered.
   */
  public static AlertingService open(AlertingConfig config, LiveMetrics live, Path stateDir, Clock clock) {
    NotificationLog log = NotificationLog.open(stateDir);
    HttpClient http = HttpClient.newBuilder().connectTimeout(config.receiver().timeout()).build();
    AlertingService service = new AlertingService(config, live, log, clock, http);
    for (Notifier.Notification last : log.contents().lastOfEachGroup()) {
      service.notifier.restore(last);
    }
    for (Notifier.Notification undelivered : log.contents().undelivered()) {
      service.delivery.enqueue(undelivered, clock.instant());
    }
    return service;
  }

  public AlertingConfig config() {
    return config;
  }

  /** Evaluates the rules now, makes the notifications due and delivers what is due. */
  public synchronized Tick tick() {
    Instant now = clock.instant();
    List<Alert> active = evaluator.evaluate(now);
    Set<String> seen = new HashSet<>();
    List<Alert> firingNow = new ArrayList<>();
    Set<String> muted = new HashSet<>();
    List<Alert> unmuted = new ArrayList<>();
    for (Alert alert : active) {
      seen.add(alert.fingerprint());
      Instant since = activeSince.merge(alert.fingerprint(), alert.activeSince(),
          (a, b) -> a.isBefore(b) ? a : b);
      Alert stamped = alert.since(since);
      boolean fires = !since.plus(forDuration(alert)).isAfter(now) || notifier.notifiedFiring(alert.fingerprint());
      if (!fires) {
        continue;
      }
      firingNow.add(stamped);
      if (config.silences().stream().anyMatch(s -> s.mutes(alert.labels(), now))) {
        muted.add(alert.fingerprint());
      } else {
        unmuted.add(stamped);
      }
    }
    activeSince.keySet().retainAll(seen);
    firing = List.copyOf(firingNow);
    List<Notifier.Notification> due = notifier.update(now, unmuted, muted);
    for (Notifier.Notification notification : due) {
      log.append(notification);
      delivery.enqueue(notification, now);
    }
    delivery.deliverDue(now, clock);
    return new Tick(now, active.size(), firingNow.size(), muted.size(), due.size(), delivery.pending());
  }

  /** Delivers what is due now (between evaluations, so a retry does not wait for the next one). */
  public synchronized void deliver() {
    delivery.deliverDue(clock.instant(), clock);
  }

  /** The alerts firing at the last evaluation, muted ones included. */
  public synchronized List<Alert> firing() {
    return firing;
  }

  /** Notifications made but not acknowledged by the receiver yet. */
  public synchronized int undelivered() {
    return delivery.pending();
  }

  public synchronized long delivered() {
    return delivery.delivered();
  }

  private java.time.Duration forDuration(Alert alert) {
    String name = alert.labels().get("alertname");
    for (AlertingConfig.Rule rule : config.rules()) {
      if (rule.name().equals(name)) {
        return rule.forDuration();
      }
    }
    return java.time.Duration.ZERO;
  }

  @Override
  public synchronized void close() {
    log.close();
  }
}
