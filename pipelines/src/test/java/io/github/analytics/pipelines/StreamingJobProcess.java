package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link StreamingPipeline#main} in a JVM of its own, as an operator runs the job on embedded Flink,
 * with its output in a log file. The drills kill it (SIGKILL) and read its log for what Flink did.
 */
final class StreamingJobProcess implements AutoCloseable {
  /**
   * Flink's lines the drills read, at INFO (the tests' simplelogger.properties keeps the rest at WARN
   * and already logs the task state changes): checkpoints completed and restored, the state backend
   * chosen, and RocksDB's restore of its state.
   */
  private static final List<String> INFO_LOGGERS = List.of(
      "org.apache.flink.runtime.checkpoint.CheckpointCoordinator",
      "org.apache.flink.runtime.state.StateBackendLoader",
      "org.apache.flink.contrib.streaming.state");

  private final Process process;
  private final Path log;

  private StreamingJobProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static StreamingJobProcess start(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
    INFO_LOGGERS.forEach(logger -> command.add("-Dorg.slf4j.simpleLogger.log." + logger + "=info"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), StreamingPipeline.class.getName()));
    command.addAll(args);
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    return new StreamingJobProcess(process, log);
  }

  /** True while the process runs; fails the test with the end of its log once it exited. */
  boolean alive() {
    if (!process.isAlive()) {
      fail("The streaming process exited with " + process.exitValue() + "; end of its log:\n" + tail());
    }
    return true;
  }

  /** SIGKILL, as a crashed machine or an OOM killer would, and waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** Its whole log so far. */
  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + log, e);
    }
  }

  Path logFile() {
    return log;
  }

  /** The last 60 lines of its log, for a failure message. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
