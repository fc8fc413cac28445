package io.github.analytics.alerting;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends notifications to the webhook in the order they were made (a group's resolution never
 * overtakes its firing): {@code POST} of the JSON body with {@code Idempotency-Key: <notification id>},
 * each attempt limited by the receiver's timeout; anything but a 2xx answer is retried after a backoff
 * that doubles from {@code initial_backoff} up to {@code max_backoff}, for as long as it takes. A
 * delivery is written to the log once acknowledged.
 */
final class WebhookDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);

  private static final class Pending {
    final Notifier.Notification notification;
    int attempts;
    Instant nextAttempt;
    String lastProblem;

    Pending(Notifier.Notification notification, Instant nextAttempt) {
      this.notification = notification;
      this.nextAttempt = nextAttempt;
    }
  }

  private final AlertingConfig.Receiver receiver;
  private final HttpClient http;
  private final NotificationLog log;
  private final Deque<Pending> queue = new ArrayDeque<>();
  private long delivered;
  private long failedAttempts;

  WebhookDelivery(AlertingConfig.Receiver receiver, HttpClient http, NotificationLog log) {
    this.receiver = receiver;
    this.http = http;
    this.log = log;
  }

  void enqueue(Notifier.Notification notification, Instant now) {
    queue.add(new Pending(notification, now));
  }

  int pending() {
    return queue.size();
  }

  long delivered() {
    return delivered;
  }

  long failedAttempts() {
    return failedAttempts;
  }

  /** Sends what is due at {@code now}, in order, stopping at the first that fails. */
  void deliverDue(Instant now, java.time.Clock clock) {
    while (!queue.isEmpty()) {
      Pending head = queue.peek();
      if (head.nextAttempt.isAfter(now)) {
        return;
      }
      String problem = send(head.notification);
      if (problem == null) {
        queue.poll();
        delivered++;
        log.delivered(head.notification.id(), clock.instant());
        continue;
      }
      head.attempts++;
      failedAttempts++;
      head.lastProblem = problem;
      Duration backoff = backoff(head.attempts);
      head.nextAttempt = now.plus(backoff);
      LOG.warn("Notification {} of group {} not delivered to {} (attempt {}: {}); next attempt in {}",
          head.notification.id(), head.notification.groupKey(), receiver.url(), head.attempts, problem, backoff);
      return;
    }
  }

  /** The wait after {@code attempts} failed attempts: initial, doubling, at most the maximum. */
  Duration backoff(int attempts) {
    Duration wait = receiver.initialBackoff();
    for (int i = 1; i < attempts && wait.compareTo(receiver.maxBackoff()) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(receiver.maxBackoff()) > 0 ? receiver.maxBackoff() : wait;
  }

  /** Null when the receiver acknowledged it, else what went wrong. */
  private String send(Notifier.Notification notification) {
    HttpRequest request = HttpRequest.newBuilder(receiver.url())
        .timeout(receiver.timeout())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", notification.id())
        .POST(HttpRequest.BodyPublishers.ofString(notification.payload().toString(), StandardCharsets.UTF_8))
        .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 == 2) {
        return null;
      }
      return "HTTP " + response.statusCode();
    } catch (java.io.IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
