package io.github.analytics.bench;

import java.util.Locale;

/** results.md: the machine, then a table per section with each target printed beside its result. */
public final class MarkdownReport {
  private MarkdownReport() {}

  public static String render(BenchReport report, String chartFileName) {
    MachineInfo machine = report.machine();
    BenchSettings settings = report.settings();
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark results\n\n");
    md.append("Mode: **").append(settings.mode()).append("**")
        .append(settings.mode().equals("full") ? ".\n\n" : " (smaller than the full run: noisier numbers).\n\n");
    md.append("| machine | |\n|---|---|\n");
    row(md, "date (UTC)", machine.date().toString());
    row(md, "commit", machine.commit());
    row(md, "cores", Integer.toString(machine.cores()));
    row(md, "CPU", machine.cpu());
    row(md, "JVM", machine.jvm());
    row(md, "max heap", String.format(Locale.ROOT, "%,d MiB", machine.maxHeapBytes() >> 20));
    row(md, "OS", machine.os());
    row(md, "load average at start (1, 5, 15 min)", machine.loadAverage());
    md.append('\n');
    md.append(String.format(Locale.ROOT,
        "Sizes: batch %,d events (%,d users) on %s%s; HLL up to %,d distinct, %d seeds, precisions %s;"
            + " streaming %,d events; freshness %,d events/s for %d s; collector %d s a phase.%n%n",
        settings.batchEvents(), settings.batchUsers(), settings.batchRunners(),
        settings.batchFloor() ? ", with the cut-down jobs" : "", settings.hllMaxDistinct(),
        settings.hllSeeds(), settings.hllPrecisions(), settings.streamEvents(), settings.freshnessRate(),
        settings.freshnessSeconds(), settings.collectorSeconds()));
    long targets = report.measurements().stream().filter(m -> m.target() != null).count();
    md.append(String.format(Locale.ROOT, "Targets: %d of %d met.%s%n%n", targets - report.missed(), targets,
        report.anyFailed() ? " **Some sections failed** (below)." : ""));
    md.append("![throughput per core](").append(chartFileName).append(")\n\n");
    for (SectionResult section : report.sections()) {
      md.append("## ").append(section.title()).append("\n\n");
      md.append(section.description()).append("\n\n");
      if (section.failed()) {
        md.append("**FAILED:** ").append(cell(section.failure())).append("\n\n");
      }
      if (!section.measurements().isEmpty()) {
        md.append("| measurement | value | unit | target | | note |\n");
        md.append("|---|---:|---|---|---|---|\n");
        for (Measurement m : section.measurements()) {
          md.append("| ").append(cell(m.name()))
              .append(" | ").append(Measurement.format(m.value()))
              .append(" | ").append(cell(m.unit()))
              .append(" | ").append(m.target() == null ? "" : cell(m.target().describe()))
              .append(" | ").append(m.met().map(met -> met ? "met" : "**MISSED**").orElse(""))
              .append(" | ").append(cell(m.note()))
              .append(" |\n");
        }
        md.append('\n');
      }
      md.append(String.format(Locale.ROOT, "Section time: %.1f s.%n%n", section.seconds()));
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String name, String value) {
    md.append("| ").append(name).append(" | ").append(cell(value)).append(" |\n");
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
