package io.github.analytics.transforms.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Stage B of {@link TrackFunnels}: combines one funnel-day's "user reached step k after t ms"
 * records into the users per step and the exact median time to each step. Every final record is a
 * distinct (user, step), so counting records counts users, and an accumulating pane that adds
 * records never counts a user twice. The live figure counts the provisional records and the final
 * ones not shown as provisional before ({@link FunnelTracker#FINAL}): each (user, step) once too.
 *
 * <p>Output: a {@link #SUMMARY} row with {@code users[k-1]}, {@code live_users[k-1]} and {@code
 * median_seconds[k-1]} for steps 1 to the furthest step reached (live or final); the median is null
 * for step 1 (always 0) and comes from final records only.
 */
final class FunnelStepsFn extends CombineFn<Row, FunnelStepsFn.Accumulator, Row> {
  private static final long serialVersionUID = 1L;

  static final Schema SUMMARY =
      Schema.builder()
          .addArrayField("users", FieldType.INT64)
          .addArrayField("live_users", FieldType.INT64)
          .addArrayField("median_seconds", FieldType.DOUBLE.withNullable(true))
          .build();

  /** Users per step (final, live), and the final times of the users of each step after the first. */
  static final class Accumulator {
    final Map<Integer, Long> users = new TreeMap<>();
    final Map<Integer, Long> live = new TreeMap<>();
    final Map<Integer, List<Long>> millis = new TreeMap<>();
  }

  @Override
  public Accumulator createAccumulator() {
    return new Accumulator();
  }

  @Override
  public Accumulator addInput(Accumulator accumulator, Row reached) {
    int step = reached.getInt32("step");
    byte kind = reached.getByte("kind");
    if (kind != FunnelTracker.FINAL_SHOWN_LIVE) {
      accumulator.live.merge(step, 1L, Long::sum);
    }
    if (kind == FunnelTracker.PROVISIONAL) {
      return accumulator;
    }
    accumulator.users.merge(step, 1L, Long::sum);
    if (step > 1) {
      accumulator.millis.computeIfAbsent(step, s -> new ArrayList<>())
          .add(reached.getInt64("millis_to_step"));
    }
    return accumulator;
  }

  @Override
  public Accumulator mergeAccumulators(Iterable<Accumulator> accumulators) {
    Accumulator merged = new Accumulator();
    for (Accumulator a : accumulators) {
      a.users.forEach((step, n) -> merged.users.merge(step, n, Long::sum));
      a.live.forEach((step, n) -> merged.live.merge(step, n, Long::sum));
      a.millis.forEach(
          (step, times) -> merged.millis.computeIfAbsent(step, s -> new ArrayList<>()).addAll(times));
    }
    return merged;
  }

  @Override
  public Row extractOutput(Accumulator accumulator) {
    int furthest =
        Math.max(furthest(accumulator.users.keySet()), furthest(accumulator.live.keySet()));
    List<Long> users = new ArrayList<>(furthest);
    List<Long> live = new ArrayList<>(furthest);
    List<@Nullable Double> medians = new ArrayList<>(furthest);
    for (int step = 1; step <= furthest; step++) {
      users.add(accumulator.users.getOrDefault(step, 0L));
      live.add(accumulator.live.getOrDefault(step, 0L));
      medians.add(step == 1 ? null : medianSeconds(accumulator.millis.get(step)));
    }
    return Row.withSchema(SUMMARY).attachValues(users, live, medians);
  }

  private static int furthest(Iterable<Integer> steps) {
    int furthest = 0;
    for (int step : steps) {
      furthest = Math.max(furthest, step);
    }
    return furthest;
  }

  /** The exact median in seconds: the middle value, or the mean of the two middle values. */
  static @Nullable Double medianSeconds(@Nullable List<Long> millis) {
    if (millis == null || millis.isEmpty()) {
      return null;
    }
    List<Long> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    int n = sorted.size();
    double median =
        n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + (double) sorted.get(n / 2)) / 2;
    return median / 1000.0;
  }

  @Override
  public Coder<Accumulator> getAccumulatorCoder(CoderRegistry registry, Coder<Row> inputCoder) {
    return new AccumulatorCoder();
  }

  @Override
  public Coder<Row> getDefaultOutputCoder(CoderRegistry registry, Coder<Row> inputCoder) {
    return RowCoder.of(SUMMARY);
  }

  static final class AccumulatorCoder extends CustomCoder<Accumulator> {
    private static final long serialVersionUID = 1L;
    private static final MapCoder<Integer, Long> USERS =
        MapCoder.of(VarIntCoder.of(), VarLongCoder.of());
    private static final MapCoder<Integer, List<Long>> MILLIS =
        MapCoder.of(VarIntCoder.of(), ListCoder.of(VarLongCoder.of()));

    @Override
    public void encode(Accumulator value, OutputStream out) throws IOException {
      USERS.encode(value.users, out);
      USERS.encode(value.live, out);
      MILLIS.encode(value.millis, out);
    }

    @Override
    public Accumulator decode(InputStream in) throws IOException {
      Accumulator value = new Accumulator();
      value.users.putAll(USERS.decode(in));
      value.live.putAll(USERS.decode(in));
      MILLIS.decode(in).forEach((step, times) -> value.millis.put(step, new ArrayList<>(times)));
      return value;
    }
  }
}
