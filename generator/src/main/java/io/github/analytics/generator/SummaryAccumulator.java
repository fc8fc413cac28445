package io.github.analytics.generator;

import io.github.analytics.schemas.DeadLetterReason;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Counts records into a {@link GenerationSummary}; not thread-safe. */
final class SummaryAccumulator {
  private static final long MILLIS_PER_HOUR = 3_600_000L;

  private final Map<String, long[]> validByType = new HashMap<>();
  private final long[] malformed = new long[DeadLetterReason.values().length];
  private final TreeMap<Long, long[]> perHour = new TreeMap<>();
  private long late;
  private long duplicates;
  private long anomalyErrors;
  private long first = Long.MAX_VALUE;
  private long last = Long.MIN_VALUE;
  private long cachedHour = Long.MIN_VALUE;
  private long[] cachedHourCount = new long[1];

  void add(GeneratedRecord record) {
    switch (record.kind()) {
      case ON_TIME:
      case LATE:
        validByType.computeIfAbsent(record.eventType().orElse("?"), k -> new long[1])[0]++;
        if (record.kind() == RecordKind.LATE) {
          late++;
        }
        if (record.anomalous()) {
          anomalyErrors++;
        }
        break;
      case DUPLICATE:
        duplicates++;
        break;
      case MALFORMED:
        malformed[record.intendedReason().orElseThrow().ordinal()]++;
        break;
    }
    long received = record.receivedAtMillis();
    first = Math.min(first, received);
    last = Math.max(last, received);
    long hour = Math.floorDiv(received, MILLIS_PER_HOUR);
    if (hour != cachedHour) {
      cachedHour = hour;
      cachedHourCount = perHour.computeIfAbsent(hour, k -> new long[1]);
    }
    cachedHourCount[0]++;
  }

  GenerationSummary build() {
    TreeMap<String, Long> types = new TreeMap<>();
    validByType.forEach((type, count) -> types.put(type, count[0]));
    EnumMap<DeadLetterReason, Long> reasons = new EnumMap<>(DeadLetterReason.class);
    for (DeadLetterReason reason : DeadLetterReason.RECORD_CHECKS) {
      reasons.put(reason, malformed[reason.ordinal()]);
    }
    TreeMap<Instant, Long> hours = new TreeMap<>();
    perHour.forEach((hour, count) -> hours.put(Instant.ofEpochMilli(hour * MILLIS_PER_HOUR), count[0]));
    boolean any = first != Long.MAX_VALUE;
    return new GenerationSummary(
        types,
        late,
        duplicates,
        anomalyErrors,
        reasons,
        hours,
        any ? Instant.ofEpochMilli(first) : null,
        any ? Instant.ofEpochMilli(last) : null);
  }
}
