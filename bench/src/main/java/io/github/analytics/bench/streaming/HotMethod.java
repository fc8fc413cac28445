package io.github.analytics.bench.streaming;

/**
 * A method seen on top of the stack in a JFR profile: {@code samples} execution samples had it as the
 * running frame, {@code share} of all samples (0..1).
 */
public record HotMethod(String method, long samples, double share) {
  @Override
  public String toString() {
    return String.format("%5.1f%%  %s", share * 100, method);
  }
}
