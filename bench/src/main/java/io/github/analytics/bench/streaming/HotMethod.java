package io.github.analytics.bench.streaming;

import java.util.List;

/**
 * A method seen on top of the stack in a JFR profile: {@code samples} execution samples had it as the
 * running frame, {@code share} of all samples (0..1).
 */
public record HotMethod(String method, long samples, double share) {
  /** The end of a section's printed summary: its notes, then the profile's hot methods if any. */
  static void appendNotesAndProfile(StringBuilder s, List<String> notes, String jfrFile,
      List<HotMethod> hotMethods, List<HotMethod> hotProjectFrames) {
    for (String note : notes) {
      s.append("  note: ").append(note).append('\n');
    }
    if (!hotMethods.isEmpty()) {
      s.append("  JFR ").append(jfrFile).append(": top methods (self samples)\n");
      hotMethods.forEach(m -> s.append("    ").append(m).append('\n'));
      s.append("  by innermost project frame\n");
      hotProjectFrames.forEach(m -> s.append("    ").append(m).append('\n'));
    }
  }

  @Override
  public String toString() {
    return String.format("%5.1f%%  %s", share * 100, method);
  }
}
