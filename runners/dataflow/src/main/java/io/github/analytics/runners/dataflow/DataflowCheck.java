package io.github.analytics.runners.dataflow;

import io.github.analytics.pipelines.StreamingPipeline;
import io.github.analytics.pipelines.StreamingPipelineOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.runners.dataflow.DataflowRunner;
import org.apache.beam.runners.dataflow.options.DataflowPipelineDebugOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code DataflowCheck stream [options]}: builds the Dataflow job the given launch options would
 * submit, offline ({@link DataflowJobCheck}), prints its summary and exits 0, or prints what Dataflow
 * or Beam would refuse and exits 1. No credentials, no network: it does not check that the project,
 * buckets, Kafka or Redis exist, nor that a topic exists (the launch itself does).
 *
 * <pre>
 * java -cp analytics-dataflow-bundle.jar io.github.analytics.runners.dataflow.DataflowCheck stream \
 *   --project=my-project --region=europe-west1 --tempLocation=gs://my-bucket/tmp \
 *   --enableStreamingEngine --experiments=use_runner_v2 --bootstrapServers=10.0.0.5:9092 ...
 * </pre>
 */
public final class DataflowCheck {
  private DataflowCheck() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** The exit code: 0 if the job was built and is within Dataflow's limits, 1 if not, 2 on usage. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || !args[0].equals("stream")) {
      err.println(
          "Usage: DataflowCheck stream [the streaming job's launch options, as for"
              + " `analytics stream --runner=DataflowRunner`]\n"
              + "Builds the Dataflow job offline and prints its summary. (batch: once the BigQuery"
              + " warehouse lands.)");
      return 2;
    }
    String[] launch = DataflowArgs.withDataflowRunner(Arrays.copyOfRange(args, 1, args.length));
    TranslatedJob job;
    try {
      PipelineOptionsFactory.register(StreamingPipelineOptions.class);
      StreamingPipelineOptions options =
          PipelineOptionsFactory.fromArgs(launch).withValidation().as(StreamingPipelineOptions.class);
      options.setStreaming(true); // as StreamingPipeline.run does
      if (!DataflowRunner.hasExperiment(
          options.as(DataflowPipelineDebugOptions.class), "use_runner_v2")) {
        err.println(
            "Add --experiments=use_runner_v2 (and launch with it): on Runner v1 Dataflow splits the"
                + " Kafka source at submission, asking the brokers for partitions, which an offline"
                + " check cannot do.");
        return 1;
      }
      Pipeline pipeline = DataflowJobCheck.offlinePipeline(options);
      StreamingPipeline.buildPipeline(pipeline, options, StreamingPipeline.source(options));
      job = DataflowJobCheck.translate(pipeline);
    } catch (RuntimeException e) {
      err.println("Dataflow would not accept this job: " + e.getMessage());
      return 1;
    }
    out.println(job.summary());
    List<String> problems = problems(job);
    problems.forEach(p -> err.println("Problem: " + p));
    return problems.isEmpty() ? 0 : 1;
  }

  /** What would stop or hurt the launch of a translated streaming job. */
  static List<String> problems(TranslatedJob job) {
    List<String> problems = new ArrayList<>();
    if (!job.isStreaming()) {
      problems.add("the job is " + job.job().getType() + ", not a streaming job");
    }
    if (job.requestBytes() >= TranslatedJob.CREATE_JOB_REQUEST_LIMIT_BYTES) {
      problems.add(
          "the create-job request is " + job.requestBytes() + " bytes, over Dataflow's limit of "
              + TranslatedJob.CREATE_JOB_REQUEST_LIMIT_BYTES + ": add --experiments=use_runner_v2");
    }
    if (!job.unexpectedCalls().isEmpty()) {
      problems.add("the runner called the Dataflow API unexpectedly: " + job.unexpectedCalls());
    }
    return problems;
  }
}
