package io.github.analytics.runners;

import io.github.analytics.pipelines.options.S3Settings;
import io.github.analytics.pipelines.BatchPipeline;
import io.github.analytics.pipelines.BatchPipelineOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code analytics batch --fromDate=... [beam options]}: the batch pipeline with Beam's own option
 * parsing, so every option reads as on any Beam pipeline ({@code --runner=FlinkRunner}, ...).
 */
@Command(
    name = "batch",
    description = {
      "Runs the batch layer over the Parquet archive for a date range and writes the warehouse.",
      "Options are Beam pipeline options, e.g.:",
      "  analytics batch --fromDate=2026-11-27 --runner=FlinkRunner --flinkMaster=[local]",
      "`analytics batch --help` lists every option of the pipeline with its description."
    },
    // Beam parses the options: picocli passes everything through untouched.
    mixinStandardHelpOptions = false)
final class BatchCommand implements Callable<Integer> {
  /** Everything after {@code batch}, untouched: Beam parses and validates it. */
  @Unmatched List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PipelineOptionsFactory.register(BatchPipelineOptions.class);
    if (args.contains("--help") || args.contains("-h")) {
      PipelineOptionsFactory.printHelp(System.out, BatchPipelineOptions.class);
      System.out.println(
          "\nRunner options: --runner=DirectRunner|FlinkRunner|SparkRunner; for Flink also"
              + " --flinkMaster=[local]|host:port and --parallelism=N; for Spark --sparkMaster=local[2]."
              + "\nWithout --runner: --runner=FlinkRunner --flinkMaster=[local] (embedded Flink)."
              + "\n`analytics batch --help=FlinkPipelineOptions` (or SparkPipelineOptions) lists them all."
              + "\nBigQuery: --warehouse=BIGQUERY --bigQueryDataset=PROJECT:DATASET"
              + " --bigQueryTempLocation=gs://BUCKET/PATH (see deploy/bigquery/README.md).");
      return 0;
    }
    if (args.stream().anyMatch(a -> a.startsWith("--help="))) {
      PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).create();
      return 0;
    }
    BatchPipeline.main(
        S3Settings.withoutRegionProbe(SparkDefaults.batch(FlinkDefaults.batch(withDefaultRunner(args))))
            .toArray(String[]::new));
    return 0;
  }

  /**
   * {@code args} with {@code --runner=FlinkRunner --flinkMaster=[local]} added when they name no
   * runner and Flink is on the classpath: Beam's default, the direct runner, takes minutes for a day
   * and must be kept to one thread (see the README's runner table).
   */
  static List<String> withDefaultRunner(List<String> args) {
    if (args.stream().anyMatch(a -> a.startsWith("--runner"))) {
      return args;
    }
    List<String> out = new ArrayList<>(args);
    try {
      Class.forName("org.apache.beam.runners.flink.FlinkRunner");
      out.addAll(List.of("--runner=FlinkRunner", "--flinkMaster=[local]"));
    } catch (ClassNotFoundException e) {
      out.addAll(List.of("--runner=DirectRunner", "--targetParallelism=1"));
    }
    System.err.println("(no --runner given: " + String.join(" ", out.subList(args.size(), out.size())) + ")");
    return out;
  }
}
