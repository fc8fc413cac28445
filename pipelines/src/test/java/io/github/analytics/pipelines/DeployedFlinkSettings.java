package io.github.analytics.pipelines;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.Yaml;

/**
 * The state and checkpoint settings {@code deploy/flink/analytics-streaming.yaml} ships, taken from
 * the file itself so that a drill follows it when it changes: the FlinkDeployment's {@code
 * flinkConfiguration} entries on state and checkpointing ({@code state.*}, {@code
 * execution.checkpointing.*}), and the job's parallelism and its arguments on checkpoints and copies
 * ({@code --checkpointingInterval}, {@code --objectReuse}).
 *
 * @param flinkConfiguration the entries, with the S3 checkpoint and savepoint folders as shipped
 * @param jobArgs {@code --parallelism=N} and the arguments named above, as shipped
 */
record DeployedFlinkSettings(Map<String, String> flinkConfiguration, List<String> jobArgs) {
  static final Path DEPLOYMENT = Path.of("..", "deploy", "flink", "analytics-streaming.yaml");
  private static final List<String> CONFIGURATION_PREFIXES = List.of("state.", "execution.checkpointing.");
  private static final List<String> ARGUMENTS = List.of("--checkpointingInterval=", "--objectReuse=");

  @SuppressWarnings("unchecked")
  static DeployedFlinkSettings read() throws IOException {
    Map<String, Object> deployment =
        new Yaml().load(Files.readString(DEPLOYMENT, StandardCharsets.UTF_8));
    Map<String, Object> spec = (Map<String, Object>) deployment.get("spec");
    Map<String, String> configuration = new TreeMap<>();
    ((Map<String, Object>) spec.get("flinkConfiguration")).forEach((key, value) -> {
      if (CONFIGURATION_PREFIXES.stream().anyMatch(key::startsWith)) {
        configuration.put(key, String.valueOf(value));
      }
    });
    Map<String, Object> job = (Map<String, Object>) spec.get("job");
    List<String> args = new ArrayList<>(List.of("--parallelism=" + job.get("parallelism")));
    for (Object arg : (List<Object>) job.get("args")) {
      if (ARGUMENTS.stream().anyMatch(String.valueOf(arg)::startsWith)) {
        args.add(String.valueOf(arg));
      }
    }
    return new DeployedFlinkSettings(configuration, List.copyOf(args));
  }

  /**
   * Writes {@code <confDir>/flink-conf.yaml} for an embedded job: the shipped entries with the
   * checkpoint and savepoint folders under {@code stateDir}, plus {@code extra} entries (such as
   * {@code execution.savepoint.path} for a restore). Embedded Flink ({@code --flinkMaster=[local]})
   * reads it through {@code --flinkConfDir}, as a cluster reads the deployment's configuration.
   */
  Path writeFlinkConf(Path confDir, Path stateDir, Map<String, String> extra) throws IOException {
    Map<String, String> entries = new TreeMap<>(flinkConfiguration);
    entries.put("state.checkpoints.dir", checkpoints(stateDir).toUri().toString());
    entries.put("state.savepoints.dir", stateDir.resolve("savepoints").toUri().toString());
    entries.putAll(extra);
    return writeEntries(confDir, entries);
  }

  /** Writes {@code <confDir>/flink-conf.yaml} holding {@code entries} alone; returns {@code confDir}. */
  static Path writeEntries(Path confDir, Map<String, String> entries) throws IOException {
    StringBuilder yaml = new StringBuilder();
    new TreeMap<>(entries).forEach((key, value) -> yaml.append(key).append(": ").append(value).append('\n'));
    Files.createDirectories(confDir);
    Files.writeString(confDir.resolve("flink-conf.yaml"), yaml, StandardCharsets.UTF_8);
    return confDir;
  }

  /** Where {@link #writeFlinkConf} puts the retained checkpoints. */
  static Path checkpoints(Path stateDir) {
    return stateDir.resolve("checkpoints");
  }
}
