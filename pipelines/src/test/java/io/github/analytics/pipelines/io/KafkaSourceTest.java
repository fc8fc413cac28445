package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.stack.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/** What the archive's {@code source} column says of a record read from Kafka, and which records are read. */
class KafkaSourceTest {
  private static KafkaRecord<byte[], byte[]> record(RecordHeaders headers) {
    return new KafkaRecord<>("events", 3, 1042L, 1_795_766_400_000L, KafkaTimestampType.CREATE_TIME, headers,
        "u1".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theSourceNamesTheRecordAndTheWriteKeysSource() {
    RecordHeaders fromCollector = new RecordHeaders();
    // As the collector writes it: the source its write key maps to.
    fromCollector.add(KafkaSource.SOURCE_HEADER, "web-shop".getBytes(StandardCharsets.UTF_8));
    assertEquals("kafka:events/3@1042 from web-shop", KafkaSource.ToRawEventFn.source(record(fromCollector)));
    assertEquals("kafka:events/3@1042", KafkaSource.ToRawEventFn.source(record(new RecordHeaders())),
        "a producer that says nothing");
  }

  @Test
  void recordsOfAnAbortedTransactionAreNotRead() throws Exception {
    try (KafkaBroker kafka = KafkaBroker.start(Files.createTempDirectory("kafka-source"))) {
      kafka.createTopics("events-tx");
      // Partition 0, in this order: "aborted" (its transaction aborted, as a killed replay's is once
      // the next run starts), "committed" (a committed transaction), "plain" (no transaction).
      try (KafkaProducer<byte[], byte[]> tx = new KafkaProducer<>(Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
              ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kafka-source-test"),
          new ByteArraySerializer(), new ByteArraySerializer());
          KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
              new ByteArraySerializer(), new ByteArraySerializer())) {
        tx.initTransactions();
        tx.beginTransaction();
        tx.send(new ProducerRecord<>("events-tx", 0, null, bytes("aborted")));
        tx.flush();
        tx.abortTransaction();
        tx.beginTransaction();
        tx.send(new ProducerRecord<>("events-tx", 0, null, bytes("committed")));
        tx.commitTransaction();
        plain.send(new ProducerRecord<>("events-tx", 0, null, bytes("plain"))).get(60, TimeUnit.SECONDS);
      }
      Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
      KafkaSource source = KafkaSource.read(kafka.bootstrapServers(), "events-tx", "kafka-source-test",
          Duration.standardSeconds(5));
      // The source's own KafkaIO configuration, bounded to the first two records it reads.
      PAssert.that(pipeline.apply(source.kafkaRead().withMaxNumRecords(2).withoutMetadata())
              .apply(MapElements.into(TypeDescriptors.strings())
                  .via(kv -> new String(kv.getValue(), StandardCharsets.UTF_8))))
          .containsInAnyOrder("committed", "plain");
      pipeline.run().waitUntilFinish();
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
