package io.github.analytics.bench;

import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What one section produced in a run.
 *
 * @param name the section's name
 * @param title its heading
 * @param description what it measures
 * @param measurements its rows (empty if it failed before returning any)
 * @param seconds how long the section took, wall time
 * @param failure why it failed, with what to do; null when it ran to the end
 */
public record SectionResult(
    String name,
    String title,
    String description,
    List<Measurement> measurements,
    double seconds,
    @Nullable String failure) {

  public SectionResult {
    measurements = List.copyOf(measurements);
  }

  public boolean failed() {
    return failure != null;
  }
}
