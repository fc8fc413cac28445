package io.github.analytics.runners.dataflow;

import io.github.analytics.pipelines.BatchPipeline;

/**
 * The batch Flex Template's main ({@code FLEX_TEMPLATE_JAVA_MAIN_CLASS}): {@link BatchPipeline#main}
 * with Dataflow as the default runner. It waits for the job to finish, as the batch layer's
 * warehouse commit and run summary need.
 */
public final class LaunchBatchJob {
  private LaunchBatchJob() {}

  public static void main(String[] args) throws Exception {
    BatchPipeline.main(DataflowArgs.withDataflowRunner(args));
  }
}
