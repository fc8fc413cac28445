package io.github.analytics.pipelines;

import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.transforms.PipelineCounters;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link BatchResult} for a person at a terminal. */
public final class BatchReport {
  private BatchReport() {}

  /** A summary of the run; {@code eventsByType} may be empty when the warehouse cannot be queried. */
  public static String render(BatchResult result, Map<String, Long> eventsByType) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%nBatch run over %s: %s in %.1f s%n",
        result.range(), result.state(), result.elapsed().getMillis() / 1000.0));
    if (!result.missingDays().isEmpty()) {
      out.append("  WARNING: no archive files for ").append(result.missingDays()).append('\n');
    }
    long read = result.counter(PipelineCounters.PARSE_INPUT);
    out.append(row("Records read", read, read));
    out.append(row("  valid", result.counter(PipelineCounters.PARSE_VALID), read));
    out.append(row("  dead-lettered", result.deadLetters(), read));
    out.append(row("Duplicates dropped", result.counter(PipelineCounters.DUPLICATES_DROPPED), read));
    long otherDays = result.counter(BatchPipeline.EVENTS_FOR_OTHER_DAYS);
    if (otherDays > 0) {
      out.append(row("Events of days outside the range", otherDays, read));
    }
    out.append(row("Events written", result.eventsWritten(), read));
    out.append(result.accountedFor()
        ? "  Every record is accounted for (read = valid + dead-lettered; valid = written + other"
            + " days + duplicates).\n"
        : "  ACCOUNTING MISMATCH: read != valid + dead-lettered, or valid != written + other days +"
            + " duplicates; see the counters above and below, and report it with this output.\n");

    if (!eventsByType.isEmpty()) {
      out.append("\nEvents by type\n");
      long total = eventsByType.values().stream().mapToLong(Long::longValue).sum();
      eventsByType.forEach((type, n) -> out.append(row("  " + Printable.text(type), n, total)));
    }
    out.append("\nDead letters by reason (every partition read; the table keeps the range's days)\n");
    boolean any = false;
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      long n = result.counter(PipelineCounters.deadLetterCounterName(reason));
      if (n > 0 && reason.isRecordRefused()) {
        out.append(row("  " + reason.name(), n, result.deadLetters()));
        any = true;
      }
    }
    if (!any) {
      out.append("  none\n");
    }
    long stepFailed = result.stepFailures();
    if (stepFailed > 0) {
      out.append(String.format(Locale.ROOT,
          "  WARNING: a step threw on %,d valid event(s) (STEP_FAILED): each is written as an event but"
              + " left out of that step. The dead letters name the step and the exception.%n",
          stepFailed));
    }
    // Enrichment runs on every unique event read, including the late-arrival days'.
    long enriched = result.counter(PipelineCounters.PARSE_VALID)
        - result.counter(PipelineCounters.DUPLICATES_DROPPED);
    out.append("\nEnrichment (every unique event read)\n");
    out.append(row("  geolocated", result.counter(PipelineCounters.GEO_FOUND), enriched));
    out.append(row("  IP not in the database", result.counter(PipelineCounters.GEO_NOT_FOUND), enriched));
    out.append(row("  invalid IP", result.counter(PipelineCounters.GEO_INVALID_IP), enriched));
    out.append(row("  unknown device", result.counter(PipelineCounters.USER_AGENT_UNKNOWN), enriched));
    long failed = result.counter(PipelineCounters.GEO_LOOKUP_FAILED)
        + result.counter(PipelineCounters.USER_AGENT_LOOKUP_FAILED);
    if (failed > 0) {
      out.append(row("  lookups failed (event kept)", failed, enriched));
    }
    out.append("\nWarehouse: ").append(result.warehouseLocation()).append('\n');
    return out.toString();
  }

  private static String row(String label, long value, long total) {
    String share = total > 0 ? String.format(Locale.ROOT, "%6.2f%%", 100.0 * value / total) : "";
    return String.format(Locale.ROOT, "  %-34s %,14d  %s%n", label, value, share);
  }
}
