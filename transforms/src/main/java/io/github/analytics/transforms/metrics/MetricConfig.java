package io.github.analytics.transforms.metrics;

import io.github.analytics.transforms.warehouse.AnalyticsSettings;
import io.github.analytics.transforms.warehouse.DayRange;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Everything a metric may be configured by: the {@link WindowPolicy} of the layer that runs it, and
 * the metrics' own settings. Immutable; {@code withX} returns a copy. Pipelines build it from their
 * options; metrics never read options themselves.
 */
public final class MetricConfig {
  /** Default inactivity gap that closes a session. */
  public static final Duration DEFAULT_SESSION_GAP = Duration.standardMinutes(30);
  /** Default HLL++ precision: BigQuery's default, 2^15 registers, relative standard error 0.57%. */
  public static final int DEFAULT_HLL_PRECISION = 15;
  /** Default number of past windows the anomaly detector's mean and standard deviation cover. */
  public static final int DEFAULT_ANOMALY_HISTORY = 60;
  /** Default number of past windows a series needs before it may alert. */
  public static final int DEFAULT_ANOMALY_MIN_HISTORY = 30;
  /** Default alert threshold, in standard deviations from the rolling mean. */
  public static final double DEFAULT_ANOMALY_THRESHOLD = 3.0;

  private final WindowPolicy policy;
  private final Duration sessionGap;
  private final int hllPrecision;
  private final List<FunnelDefinition> funnels;
  private final int anomalyHistory;
  private final int anomalyMinHistory;
  private final double anomalyThreshold;
  private final @Nullable DayRange runDays;
  private final AnalyticsSettings analytics;

  private MetricConfig(
      WindowPolicy policy,
      Duration sessionGap,
      int hllPrecision,
      List<FunnelDefinition> funnels,
      int anomalyHistory,
      int anomalyMinHistory,
      double anomalyThreshold,
      @Nullable DayRange runDays,
      AnalyticsSettings analytics) {
    this.policy = policy;
    this.sessionGap = sessionGap;
    this.hllPrecision = hllPrecision;
    this.funnels = List.copyOf(funnels);
    this.anomalyHistory = anomalyHistory;
    this.anomalyMinHistory = anomalyMinHistory;
    this.anomalyThreshold = anomalyThreshold;
    this.runDays = runDays;
    this.analytics = analytics;
  }

  /** The defaults, with the given window policy. */
  public static MetricConfig of(WindowPolicy policy) {
    return new MetricConfig(
        policy,
        DEFAULT_SESSION_GAP,
        DEFAULT_HLL_PRECISION,
        FunnelDefinition.defaults(),
        DEFAULT_ANOMALY_HISTORY,
        DEFAULT_ANOMALY_MIN_HISTORY,
        DEFAULT_ANOMALY_THRESHOLD,
        null,
        AnalyticsSettings.defaults());
  }

  /** The defaults in batch: what schemas and documentation are derived from. */
  public static MetricConfig defaults() {
    return of(WindowPolicy.batch());
  }

  public WindowPolicy policy() {
    return policy;
  }

  public Duration sessionGap() {
    return sessionGap;
  }

  public int hllPrecision() {
    return hllPrecision;
  }

  public List<FunnelDefinition> funnels() {
    return funnels;
  }

  public int anomalyHistory() {
    return anomalyHistory;
  }

  public int anomalyMinHistory() {
    return anomalyMinHistory;
  }

  public double anomalyThreshold() {
    return anomalyThreshold;
  }

  /**
   * The days a batch run replaces in the warehouse, which the warehouse metrics ({@link
   * io.github.analytics.transforms.warehouse.WarehouseMetric}) need to know which rows they rewrite;
   * null outside a batch run.
   */
  public @Nullable DayRange runDays() {
    return runDays;
  }

  /** The settings of the warehouse analytics (retention events, touchpoints, attribution lookback). */
  public AnalyticsSettings analytics() {
    return analytics;
  }

  public MetricConfig withAnalytics(AnalyticsSettings value) {
    return new MetricConfig(
        policy, sessionGap, hllPrecision, funnels, anomalyHistory, anomalyMinHistory, anomalyThreshold,
        runDays, java.util.Objects.requireNonNull(value, "analytics"));
  }

  public MetricConfig withRunDays(DayRange value) {
    return new MetricConfig(
        policy, sessionGap, hllPrecision, funnels, anomalyHistory, anomalyMinHistory, anomalyThreshold,
        value, analytics);
  }

  public MetricConfig withPolicy(WindowPolicy value) {
    return new MetricConfig(
        value, sessionGap, hllPrecision, funnels, anomalyHistory, anomalyMinHistory, anomalyThreshold,
        runDays, analytics);
  }

  public MetricConfig withSessionGap(Duration value) {
    if (value == null || !value.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("The session gap must be positive, got " + value);
    }
    return new MetricConfig(
        policy, value, hllPrecision, funnels, anomalyHistory, anomalyMinHistory, anomalyThreshold,
        runDays, analytics);
  }

  /** HLL++ precision, 10 to 24 (ZetaSketch's range): relative standard error about 1.04/sqrt(2^p). */
  public MetricConfig withHllPrecision(int value) {
    if (value < 10 || value > 24) {
      throw new IllegalArgumentException("The HLL precision must be between 10 and 24, got " + value);
    }
    return new MetricConfig(
        policy, sessionGap, value, funnels, anomalyHistory, anomalyMinHistory, anomalyThreshold,
        runDays, analytics);
  }

  public MetricConfig withFunnels(List<FunnelDefinition> value) {
    return new MetricConfig(
        policy, sessionGap, hllPrecision, value, anomalyHistory, anomalyMinHistory, anomalyThreshold,
        runDays, analytics);
  }

  /**
   * The anomaly detector compares each window with the mean and standard deviation of the previous
   * {@code history} windows, once at least {@code minHistory} of them exist, and alerts beyond
   * {@code threshold} standard deviations.
   */
  public MetricConfig withAnomalyDetection(int history, int minHistory, double threshold) {
    if (minHistory < 2 || history < minHistory) {
      throw new IllegalArgumentException(
          "Anomaly detection needs 2 <= minHistory <= history, got minHistory=" + minHistory
              + " history=" + history);
    }
    if (!(threshold > 0)) {
      throw new IllegalArgumentException("The anomaly threshold must be positive, got " + threshold);
    }
    return new MetricConfig(
        policy, sessionGap, hllPrecision, funnels, history, minHistory, threshold, runDays,
        analytics);
  }
}
