package io.github.analytics.pipelines.io;

import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The event topic's watermark, per partition: the highest record timestamp read (the collector's
 * arrival time, {@code CreateTime}) minus {@code maxDelay}; a partition with nothing left to read
 * moves it on to the time of that check minus {@code maxDelay}.
 *
 * <p>It is KafkaIO's {@code CustomTimestampPolicyWithLimitedDelay} without its cap at the wall clock:
 * that policy takes a record time ahead of the clock for a wrong clock and holds the watermark at the
 * clock, so a replay whose times run ahead of it (the demo's day at 60 times real time, an hour a
 * minute) never closed a window while it ran, and everything the watermark decides (sessions, funnels,
 * anomalies) came out at once at the end. For replays only ({@code --watermarkAheadOfClock}); a broker
 * refuses a record more than {@code message.timestamp.after.max.ms} (an hour by default) ahead.
 */
final class ArrivalTimePolicy<K, V> extends TimestampPolicy<K, V> {
  private final Duration maxDelay;
  private Instant maxEventTimestamp;

  ArrivalTimePolicy(Duration maxDelay, Optional<Instant> previousWatermark) {
    this.maxDelay = maxDelay;
    this.maxEventTimestamp = previousWatermark.orElse(BoundedWindow.TIMESTAMP_MIN_VALUE).plus(maxDelay);
  }

  @Override
  public Instant getTimestampForRecord(PartitionContext context, KafkaRecord<K, V> record) {
    Instant timestamp = new Instant(record.getTimestamp());
    if (timestamp.isAfter(maxEventTimestamp)) {
      maxEventTimestamp = timestamp;
    }
    return timestamp;
  }

  @Override
  public Instant getWatermark(PartitionContext context) {
    Instant idleSince = context.getBacklogCheckTime().minus(maxDelay);
    if (context.getMessageBacklog() == 0 && idleSince.isAfter(maxEventTimestamp)
        && maxEventTimestamp.getMillis() > 0) {
      return idleSince;
    }
    return maxEventTimestamp.minus(maxDelay);
  }
}
