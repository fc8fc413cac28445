package io.github.analytics.runners;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an embedded Flink job ({@code --flinkMaster=[local]}) keeps its checkpoints when the user
 * says nothing. Flink's default keeps them in the JobManager's memory, which refuses a task's state
 * over 5 MB: the streaming pipeline's dedupe, window and archive buffers pass that within minutes at
 * modest rates, and every checkpoint then fails the job, which restarts from an older one. Heap state
 * with checkpoints in files (Beam's {@code --stateBackend=filesystem}) has no such limit. A job on a
 * cluster is left alone: its configuration (see {@code deploy/flink}) chooses RocksDB and S3.
 */
final class EmbeddedFlinkCheckpoints {
  private EmbeddedFlinkCheckpoints() {}

  /**
   * {@code args} plus {@code --stateBackend=filesystem --stateBackendStoragePath=<dir>} when they run
   * on embedded Flink with checkpointing and choose no state backend; otherwise {@code args} as given.
   */
  static List<String> withFileCheckpoints(List<String> args, Path dir) {
    boolean embedded = args.stream().noneMatch(a -> a.startsWith("--flinkMaster="))
        || args.contains("--flinkMaster=[local]") || args.contains("--flinkMaster=[auto]");
    boolean checkpointing = args.stream().anyMatch(a -> a.startsWith("--checkpointingInterval=")
        && !a.equals("--checkpointingInterval=-1"));
    boolean chosen = args.stream().anyMatch(a -> a.startsWith("--stateBackend")
        || a.startsWith("--stateBackendFactory"));
    if (!runsOnFlink(args) || !embedded || !checkpointing || chosen) {
      return args;
    }
    List<String> withStorage = new ArrayList<>(args);
    withStorage.add("--stateBackend=filesystem");
    withStorage.add("--stateBackendStoragePath=" + dir.toAbsolutePath().toUri());
    return withStorage;
  }

  /** Whether {@code args} name Beam's Flink runner. */
  static boolean runsOnFlink(List<String> args) {
    return args.stream().anyMatch(a -> a.equals("--runner=FlinkRunner") || a.equals("--runner=flink"));
  }
}
