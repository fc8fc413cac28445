package io.github.analytics.runners.dataflow;

import io.github.analytics.pipelines.StreamingPipeline;
import io.github.analytics.pipelines.StreamingPipelineOptions;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The streaming Flex Template's main ({@code FLEX_TEMPLATE_JAVA_MAIN_CLASS}): submits the streaming
 * pipeline to Dataflow and returns, instead of following the job as {@code analytics stream} does;
 * a Flex Template launcher waits for its main to end, and a streaming job never does.
 */
public final class LaunchStreamingJob {
  private LaunchStreamingJob() {}

  public static void main(String[] args) {
    PipelineOptionsFactory.register(StreamingPipelineOptions.class);
    StreamingPipelineOptions options =
        PipelineOptionsFactory.fromArgs(DataflowArgs.withDataflowRunner(args))
            .withValidation()
            .as(StreamingPipelineOptions.class);
    PipelineResult result = StreamingPipeline.run(options);
    System.out.println(
        "Submitted the streaming job reading "
            + options.getInputTopic()
            + " at "
            + options.getBootstrapServers()
            + " (state "
            + result.getState()
            + "). Follow it with `gcloud dataflow jobs list`; stop it with `gcloud dataflow jobs"
            + " drain JOB_ID` (finishes open windows) or `cancel`.");
  }
}
