package io.github.analytics.transforms.metrics;

import java.io.Serializable;
import java.util.List;

/** A conversion funnel: placeholder until TrackFunnels lands. */
public final class FunnelDefinition implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The funnels used when no file is given. */
  public static List<FunnelDefinition> defaults() {
    return List.of();
  }

  /** Parses a funnels file. */
  public static List<FunnelDefinition> parse(String json) {
    throw new UnsupportedOperationException("Funnels files are not supported yet");
  }
}
