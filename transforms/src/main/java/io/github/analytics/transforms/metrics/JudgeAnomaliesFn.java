package io.github.analytics.transforms.metrics;

import io.github.analytics.transforms.AnySkew;
import io.github.analytics.transforms.PipelineCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The last step of {@link DetectAnomalies}: judges one series (key = event type) in event-time order.
 *
 * <p>One timer per key. While windows are buffered it fires at the end of the latest one: in batch
 * the watermark jumps to the end of time, so it fires once and judges the whole input in order (a
 * timer per window, or at the earliest window, would fire once per window and re-read the buffer
 * each time); in streaming the on-time panes arrive as the watermark passes their windows, so the
 * latest buffered window has already ended and the timer fires at once. When the buffer is empty
 * the same timer fires at the end of the next window and judges it as a silence if no pane came for
 * it, so a series falling silent alerts within a window of its silence; after {@code history} silent
 * windows the series is forgotten (its state cleared). On a bounded input it is not set again, as the
 * input has ended: there, silences are judged between windows with data, and a gap of {@code history}
 * windows or more is judged for its first {@code history} windows, then forgotten, as streaming does.
 *
 * <p>The timer's output timestamp holds the output watermark at the earliest window that may still
 * alert: the first buffered window, or the first unjudged one, so alerts carry their window's
 * timestamp and are not late; the hold is never more than a window behind the input watermark.
 */
final class JudgeAnomaliesFn extends DoFn<KV<String, KV<Long, Long>>, Row> {
  private static final long serialVersionUID = 1L;

  private final String series;
  private final long windowMillis;
  private final int history;
  private final int minHistory;
  private final double threshold;
  private final double minStddev;
  private final double spikeDispersion;
  private final double dropDispersion;
  private final boolean bounded;
  private final Counter lateIgnored =
      PipelineCounters.counter(PipelineCounters.ANOMALY_LATE_UPDATES_IGNORED);

  /** (window start, count) of panes not yet judged; a window's later pane has the larger count. */
  @StateId("buffer")
  private final StateSpec<BagState<KV<Long, Long>>> bufferSpec =
      StateSpecs.bag(KvCoder.of(VarLongCoder.of(), VarLongCoder.of()));

  /** The last {@code history} judged values, oldest first. */
  @StateId("history")
  private final StateSpec<ValueState<List<Long>>> historySpec =
      StateSpecs.value(ListCoder.of(VarLongCoder.of()));

  /** Start of the last judged window, which always had data. */
  @StateId("lastJudged")
  private final StateSpec<ValueState<Long>> lastJudgedSpec = StateSpecs.value(VarLongCoder.of());

  /** Start of the earliest and the latest buffered window, to set the timer without a read. */
  @StateId("bufferedMin")
  private final StateSpec<ValueState<Long>> bufferedMinSpec = StateSpecs.value(VarLongCoder.of());

  @StateId("bufferedMax")
  private final StateSpec<ValueState<Long>> bufferedMaxSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("judge")
  private final TimerSpec judgeSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  JudgeAnomaliesFn(
      String series,
      long windowMillis,
      int history,
      int minHistory,
      double threshold,
      double minStddev,
      double spikeDispersion,
      double dropDispersion,
      boolean bounded) {
    this.series = series;
    this.windowMillis = windowMillis;
    this.history = history;
    this.minHistory = minHistory;
    this.threshold = threshold;
    this.minStddev = minStddev;
    this.spikeDispersion = spikeDispersion;
    this.dropDispersion = dropDispersion;
    this.bounded = bounded;
  }

  @ProcessElement
  public void processElement(
      @Element KV<String, KV<Long, Long>> element,
      @StateId("buffer") BagState<KV<Long, Long>> buffer,
      @StateId("lastJudged") ValueState<Long> lastJudged,
      @StateId("bufferedMin") ValueState<Long> bufferedMin,
      @StateId("bufferedMax") ValueState<Long> bufferedMax,
      @TimerId("judge") Timer judge) {
    long start = element.getValue().getKey();
    Long judged = lastJudged.read();
    if (judged != null && start <= judged) {
      lateIgnored.inc();
      return;
    }
    buffer.add(element.getValue());
    Long min = bufferedMin.read();
    Long max = bufferedMax.read();
    min = min == null ? start : Math.min(min, start);
    max = max == null ? start : Math.max(max, start);
    bufferedMin.write(min);
    bufferedMax.write(max);
    long holdFrom = judged == null ? min : Math.min(min, judged + windowMillis);
    judge.withOutputTimestamp(maxTimestamp(holdFrom)).set(new Instant(max + windowMillis));
  }

