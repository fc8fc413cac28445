package org.apache.beam.sdk.io.kafka;

import org.apache.beam.sdk.io.UnboundedSource;

/**
 * The {@link UnboundedSource} behind a {@link KafkaIO.Read}, which {@code KafkaIO} builds only inside
 * its own {@code expand} ({@code makeSource()} is package-private): {@code
 * io.github.analytics.pipelines.io.KafkaSource} wraps it to read records in batches. This class lives
 * in KafkaIO's package for that one call; it holds no logic.
 */
public final class KafkaReadSource {
  private KafkaReadSource() {}

  /**
   * The source of {@code read}, as {@code KafkaIO}'s legacy (non-SDF) read builds it; {@code read}
   * must have its key and value coders set ({@code withKeyDeserializerAndCoder}, {@code
   * withValueDeserializerAndCoder}).
   */
  public static <K, V> UnboundedSource<KafkaRecord<K, V>, KafkaCheckpointMark> of(
      KafkaIO.Read<K, V> read) {
    if (read.getKeyCoder() == null || read.getValueCoder() == null) {
      throw new IllegalArgumentException(
          "Set the key and value coders of the Kafka read (withKeyDeserializerAndCoder and"
              + " withValueDeserializerAndCoder)");
    }
    return read.makeSource();
  }
}
