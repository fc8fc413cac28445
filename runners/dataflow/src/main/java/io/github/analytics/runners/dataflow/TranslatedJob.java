package io.github.analytics.runners.dataflow;

import com.google.api.services.dataflow.model.Job;
import com.google.api.services.dataflow.model.Step;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.model.pipeline.v1.RunnerApi;

/** The Dataflow job that {@link DataflowJobCheck} captured, with what a launch check asks of it. */
public final class TranslatedJob {
  /**
   * Dataflow's limit on a create-job request, 10 MiB: {@code DataflowRunner} moves a larger v1 graph
   * to Cloud Storage ({@code upload_graph}); a larger request is refused by the service.
   */
  public static final int CREATE_JOB_REQUEST_LIMIT_BYTES = 10 * 1024 * 1024;

  private final Job job;
  private final int requestBytes;
  private final byte[] pipelineProto;
  private final int stagedFiles;
  private final List<String> unexpectedCalls;

  TranslatedJob(
      Job job, int requestBytes, byte[] pipelineProto, int stagedFiles, List<String> unexpectedCalls) {
    this.job = job;
    this.requestBytes = requestBytes;
    this.pipelineProto = pipelineProto == null ? new byte[0] : pipelineProto.clone();
    this.stagedFiles = stagedFiles;
    this.unexpectedCalls = List.copyOf(unexpectedCalls);
  }

  /** The job as the runner sent it. */
  public Job job() {
    return job;
  }

  /** Whether Dataflow would run it as a streaming job. */
  public boolean isStreaming() {
    return "JOB_TYPE_STREAMING".equals(job.getType());
  }

  /** The experiments the job carries (Streaming Engine, Runner v2, ...). */
  public List<String> experiments() {
    List<String> experiments = job.getEnvironment().getExperiments();
    return experiments == null ? List.of() : List.copyOf(experiments);
  }

  /**
   * Whether the job runs on Dataflow Runner v2, which executes the portable pipeline proto: its job
   * request then carries no steps.
   */
  public boolean runsOnRunnerV2() {
    return experiments().contains("use_runner_v2");
  }

  /**
   * The names of the graph Dataflow executes: on Runner v2 every transform of the portable pipeline
   * (composites too, e.g. {@code Metrics/Sessions}); on v1 the full user name of every step (only
   * primitives, e.g. {@code Metrics/Sessions/Window.Into()/Window.Assign}).
   */
  public List<String> graphNames() {
    List<String> names = new ArrayList<>();
    if (runsOnRunnerV2()) {
      for (RunnerApi.PTransform transform : portablePipeline().getComponents().getTransformsMap().values()) {
        names.add(transform.getUniqueName());
      }
    } else if (job.getSteps() != null) {
      for (Step step : job.getSteps()) {
        Object name = step.getProperties() == null ? null : step.getProperties().get("user_name");
        names.add(Objects.toString(name, step.getName()));
      }
    }
    return names.stream().sorted().toList();
  }

  /** The names in {@link #graphNames} at or inside {@code path} (e.g. {@code Metrics/Sessions}). */
  public List<String> stepsUnder(String path) {
    return graphNames().stream().filter(n -> n.equals(path) || n.startsWith(path + "/")).toList();
  }

  /** The portable pipeline the runner staged beside the job ({@code pipeline.pb}). */
  public RunnerApi.Pipeline portablePipeline() {
    try {
      return RunnerApi.Pipeline.parseFrom(pipelineProto);
    } catch (IOException e) {
      throw new UncheckedIOException("The staged pipeline.pb is not a pipeline proto", e);
    }
  }

  /**
   * The pipeline options Dataflow receives with the job ({@code environment.sdkPipelineOptions}'s
   * {@code options}), by name: what workers see when they rebuild the options.
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> pipelineOptions() {
    Map<String, Object> sdk = job.getEnvironment().getSdkPipelineOptions();
    Object options = sdk == null ? null : sdk.get("options");
    return options instanceof Map ? (Map<String, Object>) options : Map.of();
  }

  /** Bytes of the create-job request body, to compare with {@link #CREATE_JOB_REQUEST_LIMIT_BYTES}. */
  public int requestBytes() {
    return requestBytes;
  }

  /** Bytes of the portable pipeline proto staged beside the job ({@code pipeline.pb}). */
  public long pipelineProtoBytes() {
    return pipelineProto.length;
  }

  /** How many files the runner would stage (the bundle jar, or each classpath entry). */
  public int stagedFiles() {
    return stagedFiles;
  }

  /** Dataflow API calls other than the create-job request; empty when the check saw only that. */
  public List<String> unexpectedCalls() {
    return unexpectedCalls;
  }

  /** A few lines for a person: name, type, steps, sizes against the limit, experiments. */
  public String summary() {
    return String.format(
        "job %s (%s, %s) in %s/%s%n"
            + "  transforms in the executed graph: %,d%n"
            + "  create-job request: %,d bytes (Dataflow's limit %,d: %s)%n"
            + "  portable pipeline proto: %,d bytes; files to stage: %d%n"
            + "  experiments: %s",
        job.getName(),
        job.getType(),
        runsOnRunnerV2() ? "Runner v2" : "Runner v1",
        pipelineOptions().get("project"),
        pipelineOptions().get("region"),
        graphNames().size(),
        requestBytes,
        CREATE_JOB_REQUEST_LIMIT_BYTES,
        requestBytes < CREATE_JOB_REQUEST_LIMIT_BYTES ? "under" : "OVER",
        pipelineProto.length,
        stagedFiles,
        experiments());
  }
}