  @OnTimer("judge")
  public void onJudge(
      OnTimerContext context,
      @Key String eventType,
      @StateId("buffer") BagState<KV<Long, Long>> buffer,
      @StateId("history") ValueState<List<Long>> historyState,
      @StateId("lastJudged") ValueState<Long> lastJudged,
      @StateId("bufferedMin") ValueState<Long> bufferedMin,
      @StateId("bufferedMax") ValueState<Long> bufferedMax,
      @TimerId("judge") Timer judge,
      OutputReceiver<Row> out) {
    long now = context.fireTimestamp().getMillis();
    TreeMap<Long, Long> pending = new TreeMap<>();
    for (KV<Long, Long> pane : buffer.read()) {
      pending.merge(pane.getKey(), pane.getValue(), Math::max);
    }
    Long judged = lastJudged.read();
    List<Long> values = historyState.read();
    values = values == null ? new ArrayList<>() : new ArrayList<>(values);
    // Judge, in order, every window that has ended by now: from the first unjudged one, a window
    // without a pane is a silence (0). A bounded input judges silences only between windows with data
    // (the input ends; nothing says the series stopped), an unbounded one as the watermark passes
    // them, so a drop alerts as soon as its minute is over.
    while (true) {
      Long next;
      if (judged == null) {
        next = pending.isEmpty() ? null : pending.firstKey();
      } else {
        next = judged + windowMillis;
        if (bounded && pending.isEmpty()) {
          next = null;
        }
      }
      if (next == null || next + windowMillis > now) {
        break;
      }
      Long count = pending.remove(next);
      if (count == null && trailingSilences(values) >= history) {
        // Silent for the whole history: forget the series; it starts cold when it resumes.
        values.clear();
        judged = null;
        continue;
      }
      judgeOne(eventType, next, count == null ? 0 : count, values, out);
      judged = next;
    }
    buffer.clear();
    bufferedMin.clear();
    bufferedMax.clear();
    if (!pending.isEmpty()) {
      // Panes of windows that have not ended by now: judged at the end of the latest.
      pending.forEach((start, count) -> buffer.add(KV.of(start, count)));
      bufferedMin.write(pending.firstKey());
      bufferedMax.write(pending.lastKey());
    }
    if (judged == null) {
      historyState.clear();
      lastJudged.clear();
      if (!pending.isEmpty()) {
        judge.withOutputTimestamp(maxTimestamp(pending.firstKey()))
            .set(new Instant(pending.lastKey() + windowMillis));
      }
      return;
    }
    historyState.write(values);
    lastJudged.write(judged);
    long firstUnjudged = judged + windowMillis;
    if (!pending.isEmpty()) {
      judge.withOutputTimestamp(maxTimestamp(firstUnjudged))
          .set(new Instant(pending.lastKey() + windowMillis));
    } else if (!bounded) {
      // The end of the next window: judged then, as a silence if no pane came for it. The hold keeps
      // its alert on time. (A bounded input sets no timer here: it ends, and on Flink's DataStream
      // translation a timer set while its last timers fire never fires, but would hold the watermark.)
      judge.withOutputTimestamp(maxTimestamp(firstUnjudged)).set(new Instant(firstUnjudged + windowMillis));
    }
  }

  /** How many of the latest values are silences: a window with data counts at least 1. */
  private static int trailingSilences(List<Long> values) {
    int silent = 0;
    for (int i = values.size() - 1; i >= 0 && values.get(i) == 0; i--) {
      silent++;
    }
    return silent;
  }

  /**
   * Judges {@code value} of the window starting at {@code start} against {@code values} (the
   * previous windows, oldest first), outputs an alert if it is one, and appends it to them.
   */
  private void judgeOne(
      String eventType, long start, long value, List<Long> values, OutputReceiver<Row> out) {
    if (values.size() >= minHistory) {
      double mean = 0;
      for (long v : values) {
        mean += v;
      }
      mean /= values.size();
      double squares = 0;
      for (long v : values) {
        squares += (v - mean) * (v - mean);
      }
      double dispersion = value > mean ? spikeDispersion : dropDispersion;
      double floor = Math.max(minStddev, Math.sqrt(dispersion * mean));
      double stddev = Math.max(Math.sqrt(squares / values.size()), floor);
      double z = (value - mean) / stddev;
      if (Math.abs(z) > threshold) {
        Instant windowStart = new Instant(start);
        out.outputWithTimestamp(
            Row.withSchema(DetectAnomalies.SCHEMA)
                .attachValues(
                    series, eventType, windowStart, new Instant(start + windowMillis), value,
                    mean, stddev, z, z > 0 ? "spike" : "drop"),
            maxTimestamp(start));
      }
    }
    values.add(value);
    if (values.size() > history) {
      values.remove(0);
    }
  }

  /** The timestamp of the window starting at {@code start}, as its count carries it. */
  private Instant maxTimestamp(long start) {
    return new Instant(start + windowMillis - 1);
  }

  /**
   * The timer's output timestamp is set to the earliest window that may still alert, which can be
   * before the current input's timestamp (a pane of a later window, or a resumed series): Beam's
   * check cannot tell that this only keeps a hold that is already in place, so it is lifted here.
   */
  @Override
  @SuppressWarnings("deprecation")
  public Duration getAllowedTimestampSkew() {
    return AnySkew.DURATION;
  }
}
