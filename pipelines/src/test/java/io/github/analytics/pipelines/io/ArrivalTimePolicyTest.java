package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

class ArrivalTimePolicyTest {
  private static final Duration DELAY = Duration.standardSeconds(10);

  @Test
  void recordTimesAheadOfTheClockMoveTheWatermark() {
    // A replay at 60x: its arrival times run 30 minutes ahead of the wall clock.
    Instant now = Instant.now();
    ArrivalTimePolicy<byte[], byte[]> policy = new ArrivalTimePolicy<>(DELAY, Optional.empty());
    Instant ahead = now.plus(Duration.standardMinutes(30));
    assertEquals(ahead, policy.getTimestampForRecord(context(5, now), record(ahead)));
    assertEquals(ahead.minus(DELAY), policy.getWatermark(context(5, now)),
        "the record's time minus the delay, not the wall clock (KafkaIO's own policy gives now - delay)");
    // An older record does not move it back.
    policy.getTimestampForRecord(context(4, now), record(now));
    assertEquals(ahead.minus(DELAY), policy.getWatermark(context(4, now)));
  }

  @Test
  void anIdlePartitionMovesOnWithTheClock() {
    Instant last = Instant.parse("2026-12-06T10:00:00Z");
    ArrivalTimePolicy<byte[], byte[]> policy = new ArrivalTimePolicy<>(DELAY, Optional.empty());
    policy.getTimestampForRecord(context(0, last), record(last));
    Instant checked = last.plus(Duration.standardMinutes(5));
    assertEquals(checked.minus(DELAY), policy.getWatermark(context(0, checked)), "nothing left to read");
    assertEquals(last.minus(DELAY), policy.getWatermark(context(3, checked)), "records still to read");
  }

  @Test
  void aRestoredPartitionStartsFromItsPreviousWatermark() {
    Instant previous = Instant.parse("2026-12-06T10:00:00Z");
    ArrivalTimePolicy<byte[], byte[]> policy = new ArrivalTimePolicy<>(DELAY, Optional.of(previous));
    assertEquals(previous, policy.getWatermark(context(1, previous.plus(Duration.standardHours(1)))));
  }

  private static TimestampPolicy.PartitionContext context(long backlog, Instant checkedAt) {
    return new TimestampPolicy.PartitionContext() {
      @Override
      public long getMessageBacklog() {
        return backlog;
      }

      @Override
      public Instant getBacklogCheckTime() {
        return checkedAt;
      }
    };
  }

  private static KafkaRecord<byte[], byte[]> record(Instant timestamp) {
    return new KafkaRecord<>("events", 0, 1, timestamp.getMillis(), KafkaTimestampType.CREATE_TIME, null,
        new byte[0], new byte[0]);
  }
}
