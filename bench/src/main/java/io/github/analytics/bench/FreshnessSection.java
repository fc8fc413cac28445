package io.github.analytics.bench;

import io.github.analytics.bench.streaming.FreshnessBench;
import io.github.analytics.serving.QueryServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Freshness: events sent at a fixed rate, stamped now, and the delay until each is counted in the
 * dashboard's Redis hash (see {@link FreshnessBench}), with the default 5 s early firing and with 1 s.
 */
public final class FreshnessSection implements Section {
  public static final String NAME = "freshness";
  /** The early-firing delays measured: the default and the fastest a dashboard would ask for. */
  static final List<Integer> EARLY_FIRING_SECONDS = List.of(5, 1);
  /**
   * After the runs at the target rate, one at a twentieth of it with 1 s early firing: when the job
   * on this machine cannot keep up with the target rate, the delays there only measure the backlog,
   * and this run shows the delay of a job that keeps up. It has no target.
   */
  static final int SUSTAINABLE_RATE_DIVISOR = 20;
  /** The streaming pipeline's default {@code --earlyFiringSeconds}. */
  static final int DEFAULT_EARLY_FIRING_SECONDS = 5;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "Freshness: send to visible on the dashboard";
  }

  @Override
  public String description() {
    return "A producer sends events stamped with the current time at a fixed rate into a real Kafka"
        + " broker; the streaming pipeline (Flink [local], one slot per core, every metric and sink,"
        + " 60 s checkpoints, as deploy/flink) counts them per minute into Redis, which a sampler"
        + " reads every 50 ms. An event is visible once its minute's count covers it; the delay is"
        + " from its send to the first sample that shows it. A warm-up is sent first and not measured."
        + " Run with the default"
        + " early firing (5 s, the design's dashboards-within-10-s) and with 1 s, then with 1 s at a"
        + " twentieth of the rate, which shows the delay of a job that keeps up. Last, the default"
        + " firing seen as the dashboard page sees it: the serving API (refresh 2 s) runs in the"
        + " bench's JVM and an event is visible at the first Server-Sent Event of"
        + " /api/v1/dashboard/stream whose minute count covers it (target p99 <= 10 s).";
  }

  @Override
  public List<Measurement> run(BenchContext context) throws Exception {
    BenchSettings settings = context.settings();
    List<Measurement> rows = new ArrayList<>();
    List<int[]> runs = new ArrayList<>();
    for (int early : EARLY_FIRING_SECONDS) {
      runs.add(new int[] {early, settings.freshnessRate()});
    }
    int sustainable = Math.max(1, settings.freshnessRate() / SUSTAINABLE_RATE_DIVISOR);
    runs.add(new int[] {1, sustainable});
    // Last, what the page is pushed: the default firing, the serving API's default refresh.
    runs.add(new int[] {DEFAULT_EARLY_FIRING_SECONDS, settings.freshnessRate(), 1});
    for (int[] run : runs) {
      int early = run[0];
      int rate = run[1];
      boolean page = run.length > 2;
      boolean atTarget = rate == settings.freshnessRate();
      FreshnessBench.Params params = FreshnessBench.Params.defaults(early)
          .withRate(rate)
          .withDuration(Duration.ofSeconds(settings.freshnessSeconds()))
          .withParallelism(context.cores())
          .withWorkDir(context.workDir().resolve("early-" + early + "s-" + rate + (page ? "-page" : "")));
      if (page) {
        params = params.withDashboardRefresh(QueryServer.DEFAULT_REFRESH);
      }
      context.log(NAME, "%,d events/s for %d s with --earlyFiringSeconds=%d%s", rate,
          settings.freshnessSeconds(), early,
          page ? ", seen through the dashboard's pushes (refresh " + QueryServer.DEFAULT_REFRESH + ")" : "");
      FreshnessBench.Result r = FreshnessBench.run(params);
      context.log(NAME, "%s", r.summary().strip());
      String label = (page ? "dashboard page, " : "") + "early firing " + early + " s"
          + (atTarget ? "" : String.format(Locale.ROOT, " at %,d events/s", rate));
      String notes = String.join("; ", r.notes());
      rows.add(Measurement.of(NAME, label + ": achieved rate", r.achievedRate(), Measurement.EVENTS_PER_SECOND)
          .withNote(String.format(Locale.ROOT, "asked %,.0f; %,d events measured over %.0f s",
              r.rate(), r.measuredEvents(), r.durationSeconds())));
      rows.add(Measurement.of(NAME, label + ": p50", r.p50Millis(), Measurement.MILLISECONDS));
      rows.add(Measurement.of(NAME, label + ": p95", r.p95Millis(), Measurement.MILLISECONDS));
      Measurement p99 = Measurement.of(NAME, label + ": p99", r.p99Millis(), Measurement.MILLISECONDS);
      if (page) {
        p99 = p99.withTarget(Target.atMost(FreshnessBench.PAGE_TARGET_P99_MILLIS))
            .withNote("send to on screen: the early firing, Redis, then the page's next push");
      } else if (atTarget) {
        p99 = p99.withTarget(Target.atMost(FreshnessBench.TARGET_P99_MILLIS));
      } else {
        p99 = p99.withNote("no target: the target is for " + String.format(Locale.ROOT, "%,d",
            settings.freshnessRate()) + " events/s; this rate shows a job that keeps up");
      }
      rows.add(early > 2 && !page ? p99.withNote("an early pane waits up to " + early + " s for its firing") : p99);
      rows.add(Measurement.of(NAME, label + ": max", r.maxMillis(), Measurement.MILLISECONDS));
      rows.add(Measurement.of(NAME, label + ": events not visible", r.notVisible(), Measurement.EVENTS)
          .withTarget(Target.atMost(0))
          .withNote(notes));
    }
    return rows;
  }
}
