package io.github.analytics.transforms.metrics;

import io.github.analytics.schemas.Event;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * Flags event-time windows whose event count per {@code event_type} lies more than {@link
 * #withThreshold threshold} standard deviations from the series' rolling mean.
 *
 * <p>In: enriched {@link Event}s, timestamped at event time. Out: one row per alert, {@link #SCHEMA},
 * timestamped and windowed like the window it judges; nothing for a normal window.
 *
 * <p>How it works:
 *
 * <ol>
 *   <li>Count events per {@code event_type} and {@link #withWindow window} (default one minute) with
 *       the policy's trigger but <em>without early firings</em>: a partial count would look like a drop.
 *   <li>Per event type, in the global window, buffer the window counts and judge them in event-time
 *       order when the watermark passes them (one event-time timer per event type, set at the end of
 *       the latest buffered window: by then every window up to it that will come on time has come).
 *       Windows between the series' first window and the one judged that had no event count as 0, so a
 *       series falling silent is a drop.
 *   <li>A window is judged against the previous up to {@link #withHistory history} values (not itself)
 *       once there are at least {@link #withMinHistory minHistory}: {@code z = (value - mean) /
 *       stddev}, where {@code stddev} is the population standard deviation of those values (n, not
 *       n - 1: with 30 or more values the difference is under 2%), floored at the noise of a count
 *       with that mean: {@code max(minStddev, sqrt(dispersion * mean))}, with {@link #withDispersion
 *       dispersion} 8 above the mean and 2 below it by default (1 would be Poisson). Without the floor
 *       a flat series alerts on every tick of noise; with it a low-volume series (purchases at 2 a
 *       minute) needs {@code 2 + 3 * sqrt(8 * 2) = 14} to alert at a threshold of 3, and a series of
 *       20 a minute that falls silent alerts. The row carries the floored {@code stddev}, so {@code
 *       z_score} can be recomputed from it.
 * </ol>
 *
 * <p>Streaming: a window is judged once, at its on-time pane; a late pane for a window already judged
 * is ignored and counted as {@link PipelineCounters#ANOMALY_LATE_UPDATES_IGNORED}. A window without a
 * pane is judged as a silence (0) once the watermark passes its end, so a series falling silent
 * alerts within a window, and the step's output watermark is never held more than a window behind
 * its input (it used to wait for the series to resume: a silent event type held every alert of the
 * job back for up to {@code history} windows). After {@code history} silent windows a series is
 * forgotten (its state cleared); when it comes back it starts cold, in batch and streaming alike. In
 * batch the input ends, so silences are judged only between windows with data (a gap longer than
 * the history: its first {@code history} windows). Allowed lateness should stay below {@code history}
 * windows: a late pane after the expiry would start the series afresh.
 *
 * <pre>{@code
 * PCollection<Row> alerts = events.apply("Anomalies",
 *     DetectAnomalies.of(policy).withHistory(60).withMinHistory(30).withThreshold(3.0));
 * }</pre>
 */
public final class DetectAnomalies extends MetricTransform<Event> {
  private static final long serialVersionUID = 1L;

  public static final Schema SCHEMA =
      Schema.builder()
          .addStringField("series")
          .addStringField("series_key")
          .addDateTimeField("window_start")
          .addDateTimeField("window_end")
          .addInt64Field("value")
          .addDoubleField("mean")
          .addDoubleField("stddev")
          .addDoubleField("z_score")
          .addStringField("direction")
          .build();

  /** The columns that identify a row: a later row with the same values replaces it. */
  public static final List<String> KEY_COLUMNS = List.of("series", "series_key", "window_start");

  /** Default floor of the standard deviation, in events per window. */
  public static final double DEFAULT_MIN_STDDEV = 1.0;
  /**
   * Default variance-to-mean ratio assumed above the mean. Event counts are not Poisson: a session
   * sends several events within a minute, so a few sessions make a burst. On generated days (20k and
   * 200k events, eight seeds) a ratio of 8 gives no alert on a day without a planted anomaly and
   * finds every planted error burst; Poisson (1) gives about 20 false alarms a day at 20k events.
   */
  public static final double DEFAULT_SPIKE_DISPERSION = 8.0;
  /**
   * Default variance-to-mean ratio assumed below the mean: bursts do not make a minute emptier, so
   * drops get a tighter floor, and a series of 20 a minute that falls silent alerts (z = -20 /
   * sqrt(2 * 20) = -3.2).
   */
  public static final double DEFAULT_DROP_DISPERSION = 2.0;
  /** Default window: one minute. */
  public static final Duration DEFAULT_WINDOW = Duration.standardMinutes(1);

  private final WindowPolicy policy;
  private final int history;
  private final int minHistory;
  private final double threshold;
  private final double minStddev;
  private final double spikeDispersion;
  private final double dropDispersion;
  private final Duration window;

  private DetectAnomalies(
      WindowPolicy policy,
      int history,
      int minHistory,
      double threshold,
      double minStddev,
      double spikeDispersion,
      double dropDispersion,
      Duration window) {
    this.policy = policy;
    this.history = history;
    this.minHistory = minHistory;
    this.threshold = threshold;
    this.minStddev = minStddev;
    this.spikeDispersion = spikeDispersion;
    this.dropDispersion = dropDispersion;
    this.window = window;
  }

  /** The defaults of {@link MetricConfig}: 60 windows of history, 30 needed, threshold 3. */
  public static DetectAnomalies of(WindowPolicy policy) {
    return new DetectAnomalies(
        policy,
        MetricConfig.DEFAULT_ANOMALY_HISTORY,
        MetricConfig.DEFAULT_ANOMALY_MIN_HISTORY,
        MetricConfig.DEFAULT_ANOMALY_THRESHOLD,
        DEFAULT_MIN_STDDEV,
        DEFAULT_SPIKE_DISPERSION,
        DEFAULT_DROP_DISPERSION,
        DEFAULT_WINDOW);
  }

  /** How many past windows the mean and standard deviation cover. */
  public DetectAnomalies withHistory(int windows) {
    return new DetectAnomalies(
        policy, windows, minHistory, threshold, minStddev, spikeDispersion, dropDispersion, window);
  }

  /** How many past windows a series needs before it may alert. */
  public DetectAnomalies withMinHistory(int windows) {
    return new DetectAnomalies(
        policy, history, windows, threshold, minStddev, spikeDispersion, dropDispersion, window);
  }

  /** Alert beyond this many standard deviations from the mean. */
  public DetectAnomalies withThreshold(double deviations) {
    return new DetectAnomalies(
        policy, history, minHistory, deviations, minStddev, spikeDispersion, dropDispersion, window);
  }

  /** The smallest standard deviation used, in events per window, whatever the mean. */
  public DetectAnomalies withMinStddev(double events) {
    return new DetectAnomalies(
        policy, history, minHistory, threshold, events, spikeDispersion, dropDispersion, window);
  }

  /**
   * The noise the standard deviation floor assumes, as variance-to-mean ratios (1 is Poisson): above
   * the mean the floor is {@code sqrt(spikes * mean)}, below it {@code sqrt(drops * mean)}.
   */
  public DetectAnomalies withDispersion(double spikes, double drops) {
    return new DetectAnomalies(
        policy, history, minHistory, threshold, minStddev, spikes, drops, window);
  }

  /** The length of the windows counted. */
  public DetectAnomalies withWindow(Duration length) {
    return new DetectAnomalies(
        policy, history, minHistory, threshold, minStddev, spikeDispersion, dropDispersion, length);
  }

  @Override
  public Schema outputSchema() {
    return SCHEMA;
  }

  @Override
  public List<String> keyColumns() {
    return KEY_COLUMNS;
  }

  /** {@code events_per_minute} for the default window, else {@code events_per_<n>_minutes} or s. */
  static String seriesName(Duration window) {
    if (window.equals(DEFAULT_WINDOW)) {
      return "events_per_minute";
    }
    if (window.getMillis() % 60_000 == 0) {
      return "events_per_" + window.getStandardMinutes() + "_minutes";
    }
    return "events_per_" + window.getMillis() + "_ms";
  }

  @Override
  public PCollection<Row> expand(PCollection<Event> events) {
    if (minHistory < 2 || history < minHistory) {
      throw new IllegalArgumentException(
          "DetectAnomalies needs 2 <= minHistory <= history, got minHistory=" + minHistory
              + " history=" + history);
    }
    if (!(threshold > 0)) {
      throw new IllegalArgumentException("The anomaly threshold must be positive, got " + threshold);
    }
    if (!(minStddev > 0)) {
      throw new IllegalArgumentException(
          "The standard deviation floor must be positive, got " + minStddev + "; the default is "
              + DEFAULT_MIN_STDDEV);
    }
    if (!(spikeDispersion >= 0) || !(dropDispersion >= 0)) {
      throw new IllegalArgumentException(
          "The dispersions must be zero or positive, got spikes=" + spikeDispersion + " drops="
              + dropDispersion + "; the defaults are " + DEFAULT_SPIKE_DISPERSION + " and "
              + DEFAULT_DROP_DISPERSION);
    }
    if (window == null || !window.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("The window must be positive, got " + window);
    }
    WindowPolicy onTimeOnly = policy.withoutEarlyFirings();
    return perEvent(events, "EventTypes", new EventTypeFn())
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .apply("PerWindow", onTimeOnly.<KV<String, Long>>window(FixedWindows.of(window)))
        .apply("Count", CombineInBundles.<String, Long, Long, Long>of(Counting.fn(), Counting.fn()))
        .apply("WithWindowStart", ParDo.of(new WithWindowStartFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(VarLongCoder.of(), VarLongCoder.of())))
        .apply("IntoGlobalWindow",
            Window.<KV<String, KV<Long, Long>>>into(new GlobalWindows()))
        .apply("Judge", ParDo.of(new JudgeAnomaliesFn(
            seriesName(window), window.getMillis(), history, minHistory, threshold, minStddev,
            spikeDispersion, dropDispersion,
            events.isBounded() == PCollection.IsBounded.BOUNDED)))
        .setRowSchema(SCHEMA)
        .apply("IntoJudgedWindow", onTimeOnly.<Row>window(FixedWindows.of(window)));
  }

  /** Tags each count with its window's start, which the global window would otherwise lose. */
  /** Each event as a count of one for its event type. */
  static final class EventTypeFn extends PerEventFn<KV<String, Long>> {
    private static final long serialVersionUID = 1L;

    @Override
    protected void process(Event event, OutputReceiver<KV<String, Long>> out) {
      out.output(KV.of(event.getEventType(), 1L));
    }
  }

  static final class WithWindowStartFn extends DoFn<KV<String, Long>, KV<String, KV<Long, Long>>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<String, Long> count,
        IntervalWindow window,
        OutputReceiver<KV<String, KV<Long, Long>>> out) {
      out.output(KV.of(count.getKey(), KV.of(window.start().getMillis(), count.getValue())));
    }
  }
}
