package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** What the archive's {@code source} column says of a record read from Kafka. */
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
}
