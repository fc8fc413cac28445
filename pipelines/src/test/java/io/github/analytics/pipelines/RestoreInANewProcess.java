package io.github.analytics.pipelines;

import static io.github.analytics.pipelines.StreamingRecoveryTest.DEADLINE;
import static io.github.analytics.pipelines.StreamingRecoveryTest.assertMentions;
import static io.github.analytics.pipelines.StreamingRecoveryTest.progress;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.stack.KafkaBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.EnumMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * {@link StreamingRecoveryTest}'s restore into a new process: a child JVM reads the first half of the
 * day and is killed (SIGKILL) after a checkpoint that holds it, the second half is published, and a
 * second child JVM restores from the first one's newest complete retained checkpoint; Redis must end
 * equal to the uninterrupted run's and stay so. Under each of {@link Settings}, sharing the time: the
 * deploy files' checkpoint interval is a minute, and the CLI's run fits in the time it waits.
 */
final class RestoreInANewProcess {
  /** The state backend and checkpoints of a run. */
  enum Settings {
    /** As {@code analytics stream} runs embedded: heap state in checkpoint files, every 2 s. */
    CLI("restart", 3),
    /**
     * As {@code deploy/flink/analytics-streaming.yaml} ships: RocksDB with incremental checkpoints,
     * every 60 s after a 10 s pause at least, object reuse, read from the file itself.
     */
    DEPLOY_FILES("restart-deployed", 4);

    final String run;
    final int redisDb;

    Settings(String run, int redisDb) {
      this.run = run;
      this.redisDb = redisDb;
    }
  }

  private RestoreInANewProcess() {}

  /**
   * Runs the drill under both {@link Settings}, the CLI's inside the deploy files' wait: the CLI's run
   * starts once the deploy files' run has counted its first half and waits, idle, for its minute's
   * checkpoint. Fails naming each run that failed.
   */
  static void underEachSettings() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch deployedRunWaits = new CountDownLatch(1);
    try {
      Map<Settings, Future<?>> runs = new EnumMap<>(Settings.class);
      runs.put(Settings.DEPLOY_FILES, pool.submit(() -> {
        try {
          run(Settings.DEPLOY_FILES, deployedRunWaits::countDown);
        } finally {
          deployedRunWaits.countDown();
        }
        return null;
      }));
      runs.put(Settings.CLI, pool.submit(() -> {
        deployedRunWaits.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        run(Settings.CLI, () -> {});
        return null;
      }));
      AssertionError failed = null;
      for (Map.Entry<Settings, Future<?>> run : runs.entrySet()) {
        try {
          run.getValue().get();
        } catch (ExecutionException e) {
          AssertionError error = new AssertionError(
              "The restore under the " + run.getKey() + " settings failed: " + e.getCause().getMessage(),
              e.getCause());
          if (failed == null) {
            failed = error;
          } else {
            failed.addSuppressed(error);
          }
        }
      }
      if (failed != null) {
        throw failed;
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** One run; {@code waiting} is called when the first process waits for its checkpoint. */
  private static void run(Settings settings, Runnable waiting) throws Exception {
    long started = System.nanoTime();
    String name = settings.run + " run";
    KafkaBroker kafka = StreamingRecoveryTest.stack.kafka();
    String topic = "events-" + settings.run;
    StreamingRecoveryTest.createTopic(kafka, topic);
    Path state = StreamingRecoveryTest.dir.resolve(settings.run + "-state");
    DeployedFlinkSettings deployed = DeployedFlinkSettings.read();
    Path checkpoints = DeployedFlinkSettings.checkpoints(state);
    List<String> args;
    if (settings == Settings.CLI) {
      args = StreamingRecoveryTest.cliArgs(kafka.bootstrapServers(), settings.run, settings.redisDb, checkpoints);
    } else {
      // What the drill runs under: the file must still ship these, or this run tests something else.
      assertEquals("rocksdb", deployed.flinkConfiguration().get("state.backend.type"), "the deployed state backend");
      assertEquals("true", deployed.flinkConfiguration().get("state.backend.incremental"), "incremental checkpoints");
      args = new ArrayList<>(StreamingRecoveryTest.jobArgs(kafka.bootstrapServers(), settings.run, settings.redisDb));
      args.addAll(deployed.jobArgs());
      args.add("--flinkConfDir=" + deployed.writeFlinkConf(state.resolve("conf"), state, Map.of()));
    }
    progress(name + ": " + args);

    Path dir = StreamingRecoveryTest.dir;
    try (Jedis redis = StreamingRecoveryTest.redis(settings.redisDb)) {
      StreamingRecoveryTest.publish(kafka, topic, StreamingRecoveryTest.firstHalf);
      Path restorePoint;
      try (StreamingJobProcess first = StreamingJobProcess.start(args, dir.resolve(settings.run + "-first.log"))) {
        Poll.until(name + ": the first half counted by the first process", DEADLINE,
            () -> first.alive()
                && Dashboard.read(redis, StreamingRecoveryTest.day).countedEvents()
                    == StreamingRecoveryTest.validInFirstHalf,
            () -> Dashboard.read(redis, StreamingRecoveryTest.day).summary());
        // Wait for a checkpoint taken after that which is surely complete, then crash the process.
        int before = RetainedCheckpoints.newest(checkpoints);
        progress(name + ": first half counted, waiting for a checkpoint after " + before);
        waiting.run();
        Poll.until(name + ": a complete checkpoint after checkpoint " + before, DEADLINE,
            () -> first.alive() && RetainedCheckpoints.surelyComplete(checkpoints) > before,
            () -> "checkpoints: " + RetainedCheckpoints.all(checkpoints));
        first.kill();
        restorePoint = RetainedCheckpoints.restorePoint(checkpoints);
        if (settings == Settings.DEPLOY_FILES) {
          assertMentions(first.log(), "loads the state backend as EmbeddedRocksDBStateBackend",
              "the first process ran on RocksDB", first);
        }
      }
      progress(name + ": first process killed, restoring " + restorePoint);

      StreamingRecoveryTest.publish(kafka, topic, StreamingRecoveryTest.secondHalf);
      // --savepointPath is ignored for a [local] master; the Flink configuration is not.
      Map<String, String> restore = Map.of("execution.savepoint.path", restorePoint.toUri().toString());
      Path conf = settings == Settings.CLI
          ? DeployedFlinkSettings.writeEntries(state.resolve("restore-conf"), restore)
          : deployed.writeFlinkConf(state.resolve("restore-conf"), state, restore);
      List<String> restoreArgs = new ArrayList<>(args);
      restoreArgs.removeIf(arg -> arg.startsWith("--flinkConfDir="));
      restoreArgs.add("--flinkConfDir=" + conf);
      try (StreamingJobProcess second =
          StreamingJobProcess.start(restoreArgs, dir.resolve(settings.run + "-second.log"))) {
        StreamingRecoveryTest.uninterrupted.awaitEqualThenStable(
            redis, name + ": after a new process restored " + restorePoint, second::alive);
        String log = second.log();
        assertMentions(log, "Restoring job", "the second process restored a checkpoint", second);
        assertMentions(log, restorePoint.getFileName().toString(), "it restored " + restorePoint, second);
        if (settings == Settings.DEPLOY_FILES) {
          // RocksDB's restore names the handles it reads: incremental ones for incremental checkpoints.
          assertMentions(log, "IncrementalRemoteKeyedStateHandle",
              "RocksDB restored an incremental checkpoint", second);
        }
      }
    }
    progress(name + ": exact, in " + (System.nanoTime() - started) / 1_000_000_000 + " s");
  }
}
