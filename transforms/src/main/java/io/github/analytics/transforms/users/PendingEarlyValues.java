package io.github.analytics.transforms.users;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The users whose early values one instance of {@link UserStageFn} has not sent yet: per metric, each
 * changed user's latest state, whose {@link UserMetric#early} values are built when the instance's
 * flush timer fires, once per user and period however often the user changed. Only streaming with
 * early firings uses it.
 *
 * <p>Holding a state after the stage wrote it back is safe here: the stage registers the state again
 * after every change it makes, so the one held is the latest; a heap state backend that copies a
 * state for a checkpoint leaves the one held unchanged, and {@code early} only reads it.
 */
final class PendingEarlyValues {
  /** Sends the early values of one user's state of one metric, at a flush. */
  interface Sink {
    void send(int metric, String user, Object state);
  }

  private final List<Map<String, Object>> byMetric;
  /** Whether the instance's flush timer is set. */
  private boolean armed;

  PendingEarlyValues(int metrics) {
    byMetric = new ArrayList<>(metrics);
    for (int i = 0; i < metrics; i++) {
      byMetric.add(new HashMap<>());
    }
  }

  /**
   * Registers {@code user}'s latest state of {@code metric} (null: nothing to send for it).
   *
   * @return whether the flush timer must now be set: values wait and no timer is set
   */
  boolean replace(int metric, String user, @Nullable Object state) {
    if (state == null) {
      byMetric.get(metric).remove(user);
      return false;
    }
    byMetric.get(metric).put(user, state);
    if (armed) {
      return false;
    }
    armed = true;
    return true;
  }

  /** Sends every waiting state, metric by metric, and forgets them; the timer is no longer set. */
  void flush(Sink sink) {
    armed = false;
    for (int i = 0; i < byMetric.size(); i++) {
      Map<String, Object> byUser = byMetric.get(i);
      if (byUser.isEmpty()) {
        continue;
      }
      byMetric.set(i, new HashMap<>());
      for (Map.Entry<String, Object> user : byUser.entrySet()) {
        sink.send(i, user.getKey(), user.getValue());
      }
    }
  }
}
