package io.github.analytics.pipelines;

import static io.github.analytics.pipelines.StreamingRecoveryTest.DEADLINE;
import static io.github.analytics.pipelines.StreamingRecoveryTest.assertMentions;
import static io.github.analytics.pipelines.StreamingRecoveryTest.progress;

import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.stack.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import redis.clients.jedis.Jedis;

/**
 * {@link StreamingRecoveryTest}'s broker drill: the streaming job reads a broker of its own, in a JVM
 * of its own as the CLI runs it embedded (heap state, checkpoints every 2 s, Flink's default restart
 * strategy), and the broker is killed (SIGKILL) while the job reads it. The job has counted the first
 * half of the day; a quarter of the second half is published just before the kill, so the job is
 * fetching it when the broker dies. The broker stays away {@value #DEFAULT_OUTAGE_SECONDS} s
 * ({@code -Ddrill.kafkaOutageSeconds=N} for longer: past the clients' 30 s request timeout, say), is
 * started again on the same port and log directory (recovering its logs, as after a crash), and the
 * rest of the day is published. Redis must end equal to the uninterrupted run's and stay so. The drill
 * says whether the job rode through (KafkaIO's consumer reconnected) or failed and was restored from
 * its last checkpoint; either is correct if the values are exact.
 */
final class BrokerKillDrill {
  static final int DEFAULT_OUTAGE_SECONDS = 20;
  private static final Duration OUTAGE =
      Duration.ofSeconds(Integer.getInteger("drill.kafkaOutageSeconds", DEFAULT_OUTAGE_SECONDS));
  private static final String RUN = "broker";
  private static final int REDIS_DB = 5;
  /** Flink's line when a job fails and its restart strategy restarts it (ExecutionGraph, at INFO). */
  static final String JOB_RESTARTED = "to RESTARTING";

  private BrokerKillDrill() {}

  static void run() throws Exception {
    long started = System.nanoTime();
    Path dir = StreamingRecoveryTest.dir;
    String topic = "events-" + RUN;
    List<GeneratedRecord> secondHalf = StreamingRecoveryTest.secondHalf;
    List<GeneratedRecord> inFlight = secondHalf.subList(0, secondHalf.size() / 4);
    List<GeneratedRecord> afterwards = secondHalf.subList(secondHalf.size() / 4, secondHalf.size());

    // A broker of its own, so that killing it leaves the other runs' broker alone.
    KafkaBroker kafka = KafkaBroker.start(dir.resolve("broker-kafka"));
    try (Jedis redis = StreamingRecoveryTest.redis(REDIS_DB)) {
      StreamingRecoveryTest.createTopic(kafka, topic);
      StreamingRecoveryTest.publish(kafka, topic, StreamingRecoveryTest.firstHalf);
      List<String> args = StreamingRecoveryTest.cliArgs(
          kafka.bootstrapServers(), RUN, REDIS_DB, dir.resolve("broker-checkpoints"));
      try (StreamingJobProcess job = StreamingJobProcess.start(args, dir.resolve("broker-job.log"))) {
        Poll.until("broker run: the first half counted", DEADLINE,
            () -> job.alive()
                && Dashboard.read(redis, StreamingRecoveryTest.day).countedEvents()
                    == StreamingRecoveryTest.validInFirstHalf,
            () -> Dashboard.read(redis, StreamingRecoveryTest.day).summary());
        StreamingRecoveryTest.publish(kafka, topic, inFlight);
        kafka.kill();
        progress("broker run: broker killed after " + inFlight.size() + " more records, "
            + Dashboard.read(redis, StreamingRecoveryTest.day).summary() + "; back in " + OUTAGE);
        StreamingRecoveryTest.hold(OUTAGE);
        job.alive();
        kafka = kafka.restart();
        progress("broker run: broker back, publishing the remaining " + afterwards.size() + " records");
        StreamingRecoveryTest.publish(kafka, topic, afterwards);
        StreamingRecoveryTest.uninterrupted.awaitEqualThenStable(
            redis, "broker run: after the broker was killed and restarted", job::alive);

        String log = job.log();
        // The drill drilled: the job's Kafka clients saw the broker go.
        assertMentions(log, "could not be established", "the job's consumer lost the broker", job);
        boolean restarted = log.contains(JOB_RESTARTED);
        if (restarted) {
          assertMentions(log, "Restoring job", "a restarted job restored a checkpoint", job);
        }
        progress("broker run: exact, in " + (System.nanoTime() - started) / 1_000_000_000 + " s; the job "
            + (restarted ? "failed and Flink restored it from its last checkpoint"
                : "rode through the outage (KafkaIO's consumer reconnected, no restart)"));
      }
    } finally {
      kafka.close();
    }
  }
}
