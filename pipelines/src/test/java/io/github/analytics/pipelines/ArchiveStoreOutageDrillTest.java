package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.KafkaWriter;
import io.github.analytics.pipelines.options.S3Settings;
import io.github.analytics.stack.KafkaBroker;
import io.github.analytics.stack.LocalStack;
import io.github.analytics.stack.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drill: the archive's object store (S3Proxy) killed while the streaming job writes the archive to
 * {@code s3://}, and brought back after an outage ({@value #OUTAGE_SECONDS} s here;
 * {@code -Ddrill.s3OutageSeconds=60} for the full minute). The job's writes fail, Flink restarts it
 * from its last checkpoint with its default restart strategy (as the CLI runs it), and once the store
 * is back the archive holds every record published, exactly once: a retried pane rewrites the same
 * file names, so replays add no copies. The oracle is the generator's records.
 */
class ArchiveStoreOutageDrillTest {
  private static final LocalDate DAY = LocalDate.parse("2026-11-27");
  private static final String BUCKET = "archive";
  private static final int OUTAGE_SECONDS = Integer.getInteger("drill.s3OutageSeconds", 30);
  private static final Duration DEADLINE = Duration.ofMinutes(4);

  @TempDir Path dir;

  @Test
  void theArchiveHoldsEveryRecordOnceAfterTheStoreComesBack() throws Exception {
    // A day in the future (as StreamingRecoveryTest explains): a drained partition moves KafkaIO's
    // watermark to the wall clock, which would close a past day's windows after the first half and
    // drop the second half as late. In the future the archive's windows stay open, and their panes
    // are written every --archiveFlushSeconds.
    long shiftDays = ChronoUnit.DAYS.between(DAY, LocalDate.now(ZoneOffset.UTC).plusDays(2));
    List<GeneratedRecord> records = new ArrayList<>();
    EventGenerator.of(GeneratorConfig.forDay(DAY).withSeed(5).withEvents(6_000).withUsers(600)
            .withLateShare(0).withTimeShift(java.time.Duration.ofDays(shiftDays)))
        .generate(records::add);
    records.sort(java.util.Comparator.comparingLong(GeneratedRecord::receivedAtMillis));
    List<GeneratedRecord> firstHalf = records.subList(0, records.size() / 2);
    List<GeneratedRecord> secondHalf = records.subList(records.size() / 2, records.size());

    S3ProxyServer s3 = S3ProxyServer.start(dir.resolve("s3proxy"));
    try (LocalStack stack = LocalStack.start(dir.resolve("stack"))) {
      s3.createBucket(BUCKET);
      Path archive = s3.dataDirectory().resolve(BUCKET).resolve("root");
      String bootstrap = stack.kafka().bootstrapServers();
      createTopic(bootstrap);
      publish(bootstrap, firstHalf);
      List<String> args = new ArrayList<>(List.of(
          "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2", "--objectReuse=true",
          "--checkpointingInterval=2000",
          "--stateBackend=filesystem", "--stateBackendStoragePath=" + dir.resolve("checkpoints").toUri(),
          "--attachedMode=false",
          "--bootstrapServers=" + bootstrap, "--inputTopic=events", "--consumerGroup=s3-drill",
          "--redisUri=redis://" + stack.redis().host() + ":" + stack.redis().port() + "/6",
          "--archiveRoot=s3://" + BUCKET + "/root", "--archiveFlushSeconds=5",
          "--deadLetterTopic=", "--rollupTopic=", "--alertTopic="));
      args.addAll(S3Settings.flags(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey()));
      PipelineResult job = StreamingPipeline.run(PipelineOptionsFactory
          .fromArgs(S3Settings.withoutRegionProbe(args).toArray(String[]::new))
          .withValidation().as(StreamingPipelineOptions.class));
      try {
        await("the first half's records reach the archive",
            () -> archived(archive) == firstHalf.size());
        s3.kill();
        publish(bootstrap, secondHalf);
        // The fault itself: the store stays away this long (not a wait for a condition).
        LockSupport.parkNanos(Duration.ofSeconds(OUTAGE_SECONDS).toNanos());
        s3 = s3.restart();
        await("every record in the archive after the store came back",
            () -> archived(archive) >= records.size());
        assertEquals(records.size(), archived(archive), "records in the archive, each once");
        long distinct = records.stream()
            .map(r -> new String(r.raw().getPayload(), java.nio.charset.StandardCharsets.ISO_8859_1)
                + "@" + r.raw().getReceivedAt().getMillis())
            .distinct().count();
        assertEquals(distinct, distinctArchived(archive), "distinct (payload, arrival) pairs");
      } finally {
        job.cancel();
      }
    } finally {
      s3.close();
    }
  }

  /** The topic, accepting the future day's timestamps (the broker refuses them an hour ahead). */
  private static void createTopic(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic("events", KafkaBroker.DEFAULT_PARTITIONS, (short) 1)
              .configs(Map.of("message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE)))))
          .all().get(30, TimeUnit.SECONDS);
    }
  }

  private static void publish(String bootstrap, List<GeneratedRecord> records) {
    try (KafkaWriter writer = KafkaWriter.open(bootstrap, "events")) {
      records.forEach(writer::write);
    }
  }

  /** Records in the archive's Parquet files as S3Proxy stores them; 0 while there are none. */
  private static long archived(Path archive) {
    return query(archive, "count(*)");
  }

  private static long distinctArchived(Path archive) {
    return query(archive, "count(DISTINCT (payload, received_at))");
  }

  private static long query(Path archive, String what) {
    if (!Files.isDirectory(archive)) {
      return 0;
    }
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = db.createStatement();
        ResultSet r = s.executeQuery("SELECT " + what + " FROM read_parquet('" + archive
            + "/dt=*/hour=*/*.parquet')")) {
      r.next();
      return r.getLong(1);
    } catch (Exception e) {
      // No file yet, or one being written that is not readable yet.
      return -1;
    }
  }

  private static void await(String what, BooleanSupplier check) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!check.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("Timed out after " + DEADLINE + " waiting until " + what);
      }
      LockSupport.parkNanos(200_000_000L);
    }
  }
}
