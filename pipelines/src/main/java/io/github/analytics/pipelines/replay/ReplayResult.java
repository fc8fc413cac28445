package io.github.analytics.pipelines.replay;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a replay run did: every dead letter it read is in exactly one of {@code replayed}, {@code
 * stillFailing}, {@code skippedByReason}, {@code skippedCollector} and {@code skippedEvents}, and in
 * one row of {@code
 * outcomes}, keyed by its old reason and what became of it (replayed, its new reason, skipped). In a
 * dry run, "replayed" means "would be replayed": nothing was sent or committed.
 *
 * @param complete whether the group reached the end offsets seen at the start (not stopped by a limit)
 */
public record ReplayResult(
    long read,
    long replayed,
    long stillFailing,
    long skippedByReason,
    long skippedCollector,
    long skippedEvents,
    Map<Outcome, Long> outcomes,
    boolean dryRun,
    boolean complete,
    double seconds) {
  /** What became of the dead letters of one old reason. */
  public record Outcome(String oldReason, String now) {
    static final Comparator<Outcome> ORDER =
        Comparator.comparing(Outcome::oldReason).thenComparing(Outcome::now);
  }

  static final String REPLAYED = "replayed";
  static final String SKIPPED_REASON = "skipped (not in --reasons)";
  static final String SKIPPED_COLLECTOR = "skipped (refused by the collector)";
  static final String SKIPPED_EVENT = "skipped (an event a step threw on)";

  public ReplayResult {
    Map<Outcome, Long> sorted = new TreeMap<>(Outcome.ORDER);
    sorted.putAll(outcomes);
    outcomes = java.util.Collections.unmodifiableMap(sorted);
  }

  /** The summary table and what to do next. */
  public void print(PrintStream out, ReplaySettings settings) {
    out.printf(Locale.ROOT, "%s of %s (group %s) into %s: %,d dead letters read in %.1f s%s%n",
        dryRun ? "Dry run" : "Replay", settings.deadLetterTopic(), settings.group(),
        settings.eventTopic(), read, seconds,
        complete ? "" : " (stopped at --max-records " + settings.maxRecords() + ")");
    out.printf(Locale.ROOT, "  %-36s %,10d%n", dryRun ? "would be replayed" : "replayed (each once)", replayed);
    out.printf(Locale.ROOT, "  %-36s %,10d%n", "still failing (not sent)", stillFailing);
    out.printf(Locale.ROOT, "  %-36s %,10d%n", "skipped: not in --reasons", skippedByReason);
    out.printf(Locale.ROOT, "  %-36s %,10d%n", "skipped: refused by the collector", skippedCollector);
    out.printf(Locale.ROOT, "  %-36s %,10d%n", "skipped: STEP_FAILED (already events)", skippedEvents);
    if (!outcomes.isEmpty()) {
      int width = Math.max("old reason".length(),
          outcomes.keySet().stream().mapToInt(o -> o.oldReason().length()).max().orElse(0));
      int nowWidth = Math.max("now".length(),
          outcomes.keySet().stream().mapToInt(o -> o.now().length()).max().orElse(0));
      out.printf(Locale.ROOT, "  %-" + width + "s -> %-" + nowWidth + "s %10s%n", "old reason", "now", "records");
      outcomes.forEach((outcome, count) -> out.printf(Locale.ROOT, "  %-" + width + "s -> %-" + nowWidth
          + "s %,10d%n", outcome.oldReason(), outcome.now(), count));
    }
    if (read == 0 && complete) {
      out.println("Nothing to replay: group " + settings.group() + " has read " + settings.deadLetterTopic()
          + " to its end.");
    }
    if (dryRun) {
      out.println("Dry run: nothing was sent and no offset committed; run without --dry-run to replay"
          + (complete ? "." : " (this looked at the first " + read + " only)."));
    } else if (!complete) {
      out.println("Run the same command again to go on from here.");
    }
    if (!dryRun && stillFailing + skippedByReason > 0) {
      out.println("The group has passed the records not sent. To replay them after a later fix, use a new"
          + " group with the reasons that fix repairs, e.g. --group " + settings.group() + "-2 --reasons"
          + " REASON: a new group starts at the earliest dead letter, and without --reasons it would send"
          + " again what this one replayed.");
    }
    if (skippedEvents > 0) {
      out.println("STEP_FAILED dead letters are events the job counted everywhere but in the step that"
          + " threw: sending them again would count them twice. Once the step is fixed, re-run their days"
          + " with `analytics backfill --force` (the archive holds every record).");
    }
    if (skippedCollector > 0) {
      out.println("Records the collector refused are not events yet (no server_timestamp, or a Segment"
          + " message): send them through the collector again.");
    }
  }

  /** Counts as a run goes; {@link #snapshot} gives the result. */
  static final class Tally {
    long read;
    long replayed;
    long stillFailing;
    long skippedByReason;
    long skippedCollector;
    long skippedEvents;
    final Map<Outcome, Long> outcomes = new TreeMap<>(Outcome.ORDER);

    void count(String oldReason, String now) {
      read++;
      switch (now) {
        case REPLAYED -> replayed++;
        case SKIPPED_REASON -> skippedByReason++;
        case SKIPPED_COLLECTOR -> skippedCollector++;
        case SKIPPED_EVENT -> skippedEvents++;
        default -> stillFailing++;
      }
      outcomes.merge(new Outcome(oldReason, now), 1L, Long::sum);
    }

    void addAll(Tally other) {
      read += other.read;
      replayed += other.replayed;
      stillFailing += other.stillFailing;
      skippedByReason += other.skippedByReason;
      skippedCollector += other.skippedCollector;
      skippedEvents += other.skippedEvents;
      other.outcomes.forEach((k, v) -> outcomes.merge(k, v, Long::sum));
    }

    ReplayResult snapshot(boolean dryRun, boolean complete, double seconds) {
      return new ReplayResult(read, replayed, stillFailing, skippedByReason, skippedCollector, skippedEvents,
          outcomes,
          dryRun, complete, seconds);
    }
  }
}
