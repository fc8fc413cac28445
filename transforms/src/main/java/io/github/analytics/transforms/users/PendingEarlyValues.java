package io.github.analytics.transforms.users;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.TimestampedValue;

/**
 * The early values one instance of {@link UserStageFn} has not sent yet: per metric, each user's
 * latest values (a newer set replaces the older one), sent together when the instance's flush timer
 * fires. Only streaming with early firings uses it.
 */
final class PendingEarlyValues {
  /** Receives one early value of a metric at a flush. */
  interface Sink {
    void send(int metric, TimestampedValue<Object> value);
  }

  private final List<Map<String, List<TimestampedValue<Object>>>> byMetric;
  /** Whether the instance's flush timer is set. */
  private boolean armed;

  PendingEarlyValues(int metrics) {
    byMetric = new ArrayList<>(metrics);
    for (int i = 0; i < metrics; i++) {
      byMetric.add(new HashMap<>());
    }
  }

  /**
   * Replaces {@code user}'s waiting values of {@code metric} (none: forgets them).
   *
   * @return whether the flush timer must now be set: values wait and no timer is set
   */
  boolean replace(int metric, String user, List<TimestampedValue<Object>> values) {
    if (values.isEmpty()) {
      byMetric.get(metric).remove(user);
      return false;
    }
    byMetric.get(metric).put(user, values);
    if (armed) {
      return false;
    }
    armed = true;
    return true;
  }

  /** Sends every waiting value, metric by metric, and forgets them; the timer is no longer set. */
  void flush(Sink sink) {
    armed = false;
    for (int i = 0; i < byMetric.size(); i++) {
      Map<String, List<TimestampedValue<Object>>> byUser = byMetric.get(i);
      if (byUser.isEmpty()) {
        continue;
      }
      for (List<TimestampedValue<Object>> values : byUser.values()) {
        for (TimestampedValue<Object> value : values) {
          sink.send(i, value);
        }
      }
      byMetric.set(i, new HashMap<>());
    }
  }
}
