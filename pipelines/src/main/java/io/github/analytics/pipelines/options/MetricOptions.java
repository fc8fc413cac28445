package io.github.analytics.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Settings of the metric catalog; the same in both layers. */
public interface MetricOptions extends PipelineOptions {
  @Description("Minutes of inactivity (event time) that end a user's session.")
  @Default.Integer(30)
  int getSessionGapMinutes();

  void setSessionGapMinutes(int value);

  @Description(
      "HyperLogLog++ precision for distinct users, 10 to 24: relative standard error about"
          + " 1.04/sqrt(2^p), 0.57% at 15 (BigQuery's default), 0.81% at 14, 1.6% at 12. Sketches of"
          + " different precisions merge only down to the lower one.")
  @Default.Integer(15)
  int getHllPrecision();

  void setHllPrecision(int value);

  @Description(
      "JSON file defining the conversion funnels (see testdata/funnels.json), on any Beam file system."
          + " Unset: the built-in checkout funnel.")
  String getFunnelsFile();

  void setFunnelsFile(String value);

  @Description("Past windows whose mean and standard deviation the anomaly detector compares with.")
  @Default.Integer(60)
  int getAnomalyHistoryWindows();

  void setAnomalyHistoryWindows(int value);

  @Description("Past windows a series needs before it may raise an alert (no alerts on a cold start).")
  @Default.Integer(30)
  int getAnomalyMinHistoryWindows();

  void setAnomalyMinHistoryWindows(int value);

  @Description("Standard deviations from the rolling mean beyond which a window is an anomaly.")
  @Default.Double(3.0)
  double getAnomalyThreshold();

  void setAnomalyThreshold(double value);
}
