package io.github.analytics.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How the launcher ({@code main}) behaves once the job is submitted. */
public interface LaunchOptions extends PipelineOptions {
  @Description(
      "Whether main waits for the job to end. false returns as soon as the job is submitted: for a"
          + " cluster that runs the job on its own (`flink run -d`, a FlinkDeployment), together with"
          + " Flink's --attachedMode=false. Embedded runners ([local]) need true: the job lives in"
          + " this JVM.")
  @Default.Boolean(true)
  boolean getWaitUntilFinish();

  void setWaitUntilFinish(boolean value);
}
