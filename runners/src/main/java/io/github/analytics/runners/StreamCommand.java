package io.github.analytics.runners;

import io.github.analytics.pipelines.options.S3Settings;
import io.github.analytics.pipelines.StreamingPipeline;
import io.github.analytics.pipelines.StreamingPipelineOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code analytics stream [beam options]}: the streaming pipeline with Beam's own option parsing, until
 * it is cancelled.
 */
@Command(
    name = "stream",
    description = {
      "Runs the streaming layer: Kafka -> the metric catalog -> Redis, the rollup and alert topics"
          + " and the Parquet archive, until cancelled (Ctrl-C).",
      "Options are Beam pipeline options, e.g. against `analytics stack`:",
      "  analytics stream --bootstrapServers=127.0.0.1:PORT --redisUri=redis://127.0.0.1:PORT"
          + " --runner=FlinkRunner --flinkMaster=[local] --checkpointingInterval=10000",
      "`analytics stream --help` lists every option of the pipeline with its description."
    },
    // Beam parses the options: picocli passes everything through untouched.
    mixinStandardHelpOptions = false)
final class StreamCommand implements Callable<Integer> {
  /** Everything after {@code stream}, untouched: Beam parses and validates it. */
  @Unmatched List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PipelineOptionsFactory.register(StreamingPipelineOptions.class);
    if (args.contains("--help") || args.contains("-h")) {
      PipelineOptionsFactory.printHelp(System.out, StreamingPipelineOptions.class);
      System.out.println(
          "\nRunner options: --runner=FlinkRunner with --flinkMaster=[local] (embedded) or"
              + " host:port (a cluster), --parallelism=N and --checkpointingInterval=MILLIS (needed"
              + " for exactly-once state and for committing Kafka offsets); DirectRunner for small"
              + " tests. `analytics stream --help=FlinkPipelineOptions` lists Flink's options.");
      return 0;
    }
    if (args.stream().anyMatch(a -> a.startsWith("--help="))) {
      PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).create();
      return 0;
    }
    Path checkpoints = Path.of(System.getProperty("java.io.tmpdir"), "analytics-checkpoints",
        "stream-" + System.currentTimeMillis());
    List<String> effective = EmbeddedFlinkCheckpoints.withFileCheckpoints(args, checkpoints);
    if (effective.size() > args.size()) {
      System.err.println("Embedded Flink: checkpoints go to " + checkpoints + " (Flink's in-memory default"
          + " fails a job whose state passes 5 MB); choose with --stateBackend=filesystem and"
          + " --stateBackendStoragePath=URI. RocksDB is for a cluster (deploy/flink): the embedded"
          + " runner here does not carry its native library.");
    }
    StreamingPipeline.main(
        S3Settings.withoutRegionProbe(FlinkDefaults.streaming(effective)).toArray(String[]::new));
    return 0;
  }
}
