package io.github.analytics.runners.dataflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.dataflow.DataflowRunner;
import org.apache.beam.runners.dataflow.options.DataflowPipelineDebugOptions;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.storage.NoopPathValidator;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Builds the Dataflow job of a pipeline without a cloud account or a network: the pipeline is run
 * with {@link DataflowRunner} itself (its validation, transform overrides, translation and job
 * request), but with a stager that uploads nothing and an API client that answers the create-job
 * request in-process. Any pipeline class can be checked: build its graph on the pipeline {@link
 * #offlinePipeline} returns and pass that to {@link #translate}.
 *
 * <pre>{@code
 * StreamingPipelineOptions options = PipelineOptionsFactory.fromArgs(
 *         "--runner=DataflowRunner", "--project=my-project", "--region=europe-west1",
 *         "--tempLocation=gs://my-bucket/tmp", "--streaming", "--enableStreamingEngine", ...)
 *     .withValidation().as(StreamingPipelineOptions.class);
 * Pipeline pipeline = DataflowJobCheck.offlinePipeline(options);
 * StreamingPipeline.buildPipeline(pipeline, options, StreamingPipeline.source(options));
 * TranslatedJob job = DataflowJobCheck.translate(pipeline);
 * }</pre>
 *
 * <p>It switches the options to no credentials and no path checks, so it cannot tell whether the
 * project, the buckets or the service account exist, nor whether workers reach Kafka and Redis.
 */
public final class DataflowJobCheck {
  private DataflowJobCheck() {}

  /**
   * A pipeline on {@code options} switched to work offline: no credentials, no path checks, and a
   * stager and API client that stay in-process. It must be created this way, not with {@link
   * Pipeline#create}: creating a pipeline already instantiates its runner, and {@link DataflowRunner}
   * checks the temp and staging buckets over the network.
   *
   * @throws IllegalArgumentException with every option Dataflow would refuse and what to pass instead
   */
  public static Pipeline offlinePipeline(PipelineOptions options) {
    DataflowPipelineOptions dataflow = options.as(DataflowPipelineOptions.class);
    // Offline first: the defaults of --gcpTempLocation and --stagingLocation consult the path
    // validator, which would otherwise look for the bucket over the network.
    dataflow.setCredentialFactoryClass(NoopCredentialFactory.class);
    try {
      dataflow.setGcpCredential(NoopCredentialFactory.fromOptions(options).getCredential());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    dataflow.setPathValidatorClass(NoopPathValidator.class);
    dataflow.setPathValidator(NoopPathValidator.fromOptions(options));
    FileSystems.setDefaultPipelineOptions(options);
    List<String> problems = launchProblems(dataflow);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "These options cannot launch on Dataflow:\n  " + String.join("\n  ", problems));
    }
    DataflowPipelineDebugOptions debug = options.as(DataflowPipelineDebugOptions.class);
    debug.setStager(new OfflineStager(dataflow.getStagingLocation()));
    debug.setDataflowClient(new OfflineDataflowApi(dataflow).client());
    return Pipeline.create(options);
  }

  /**
   * Runs {@code pipeline}, made by {@link #offlinePipeline}, on {@link DataflowRunner} and returns
   * the job the runner would submit. Consumes the pipeline: the runner rewrites its graph.
   *
   * @throws IllegalArgumentException if the pipeline was not made offline, or with the runner's own
   *     message if it rejects the pipeline
   */
  public static TranslatedJob translate(Pipeline pipeline) {
    DataflowPipelineOptions options = pipeline.getOptions().as(DataflowPipelineOptions.class);
    if (!(options.getPathValidator() instanceof NoopPathValidator)
        || options.getCredentialFactoryClass() != NoopCredentialFactory.class
        || !(options.as(DataflowPipelineDebugOptions.class).getStager() instanceof OfflineStager)) {
      throw new IllegalArgumentException(
          "This pipeline would reach Google Cloud: create it with"
              + " DataflowJobCheck.offlinePipeline(options), not Pipeline.create(options)");
    }
    OfflineStager stager = new OfflineStager(options.getStagingLocation());
    OfflineDataflowApi api = new OfflineDataflowApi(options);
    DataflowPipelineDebugOptions debug = options.as(DataflowPipelineDebugOptions.class);
    debug.setStager(stager);
    debug.setDataflowClient(api.client());
    pipeline.run();
    try {
      return new TranslatedJob(
          api.createdJob(),
          api.createRequestBytes(),
          stager.pipelineProto(),
          stager.stagedFiles().size(),
          api.unexpectedCalls());
    } catch (IOException e) {
      throw new UncheckedIOException("The runner's create-job request is not a Dataflow Job", e);
    }
  }

  /**
   * What Dataflow would refuse, checked before the runner, which would otherwise look for a default
   * project or bucket over the network. {@code --tempLocation} is required even when {@code
   * --gcpTempLocation} is given, so that no default is looked up.
   */
  private static List<String> launchProblems(DataflowPipelineOptions options) {
    List<String> problems = new ArrayList<>();
    if (options.getRunner() != DataflowRunner.class) {
      problems.add(
          "--runner is "
              + (options.getRunner() == null ? "unset" : options.getRunner().getSimpleName())
              + ": pass --runner=DataflowRunner");
    }
    if (isBlank(options.getProject())) {
      problems.add("--project is unset: pass the Google Cloud project ID (--project=my-project)");
    }
    if (isBlank(options.getRegion())) {
      problems.add("--region is unset: pass the Dataflow region (--region=europe-west1)");
    }
    if (isBlank(options.getTempLocation())) {
      problems.add(
          "--tempLocation is unset: pass a Cloud Storage path (--tempLocation=gs://my-bucket/tmp)");
    } else {
      if (!isSet(options, "gcpTempLocation")) {
        // What its default would be, without the default's look at the bucket's soft-delete policy.
        options.setGcpTempLocation(options.getTempLocation());
      }
      requireGcs(problems, "--gcpTempLocation (or --tempLocation)", options.getGcpTempLocation());
      if (options.getGcpTempLocation().startsWith("gs://")) {
        requireGcs(problems, "--stagingLocation", options.getStagingLocation());
      }
    }
    return problems;
  }

  /** Whether {@code option} was given, without computing its default (as serializing does not). */
  private static boolean isSet(PipelineOptions options, String option) {
    return new ObjectMapper().valueToTree(options).path("options").has(option);
  }

  private static void requireGcs(List<String> problems, String option, String value) {
    if (value == null || !value.startsWith("gs://")) {
      problems.add(
          option + " is '" + value + "': Dataflow needs a Cloud Storage path (gs://my-bucket/...)");
    }
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }
}
