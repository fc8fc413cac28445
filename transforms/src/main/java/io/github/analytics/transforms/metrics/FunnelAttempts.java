package io.github.analytics.transforms.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How far one attempt at a funnel gets: the pure rules of {@link FunnelOrder}, apart from Beam so
 * that they read (and can be checked) on their own. An attempt starts at one of a user's events and
 * sees that user's later events up to the start plus the window, inclusive.
 */
final class FunnelAttempts {
  private FunnelAttempts() {}

  /** The marks in the order the events happened, each event once (a redelivery is skipped). */
  static List<FunnelMark> inOrder(Iterable<FunnelMark> marks) {
    List<FunnelMark> sorted = new ArrayList<>();
    marks.forEach(sorted::add);
    sorted.sort(FunnelMark.ORDER);
    List<FunnelMark> unique = new ArrayList<>(sorted.size());
    for (FunnelMark mark : sorted) {
      FunnelMark last = unique.isEmpty() ? null : unique.get(unique.size() - 1);
      if (last == null || last.millis() != mark.millis() || !last.eventId().equals(mark.eventId())) {
        unique.add(mark);
      }
    }
    return unique;
  }

  /**
   * Whether an attempt can start at {@code mark}: at step 1 for ordered and strict funnels, at any
   * step for funnels in any order.
   */
  static boolean canStart(FunnelOrder order, FunnelMark mark) {
    return order == FunnelOrder.ANY_ORDER ? mark.steps() != 0 : mark.matches(0);
  }

  /**
   * The attempt starting at {@code marks.get(start)}: element i of the result is the time, in
   * milliseconds from the start, at which step i+1 was reached; its length is the number of steps
   * reached (0 when none: an attempt in any order that never completes step 1).
   *
   * @param marks one user's marks for the funnel, {@link #inOrder in order}
   */
  static long[] evaluate(
      FunnelOrder order, int stepCount, List<FunnelMark> marks, int start, long windowMillis) {
    switch (order) {
      case ORDERED:
        return inSequence(false, stepCount, marks, start, windowMillis);
      case STRICT:
        return inSequence(true, stepCount, marks, start, windowMillis);
      case ANY_ORDER:
        return inAnyOrder(stepCount, marks, start, windowMillis);
      default:
        throw new IllegalStateException("Unknown funnel order " + order);
    }
  }

  /**
   * Ordered: the earliest event after step k that matches step k+1 is step k+1 (taking the earliest
   * never reaches fewer steps, and gives the shortest times). Strict: the very next event must be it.
   */
  private static long[] inSequence(
      boolean strict, int stepCount, List<FunnelMark> marks, int start, long windowMillis) {
    FunnelMark first = marks.get(start);
    if (!first.matches(0)) {
      return new long[0];
    }
    long end = first.millis() + windowMillis;
    long[] times = new long[stepCount];
    int reached = 1;
    for (int j = start + 1; j < marks.size() && reached < stepCount; j++) {
      FunnelMark mark = marks.get(j);
      if (mark.millis() > end) {
        break;
      }
      if (mark.matches(reached)) {
        times[reached++] = mark.millis() - first.millis();
      } else if (strict) {
        break;
      }
    }
    return Arrays.copyOf(times, reached);
  }

  /**
   * Any order: step k is reached at the first event by which steps 1 to k can each be given a
   * distinct event of the attempt (one event may match several steps, as a page view of /checkout
   * matches both "page_view" and "page_view[page=/checkout]"). Steps are assigned by augmenting
   * paths (Kuhn's bipartite matching), so an event first given to one step is moved to another when
   * that lets a further step be covered.
   */
  private static long[] inAnyOrder(
      int stepCount, List<FunnelMark> marks, int start, long windowMillis) {
    long begin = marks.get(start).millis();
    long end = begin + windowMillis;
    long[] times = new long[stepCount];
    int[] stepOfEvent = new int[marks.size() - start];
    Arrays.fill(stepOfEvent, -1);
    int reached = 0;
    for (int j = start; j < marks.size() && reached < stepCount; j++) {
      if (marks.get(j).millis() > end) {
        break;
      }
      int seen = j - start + 1;
      while (reached < stepCount
          && assign(reached, marks, start, seen, stepOfEvent, new boolean[seen])) {
        times[reached++] = marks.get(j).millis() - begin;
      }
    }
    return Arrays.copyOf(times, reached);
  }

  /** Finds an event for {@code step}, moving other steps to other events if needed. */
  private static boolean assign(
      int step, List<FunnelMark> marks, int start, int seen, int[] stepOfEvent, boolean[] visited) {
    for (int e = 0; e < seen; e++) {
      if (!visited[e] && marks.get(start + e).matches(step)) {
        visited[e] = true;
        if (stepOfEvent[e] < 0 || assign(stepOfEvent[e], marks, start, seen, stepOfEvent, visited)) {
          stepOfEvent[e] = step;
          return true;
        }
      }
    }
    return false;
  }
}
