package io.github.analytics.bench;

import java.util.List;

/**
 * A whole run: where, with which sizes, and every section's result. The writers turn it into
 * results.md, results.json and results.svg.
 */
public record BenchReport(MachineInfo machine, BenchSettings settings, List<SectionResult> sections) {
  public BenchReport {
    sections = List.copyOf(sections);
  }

  /** Every measurement of every section, in report order. */
  public List<Measurement> measurements() {
    return sections.stream().flatMap(s -> s.measurements().stream()).toList();
  }

  /** Targets missed in this run. */
  public long missed() {
    return measurements().stream().filter(m -> m.met().map(met -> !met).orElse(false)).count();
  }

  public boolean anyFailed() {
    return sections.stream().anyMatch(SectionResult::failed);
  }
}
