package io.github.analytics.bench;

import java.util.List;

/** A runner the batch section times the batch pipeline on, embedded in the bench JVM. */
public enum BatchRunner {
  /** Flink's local mini-cluster, one task slot per core. */
  FLINK("Flink") {
    @Override
    public List<String> args(int cores) {
      // As `analytics batch` runs it (FlinkDefaults.batch): no element copies between chained
      // operators, and the DataStream translation, which chains across fan-outs. The sections add
      // the embedded Flink configuration (FlinkBatchSettings) as the CLI does.
      return List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=" + cores,
          "--objectReuse=true", "--useDataStreamForBatch=true");
    }
  },
  /** Spark local mode, one thread per core (needs the --add-opens flags of bench/run.sh on Java 17). */
  SPARK("Spark") {
    @Override
    public List<String> args(int cores) {
      // As `analytics batch` runs it (SparkDefaults.batch): cached steps go to disk instead of being
      // computed again for each of their outputs.
      return List.of("--runner=SparkRunner", "--sparkMaster=local[" + cores + "]",
          "--storageLevel=DISK_ONLY");
    }
  };

  private final String label;

  BatchRunner(String label) {
    this.label = label;
  }

  /** The name printed in the results. */
  public String label() {
    return label;
  }

  /** The pipeline options that select this runner with {@code cores} workers. */
  public abstract List<String> args(int cores);
}
