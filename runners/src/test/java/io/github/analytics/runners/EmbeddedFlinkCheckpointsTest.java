package io.github.analytics.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddedFlinkCheckpointsTest {
  private static final Path DIR = Path.of("/tmp/cp");

  @Test
  void anEmbeddedFlinkJobWithCheckpointingGetsFileCheckpoints() {
    List<String> args = List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--checkpointingInterval=10000");
    List<String> expected = new ArrayList<>(args);
    expected.add("--stateBackend=filesystem");
    expected.add("--stateBackendStoragePath=" + DIR.toUri());
    assertEquals(expected, EmbeddedFlinkCheckpoints.withFileCheckpoints(args, DIR));
    // No --flinkMaster is Flink's [auto]: embedded outside a cluster.
    assertEquals(4, EmbeddedFlinkCheckpoints.withFileCheckpoints(
        List.of("--runner=FlinkRunner", "--checkpointingInterval=5000"), DIR).size());
  }

  @Test
  void everythingElseIsLeftAsGiven() {
    for (List<String> args : List.of(
        List.of("--runner=FlinkRunner", "--flinkMaster=jm:8081", "--checkpointingInterval=10000"),
        List.of("--runner=FlinkRunner", "--flinkMaster=[local]"),
        List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--checkpointingInterval=-1"),
        List.of("--runner=FlinkRunner", "--checkpointingInterval=10000", "--stateBackend=rocksdb",
            "--stateBackendStoragePath=s3://b/cp"),
        List.of("--runner=DirectRunner", "--checkpointingInterval=10000"))) {
      assertEquals(args, EmbeddedFlinkCheckpoints.withFileCheckpoints(args, DIR), args.toString());
    }
  }
}
