package io.github.analytics.transforms.metrics;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a funnel's steps must follow each other, as product-analytics tools define it (Amplitude's
 * "exact order", "this order" and "any order"; Mixpanel's loose ordering is {@link #ORDERED}). In
 * every mode, all the steps of an attempt happen within the funnel's conversion window, measured
 * from the attempt's first event. A user's events are ordered by event time, and events of the same
 * millisecond by {@code event_id}, so the order never depends on arrival order.
 */
public enum FunnelOrder {
  /**
   * The steps in the given order with no other event of the user in between: the event right after
   * step k in the user's stream must be step k+1. "Other" means any event of that user, whatever
   * its type and whether or not it belongs to a funnel (a repeat of step k included).
   */
  STRICT,
  /** The steps in the given order; the user may do anything else in between. */
  ORDERED,
  /**
   * All the steps, in any order. Step k is reached once steps 1 to k have all happened (each by a
   * distinct event); an attempt may start at any event that matches one of the steps.
   */
  ANY_ORDER;

  /** The name used in funnel files: {@code strict}, {@code ordered} or {@code any_order}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode named {@code name} in a funnel file (case-insensitive). */
  public static FunnelOrder fromConfigName(String name) {
    for (FunnelOrder order : values()) {
      if (order.configName().equalsIgnoreCase(name)) {
        return order;
      }
    }
    throw new IllegalArgumentException(
        "unknown order '" + name + "'; use one of "
            + Arrays.stream(values()).map(FunnelOrder::configName).toList());
  }
}
