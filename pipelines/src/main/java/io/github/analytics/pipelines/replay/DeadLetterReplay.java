package io.github.analytics.pipelines.replay;

import io.github.analytics.pipelines.io.KafkaSinks;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.transforms.ingest.RecordParser;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Sends the dead letters that parse now back into the event topic, each once.
 *
 * <ol>
 *   <li>Reads the dead-letter topic as consumer group {@link ReplaySettings#group}, from its committed
 *       offsets (the earliest record on first use) up to the end offsets seen at the start, so a run
 *       ends; {@code read_committed}.
 *   <li>Decides each record with the streaming job's own parser and limits ({@link RecordParser}), at
 *       the arrival the job will give it: now, the time it is sent (stamped as its record timestamp).
 *   <li>Sends each record that parses, its payload unchanged, keyed by its {@code user_id} as the
 *       collector keys, with its {@code source} header and a {@code replayed_from} header naming the
 *       dead letter; counts the others by their new reason and sends nothing for them.
 *   <li>Commits the group's offsets in the same Kafka transaction as the records of each poll
 *       ({@code sendOffsetsToTransaction}): a run killed anywhere left either both or neither, and the
 *       next run (same group, same transactional id) aborts what it left open and goes on from the
 *       last commit.
 * </ol>
 *
 * <p>{@code STEP_FAILED} dead letters are skipped: they are events the job counted everywhere but
 * in the step that threw, so sending them again would count them twice; a backfill of their days
 * recomputes that step once it is fixed.
 *
 * <p>Dead letters the collector wrote (step {@value #COLLECTOR_STEP}) are skipped: they are not
 * events yet (a Segment message, or a native event before the collector stamped it).
 */
public final class DeadLetterReplay {
  /** The header naming the dead letter a replayed record came from: {@code topic/partition@offset}. */
  public static final String REPLAYED_FROM_HEADER = "replayed_from";
  /** The step the collector writes on its own dead letters. */
  static final String COLLECTOR_STEP = "collector";
  static final String NO_REASON = "(no reason header)";
  private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** Called after a transaction's records are sent and flushed, before it commits: for tests. */
  interface BeforeCommit {
    void run(int recordsInTransaction);
  }

  private final ReplaySettings settings;
  private final PrintStream out;
  private final Clock clock;
  private final BeforeCommit beforeCommit;

  private DeadLetterReplay(ReplaySettings settings, PrintStream out, Clock clock, BeforeCommit beforeCommit) {
    this.settings = settings;
    this.out = out;
    this.clock = clock;
    this.beforeCommit = beforeCommit;
  }

  /**
   * Runs a replay, printing progress on long runs to {@code out}. Throws {@link
   * IllegalArgumentException} when a topic is missing or no broker answers, and {@link
   * IllegalStateException} when the run fails part-way (what was committed stays; run it again).
   */
  public static ReplayResult run(ReplaySettings settings, PrintStream out) {
    return run(settings, out, Clock.systemUTC(), n -> {});
  }

  static ReplayResult run(ReplaySettings settings, PrintStream out, Clock clock, BeforeCommit beforeCommit) {
    return new DeadLetterReplay(settings, out, clock, beforeCommit).run();
  }

  private ReplayResult run() {
    checkTopics();
    long started = System.nanoTime();
    RecordParser parser = settings.parsing().recordParser();
    ReplayResult.Tally total = new ReplayResult.Tally();
    boolean complete;
    try (KafkaProducer<String, byte[]> producer = settings.dryRun() ? null : producer();
        KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      if (producer != null) {
        // Before reading the committed offsets: aborts what a killed run left open, offsets included.
        producer.initTransactions();
      }
      List<TopicPartition> partitions = consumer.partitionsFor(settings.deadLetterTopic()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Set<TopicPartition> open = new HashSet<>();
      long backlog = 0;
      for (TopicPartition tp : partitions) {
        long behind = end.get(tp) - consumer.position(tp);
        if (behind > 0) {
          open.add(tp);
          backlog += behind;
        }
      }
      long lastProgress = System.nanoTime();
      long lastPrint = lastProgress;
      boolean limited = false;
      while (!open.isEmpty() && !limited) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(java.time.Duration.ofMillis(500));
        ReplayResult.Tally batch = new ReplayResult.Tally();
        List<ProducerRecord<String, byte[]>> sends = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
          long next = -1;
          for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
            if (record.offset() >= end.get(tp)) {
              break;
            }
            if (settings.maxRecords() > 0 && total.read + batch.read >= settings.maxRecords()) {
              limited = true;
              break;
            }
            ProducerRecord<String, byte[]> send = decide(record, parser, batch);
            if (send != null) {
              sends.add(send);
            }
            next = record.offset() + 1;
          }
          if (!limited) {
            // Past transaction markers too, but never past the end seen at the start.
            next = Math.min(consumer.position(tp), end.get(tp));
          }
          if (next >= 0) {
            offsets.put(tp, new OffsetAndMetadata(next));
          }
        }
        if (!offsets.isEmpty()) {
          if (producer != null) {
            commit(producer, consumer, sends, offsets);
          }
          total.addAll(batch);
          lastProgress = System.nanoTime();
        }
        for (TopicPartition tp : partitions) {
          if (open.contains(tp) && consumer.position(tp) >= end.get(tp)) {
            open.remove(tp);
            consumer.pause(List.of(tp));
          }
        }
        long now = System.nanoTime();
        if (!open.isEmpty() && now - lastProgress > settings.stallTimeout().toNanos()) {
          throw new IllegalStateException("No dead letters came from " + settings.bootstrapServers() + " for "
              + settings.stallTimeout().toSeconds() + " s although " + open + " have more: is the broker"
              + " up? What was replayed so far is committed; run the same command again to go on.");
        }
        if (now - lastPrint > PROGRESS_EVERY_NANOS) {
          lastPrint = now;
          out.printf(Locale.ROOT, "  read %,d of %,d: %,d %s, %,d still failing, %,d skipped%n",
              total.read, backlog, total.replayed, settings.dryRun() ? "would be replayed" : "replayed",
              total.stillFailing, total.skippedByReason + total.skippedCollector + total.skippedEvents);
        }
      }
      complete = !limited;
    }
    return total.snapshot(settings.dryRun(), complete, (System.nanoTime() - started) / 1e9);
  }

  /** The record to send for one dead letter, or null; counts it in {@code tally}. */
  private @Nullable ProducerRecord<String, byte[]> decide(
      ConsumerRecord<byte[], byte[]> record, RecordParser parser, ReplayResult.Tally tally) {
    String reason = header(record, KafkaSinks.REASON_HEADER);
    String oldReason = reason == null ? NO_REASON : reason;
    if (COLLECTOR_STEP.equals(header(record, KafkaSinks.STEP_HEADER))) {
      tally.count(oldReason, ReplayResult.SKIPPED_COLLECTOR);
      return null;
    }
    if (DeadLetterReason.STEP_FAILED.name().equals(oldReason)) {
      // An event the job counted everywhere but in the step that threw: a backfill recomputes it.
      tally.count(oldReason, ReplayResult.SKIPPED_EVENT);
      return null;
    }
    if (!settings.reasons().isEmpty() && !settings.reasons().contains(oldReason)) {
      tally.count(oldReason, ReplayResult.SKIPPED_REASON);
      return null;
    }
    // The job takes a record's timestamp for its arrival; a replayed record arrives now.
    long arrival = clock.millis();
    byte[] payload = record.value() == null ? new byte[0] : record.value();
    String from = record.topic() + "/" + record.partition() + "@" + record.offset();
    RecordParser.Outcome outcome =
        parser.parse(RawEvent.of(payload, new Instant(arrival), "replay of " + from));
    if (outcome.event() == null) {
      tally.count(oldReason, outcome.deadLetter().getReason());
      return null;
    }
    ProducerRecord<String, byte[]> send = new ProducerRecord<>(
        settings.eventTopic(), null, arrival, outcome.event().getUserId(), payload);
    Header source = record.headers().lastHeader(KafkaSinks.SOURCE_HEADER);
    if (source != null) {
      send.headers().add(KafkaSinks.SOURCE_HEADER, source.value());
    }
    send.headers().add(REPLAYED_FROM_HEADER, from.getBytes(StandardCharsets.UTF_8));
    tally.count(oldReason, ReplayResult.REPLAYED);
    return send;
  }

  /** One transaction: the records, then the offsets they came from. */
  private void commit(KafkaProducer<String, byte[]> producer, KafkaConsumer<byte[], byte[]> consumer,
      List<ProducerRecord<String, byte[]>> sends, Map<TopicPartition, OffsetAndMetadata> offsets) {
    try {
      producer.beginTransaction();
      for (ProducerRecord<String, byte[]> send : sends) {
        producer.send(send);
      }
      producer.flush();
      beforeCommit.run(sends.size());
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      producer.commitTransaction();
    } catch (ProducerFencedException | InvalidProducerEpochException e) {
      throw new IllegalStateException("Another replay of " + settings.deadLetterTopic() + " with group "
          + settings.group() + " started and took over (" + e.getMessage() + "). Let it finish; this run's"
          + " last batch was not committed, and nothing is lost.", e);
    } catch (KafkaException e) {
      try {
        producer.abortTransaction();
      } catch (KafkaException abortFailed) {
        e.addSuppressed(abortFailed);
      }
      throw new IllegalStateException("Sending to " + settings.eventTopic() + " at " + settings.bootstrapServers()
          + " failed (" + e.getMessage() + "); the batch under way was aborted. What was committed"
          + " before stays: run the same command again to go on.", e);
    }
  }

  private static @Nullable String header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, settings.group(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private KafkaProducer<String, byte[]> producer() {
    Map<String, Object> config = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId(),
        // A transaction is one poll's records; kept short because the streaming job reads
        // read_committed: a run killed mid-transaction holds the event partitions it wrote to until
        // the next run aborts it, or this timeout does (Kafka's default is a minute).
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }

  /** Fails with what to do when no broker answers or a topic is missing. */
  private void checkTopics() {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000))) {
      Set<String> topics = admin.listTopics().names().get(20, TimeUnit.SECONDS);
      if (!topics.contains(settings.deadLetterTopic())) {
        throw new IllegalArgumentException("The dead-letter topic '" + settings.deadLetterTopic()
            + "' does not exist at " + settings.bootstrapServers() + ": pass the streaming job's"
            + " --deadLetterTopic with --dead-letter-topic (topics there: " + new java.util.TreeSet<>(topics) + ").");
      }
      if (!topics.contains(settings.eventTopic())) {
        throw new IllegalArgumentException("The event topic '" + settings.eventTopic() + "' does not exist at "
            + settings.bootstrapServers() + ": pass the streaming job's --inputTopic with --event-topic"
            + " (topics there: " + new java.util.TreeSet<>(topics) + ").");
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalArgumentException("No Kafka broker answers at " + settings.bootstrapServers()
          + " (--bootstrap-servers): start it, or pass the address the streaming job reads"
          + " (`./analytics stack` prints its own).", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while checking the topics", e);
    }
  }
}
