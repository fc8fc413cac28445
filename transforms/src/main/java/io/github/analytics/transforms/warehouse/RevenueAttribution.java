package io.github.analytics.transforms.warehouse;

import io.github.analytics.transforms.metrics.MetricTransform;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.BigDecimalCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Revenue attribution: the revenue of each purchase credited to the user's touchpoints ({@link
 * UserTouchpoints}) of the days before it (by default {@value #LOOKBACK_DAYS}: from exactly 30 × 24
 * hours before the purchase to the purchase itself), by five models:
 *
 * <ul>
 *   <li>{@code first_touch}: all to the earliest touchpoint; {@code last_touch}: all to the latest;
 *   <li>{@code linear}: equal shares;
 *   <li>{@code position_based}: 40% to the first and 40% to the last, 20% shared by those between (one
 *       touchpoint takes all, two take half each);
 *   <li>{@code time_decay}: shares proportional to 2^(−age / 7 days), age the time from the
 *       touchpoint to the purchase.
 * </ul>
 *
 * A purchase without a touchpoint in its window goes to the channel {@code (direct)} / {@code (none)}
 * / {@code (not set)}, so each model's credits sum to the day's revenue. Touchpoints at the same
 * instant are ordered by event id. Out: {@link #SCHEMA}, per purchase day, model and channel, the
 * credited revenue and purchases (fractions of a purchase). A run over days D..E rewrites the
 * purchases of D to E + the lookback (its touchpoints may be theirs), reading the lookback before D
 * to that back.
 */
public final class RevenueAttribution extends MetricTransform<Row> implements RewritesDays {
  private static final long serialVersionUID = 1L;

  public static final String NAME = "revenue_attribution";
  public static final int LOOKBACK_DAYS = 30;
  static final double HALF_LIFE_MILLIS = 7 * 86_400_000.0;
  public static final List<String> MODELS =
      List.of("first_touch", "last_touch", "linear", "position_based", "time_decay");
  public static final String DIRECT = "(direct)";
  public static final String NONE = "(none)";

  public static final Schema SCHEMA =
      Schema.builder()
          .addDateTimeField("day")
          .addStringField("model")
          .addStringField("source")
          .addStringField("medium")
          .addStringField("campaign")
          .addDoubleField("revenue")
          .addDoubleField("purchases")
          .build();

  public static final List<String> KEY_COLUMNS = List.of("day", "model", "source", "medium", "campaign");

  private final @Nullable DayRange run;
  private final int lookbackDays;

  private RevenueAttribution(@Nullable DayRange run, int lookbackDays) {
    if (lookbackDays < 1) {
      throw new IllegalArgumentException("The lookback is at least a day, got " + lookbackDays);
    }
    this.run = run;
    this.lookbackDays = lookbackDays;
  }

  /** Attribution over the default {@value #LOOKBACK_DAYS} days. */
  public static RevenueAttribution of(@Nullable DayRange run) {
    return new RevenueAttribution(run, LOOKBACK_DAYS);
  }

  /** Attribution over the {@code lookbackDays} before each purchase. */
  public static RevenueAttribution of(@Nullable DayRange run, int lookbackDays) {
    return new RevenueAttribution(run, lookbackDays);
  }

  @Override
  public Schema outputSchema() {
    return SCHEMA;
  }

  @Override
  public List<String> keyColumns() {
    return KEY_COLUMNS;
  }

  @Override
  public DayRange replacedDays(DayRange run) {
    return DayRange.of(run.from(), run.to().plusDays(lookbackDays));
  }

  @Override
  public DayRange readDays(DayRange run) {
    return DayRange.of(run.from().minusDays(lookbackDays), run.to().plusDays(lookbackDays));
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> touchpoints) {
    if (run == null) {
      throw new IllegalStateException("RevenueAttribution rewrites the purchases a batch run can"
          + " change, so it needs the run's days: build it from MetricConfig.withRunDays(...)");
    }
    DayRange purchases = replacedDays(run);
    return touchpoints
        .apply("ByUser", ParDo.of(new DoFn<Row, KV<String, Row>>() {
          private static final long serialVersionUID = 1L;

          @ProcessElement
          public void process(@Element Row row, OutputReceiver<KV<String, Row>> out) {
            out.output(KV.of(row.getString("user_id"), row));
          }
        }))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), RowCoder.of(UserTouchpoints.SCHEMA)))
        .apply("UsersJourneys", GroupByKey.create())
        .apply("CreditTouchpoints", ParDo.of(new CreditFn(purchases, lookbackDays)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ExactSumsCoder.INSTANCE))
        .apply("PerDayModelAndChannel",
            Combine.perKey(BundlePartials.merging(new SumFn(), SumsCoder.INSTANCE)))
        .apply("ToRows", ParDo.of(new ToRowFn()))
        .setRowSchema(SCHEMA);
  }

  /** The credits of one purchase to its touchpoints, by model: shares that sum to 1. */
  static double[][] shares(long purchaseMillis, long[] touchMillis) {
    int n = touchMillis.length;
    double[][] shares = new double[MODELS.size()][n];
    shares[0][0] = 1;
    shares[1][n - 1] = 1;
    for (int i = 0; i < n; i++) {
      shares[2][i] = 1.0 / n;
    }
    if (n == 1) {
      shares[3][0] = 1;
    } else if (n == 2) {
      shares[3][0] = 0.5;
      shares[3][1] = 0.5;
    } else {
      shares[3][0] = 0.4;
      shares[3][n - 1] = 0.4;
      for (int i = 1; i < n - 1; i++) {
        shares[3][i] = 0.2 / (n - 2);
      }
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      shares[4][i] = Math.pow(2, -(purchaseMillis - touchMillis[i]) / HALF_LIFE_MILLIS);
      total += shares[4][i];
    }
    for (int i = 0; i < n; i++) {
      shares[4][i] /= total;
    }
    return shares;
  }

  /**
   * Per (day, model, channel), the exact sums of the bundle's credits: [revenue, purchases], each
   * purchase's credits adding up to its revenue and to 1.
   */
  private static final class CreditFn
      extends DoFn<KV<String, Iterable<Row>>, KV<String, BigDecimal[]>> {
    private static final long serialVersionUID = 1L;
    private final DayRange purchases;
    private final long lookbackMillis;
    private transient BundlePartials<String, double[], BigDecimal[]> sums;

    CreditFn(DayRange purchases, int lookbackDays) {
      this.purchases = purchases;
      this.lookbackMillis = lookbackDays * Periods.DAY_MILLIS;
    }

    @StartBundle
    public void startBundle() {
      sums = new BundlePartials<>(new SumFn());
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      sums.emit(context);
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<Row>> user, OutputReceiver<KV<String, BigDecimal[]>> out) {
      if (!credit(user.getValue())) {
        sums.emit(out);
      }
    }

    /** Adds the credits of a user's purchases; false when the bundle's partials are to go out. */
    private boolean credit(Iterable<Row> journey) {
      boolean room = true;
      List<Row> touches = new ArrayList<>();
      List<Row> bought = new ArrayList<>();
      for (Row row : journey) {
        (UserTouchpoints.PURCHASE.equals(row.getString("kind")) ? bought : touches).add(row);
      }
      Comparator<Row> order = Comparator.comparingLong((Row r) -> r.getDateTime("event_timestamp").getMillis())
          .thenComparing(r -> r.getString("event_id"));
      touches.sort(order);
      for (Row purchase : bought) {
        long at = purchase.getDateTime("event_timestamp").getMillis();
        long day = Math.floorDiv(at, Periods.DAY_MILLIS);
        if (!purchases.contains(day)) {
          continue;
        }
        double revenue = purchase.getDouble("revenue");
        List<Row> window = new ArrayList<>();
        for (Row touch : touches) {
          long t = touch.getDateTime("event_timestamp").getMillis();
          if (t >= at - lookbackMillis && t <= at) {
            window.add(touch);
          }
        }
        if (window.isEmpty()) {
          for (String model : MODELS) {
            room &= sums.add(key(day, model, DIRECT, NONE, UserTouchpoints.NOT_SET),
                new double[] {revenue, 1});
          }
          continue;
        }
        long[] times = new long[window.size()];
        for (int i = 0; i < times.length; i++) {
          times[i] = window.get(i).getDateTime("event_timestamp").getMillis();
        }
        double[][] shares = shares(at, times);
        for (int m = 0; m < MODELS.size(); m++) {
          for (int i = 0; i < times.length; i++) {
            if (shares[m][i] != 0) {
              Row touch = window.get(i);
              room &= sums.add(key(day, MODELS.get(m), touch.getString("source"),
                      touch.getString("medium"), touch.getString("campaign")),
                  new double[] {revenue * shares[m][i], shares[m][i]});
            }
          }
        }
      }
      return room;
    }
  }

  private static final char SEPARATOR = '\u0000';

  static String key(long day, String model, String source, String medium, String campaign) {
    return day + String.valueOf(SEPARATOR) + model + SEPARATOR + source + SEPARATOR + medium
        + SEPARATOR + campaign;
  }

  private static final class ToRowFn extends DoFn<KV<String, double[]>, Row> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<String, double[]> cell, OutputReceiver<Row> out) {
      String[] parts = cell.getKey().split(String.valueOf(SEPARATOR), 5);
      out.output(Row.withSchema(SCHEMA).attachValues(
          new Instant(Long.parseLong(parts[0]) * Periods.DAY_MILLIS), parts[1], parts[2], parts[3],
          parts[4], cell.getValue()[0], cell.getValue()[1]));
    }
  }

  /**
   * Sums [revenue, purchases] pairs exactly: each credit is added as the exact decimal value of its
   * double, so the sum does not depend on the order the runner merges partial sums in, and a re-run
   * writes the same value to the last bit.
   */
  private static final class SumFn extends CombineFn<double[], BigDecimal[], double[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public BigDecimal[] createAccumulator() {
      return new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO};
    }

    @Override
    public BigDecimal[] addInput(BigDecimal[] accumulator, double[] input) {
      accumulator[0] = accumulator[0].add(new BigDecimal(input[0]));
      accumulator[1] = accumulator[1].add(new BigDecimal(input[1]));
      return accumulator;
    }

    @Override
    public BigDecimal[] mergeAccumulators(Iterable<BigDecimal[]> accumulators) {
      BigDecimal[] sum = createAccumulator();
      for (BigDecimal[] a : accumulators) {
        sum[0] = sum[0].add(a[0]);
        sum[1] = sum[1].add(a[1]);
      }
      return sum;
    }

    @Override
    public double[] extractOutput(BigDecimal[] accumulator) {
      return new double[] {accumulator[0].doubleValue(), accumulator[1].doubleValue()};
    }

    @Override
    public Coder<BigDecimal[]> getAccumulatorCoder(CoderRegistry registry, Coder<double[]> input) {
      return ExactSumsCoder.INSTANCE;
    }

    @Override
    public Coder<double[]> getDefaultOutputCoder(CoderRegistry registry, Coder<double[]> input) {
      return SumsCoder.INSTANCE;
    }
  }

  static final class ExactSumsCoder extends AtomicCoder<BigDecimal[]> {
    private static final long serialVersionUID = 1L;
    static final ExactSumsCoder INSTANCE = new ExactSumsCoder();

    @Override
    public void encode(BigDecimal[] value, OutputStream out) throws IOException {
      BigDecimalCoder.of().encode(value[0], out);
      BigDecimalCoder.of().encode(value[1], out);
    }

    @Override
    public BigDecimal[] decode(InputStream in) throws IOException {
      return new BigDecimal[] {BigDecimalCoder.of().decode(in), BigDecimalCoder.of().decode(in)};
    }

    @Override
    public void verifyDeterministic() {}
  }

  static final class SumsCoder extends AtomicCoder<double[]> {
    private static final long serialVersionUID = 1L;
    static final SumsCoder INSTANCE = new SumsCoder();

    @Override
    public void encode(double[] value, OutputStream out) throws IOException {
      DoubleCoder.of().encode(value[0], out);
      DoubleCoder.of().encode(value[1], out);
    }

    @Override
    public double[] decode(InputStream in) throws IOException {
      return new double[] {DoubleCoder.of().decode(in), DoubleCoder.of().decode(in)};
    }

    @Override
    public void verifyDeterministic() {}
  }
}
