package io.github.analytics.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** When the streaming layer fires its windows. */
public interface StreamingMetricOptions extends PipelineOptions {
  @Description("Compute the metric catalog and write Redis and the rollup and alert topics.")
  @Default.Boolean(true)
  boolean getWriteMetrics();

  void setWriteMetrics(boolean value);

  @Description(
      "Early results: seconds of processing time between firings of an open window (dashboards are"
          + " at most about this far behind).")
  @Default.Integer(5)
  int getEarlyFiringSeconds();

  void setEarlyFiringSeconds(int value);

  @Description(
      "Minutes after a window's end (by the watermark) that late events still update it; later ones"
          + " are dropped and counted (droppedDueToLateness), and reach the warehouse through the"
          + " batch layer.")
  @Default.Integer(10)
  int getAllowedLatenessMinutes();

  void setAllowedLatenessMinutes(int value);
}
