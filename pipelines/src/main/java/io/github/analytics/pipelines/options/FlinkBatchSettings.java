package io.github.analytics.pipelines.options;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Flink configuration a batch job on embedded Flink ({@code --flinkMaster=[local]}) runs with:
 * every step at the job's {@code --parallelism}.
 *
 * <p>Why: Flink (1.17 and later) runs batch jobs under its adaptive batch scheduler, which picks each
 * step's parallelism from the bytes that reach it, about 16 MB a task, unless the job set it. Beam's
 * runner sets none, so the step that reads the archive got one task: what reaches it is the list of
 * files, a few kilobytes, while it reads and parses every record of the day. The per-minute merges and
 * the warehouse analytics' per-user steps got one task too. On 2 cores, a 3M-event day took 164.7 s
 * instead of 209.8 s with every step on both (117.5 s instead of 164.9 s in a warm JVM).
 *
 * <p>Beam reads Flink's configuration only from a directory ({@code --flinkConfDir}, else {@code
 * FLINK_CONF_DIR}), so this writes one, deleted when the JVM exits. A job that names either, or runs
 * on a cluster, is left alone: a cluster's own configuration decides (see the README's Flink
 * section). So is a job into BigQuery ({@code --warehouse=BIGQUERY}), whose loads were not tested
 * with more than one task per step.
 */
public final class FlinkBatchSettings {
  /** Flink's switch for the adaptive batch scheduler's choice of parallelism. */
  public static final String AUTO_PARALLELISM = "execution.batch.adaptive.auto-parallelism.enabled";

  private static final Map<String, String> SETTINGS = Map.of(AUTO_PARALLELISM, "false");

  private FlinkBatchSettings() {}

  /**
   * {@code args}, plus {@code --flinkConfDir=<a new directory>} holding {@link #AUTO_PARALLELISM}
   * {@code false} when they run on embedded Flink and choose no Flink configuration.
   */
  public static List<String> withEveryStepAtFullParallelism(List<String> args) {
    return withEveryStepAtFullParallelism(args, System::getenv);
  }

  static List<String> withEveryStepAtFullParallelism(
      List<String> args, Function<String, String> environment) {
    boolean flink =
        args.stream().anyMatch(a -> a.equals("--runner=FlinkRunner") || a.equals("--runner=flink"));
    boolean embedded = args.stream().noneMatch(a -> a.startsWith("--flinkMaster="))
        || args.contains("--flinkMaster=[local]") || args.contains("--flinkMaster=[auto]");
    boolean chosen = args.stream().anyMatch(a -> a.startsWith("--flinkConfDir"))
        || environment.apply("FLINK_CONF_DIR") != null;
    // BigQueryIO's loads have not been run here with their steps on more than one task (its test
    // keeps parallelism 1), so a job into BigQuery keeps Flink's own choice.
    boolean bigQuery = args.contains("--warehouse=BIGQUERY");
    if (!flink || !embedded || chosen || bigQuery) {
      return args;
    }
    List<String> out = new ArrayList<>(args);
    out.add("--flinkConfDir=" + writeConfDir());
    return out;
  }

  /** A new directory with a {@code config.yaml} of {@link #SETTINGS}, deleted when the JVM exits. */
  static Path writeConfDir() {
    try {
      Path dir = Files.createTempDirectory("analytics-flink-conf");
      StringBuilder yaml = new StringBuilder();
      SETTINGS.forEach((key, value) -> yaml.append(key).append(": ").append(value).append('\n'));
      Path file = Files.writeString(dir.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
      dir.toFile().deleteOnExit();
      file.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the embedded Flink configuration under java.io.tmpdir ("
              + System.getProperty("java.io.tmpdir") + "); free space there or set FLINK_CONF_DIR",
          e);
    }
  }
}
