package io.github.analytics.generator;

import io.github.analytics.schemas.DeadLetterReason;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What a generation run produced: valid events by type, late events, duplicates, malformed records by
 * intended reason, and records per hour partition of arrival. Immutable; {@link #format()} prints it.
 */
public final class GenerationSummary {
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("'dt='yyyy-MM-dd'/hour='HH", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final SortedMap<String, Long> validByType;
  private final long late;
  private final long duplicates;
  private final long anomalyErrors;
  private final Map<DeadLetterReason, Long> malformedByReason;
  private final SortedMap<Instant, Long> recordsPerHour;
  private final @Nullable Instant firstReceivedAt;
  private final @Nullable Instant lastReceivedAt;

  GenerationSummary(
      SortedMap<String, Long> validByType,
      long late,
      long duplicates,
      long anomalyErrors,
      Map<DeadLetterReason, Long> malformedByReason,
      SortedMap<Instant, Long> recordsPerHour,
      @Nullable Instant firstReceivedAt,
      @Nullable Instant lastReceivedAt) {
    this.validByType = Collections.unmodifiableSortedMap(new TreeMap<>(validByType));
    this.late = late;
    this.duplicates = duplicates;
    this.anomalyErrors = anomalyErrors;
    EnumMap<DeadLetterReason, Long> reasons = new EnumMap<>(DeadLetterReason.class);
    for (DeadLetterReason reason : DeadLetterReason.RECORD_CHECKS) {
      reasons.put(reason, malformedByReason.getOrDefault(reason, 0L));
    }
    this.malformedByReason = Collections.unmodifiableMap(reasons);
    this.recordsPerHour = Collections.unmodifiableSortedMap(new TreeMap<>(recordsPerHour));
    this.firstReceivedAt = firstReceivedAt;
    this.lastReceivedAt = lastReceivedAt;
  }

  /** A summary of nothing. */
  public static GenerationSummary empty() {
    return new GenerationSummary(
        new TreeMap<>(), 0, 0, 0, new EnumMap<>(DeadLetterReason.class), new TreeMap<>(), null, null);
  }

  /** Summarizes records, for example those of {@link EventGenerator#iterator()}. */
  public static GenerationSummary of(Iterator<GeneratedRecord> records) {
    SummaryAccumulator accumulator = new SummaryAccumulator();
    while (records.hasNext()) {
      accumulator.add(records.next());
    }
    return accumulator.build();
  }

  /** Valid events (on time and late, not duplicates) by {@code event_type}. */
  public SortedMap<String, Long> validEventsByType() {
    return validByType;
  }

  /** All valid events, on time and late, without duplicates. */
  public long validEvents() {
    long sum = 0;
    for (long count : validByType.values()) {
      sum += count;
    }
    return sum;
  }

  /** Valid events that arrived 1 to 6 hours late. */
  public long lateEvents() {
    return late;
  }

  /** Client retries of valid events. */
  public long duplicates() {
    return duplicates;
  }

  /** Error events added by the configured burst (included in {@link #validEventsByType()}). */
  public long anomalyErrors() {
    return anomalyErrors;
  }

  /** Malformed records by the reason a parser must give; every reason is a key. */
  public Map<DeadLetterReason, Long> malformedByReason() {
    return malformedByReason;
  }

  /** All malformed records. */
  public long malformed() {
    long sum = 0;
    for (long count : malformedByReason.values()) {
      sum += count;
    }
    return sum;
  }

  /** Every record: valid events, duplicates and malformed records. */
  public long totalRecords() {
    return validEvents() + duplicates + malformed();
  }

  /** Records by the start (UTC) of the hour in which they were received: the archive partitions. */
  public SortedMap<Instant, Long> recordsPerHour() {
    return recordsPerHour;
  }

  /** The earliest arrival time, if any record was generated. */
  public Optional<Instant> firstReceivedAt() {
    return Optional.ofNullable(firstReceivedAt);
  }

  /** The latest arrival time, if any record was generated. */
  public Optional<Instant> lastReceivedAt() {
    return Optional.ofNullable(lastReceivedAt);
  }

  /** This summary and {@code other} added together, for runs over several days. */
  public GenerationSummary plus(GenerationSummary other) {
    TreeMap<String, Long> types = new TreeMap<>(validByType);
    other.validByType.forEach((k, v) -> types.merge(k, v, Long::sum));
    EnumMap<DeadLetterReason, Long> reasons = new EnumMap<>(malformedByReason);
    other.malformedByReason.forEach((k, v) -> reasons.merge(k, v, Long::sum));
    TreeMap<Instant, Long> hours = new TreeMap<>(recordsPerHour);
    other.recordsPerHour.forEach((k, v) -> hours.merge(k, v, Long::sum));
    return new GenerationSummary(
        types,
        late + other.late,
        duplicates + other.duplicates,
        anomalyErrors + other.anomalyErrors,
        reasons,
        hours,
        min(firstReceivedAt, other.firstReceivedAt),
        max(lastReceivedAt, other.lastReceivedAt));
  }

  /** A readable multi-line report. */
  public String format() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "records            %,12d%n", totalRecords()));
    out.append(String.format(Locale.ROOT, "valid events       %,12d%n", validEvents()));
    validByType.forEach(
        (type, count) -> out.append(String.format(Locale.ROOT, "  %-16s %,12d%n", type, count)));
    out.append(String.format(Locale.ROOT, "  of which late    %,12d%n", late));
    if (anomalyErrors > 0) {
      out.append(String.format(Locale.ROOT, "  burst errors     %,12d%n", anomalyErrors));
    }
    out.append(String.format(Locale.ROOT, "duplicates         %,12d%n", duplicates));
    out.append(String.format(Locale.ROOT, "malformed          %,12d%n", malformed()));
    malformedByReason.forEach(
        (reason, count) ->
            out.append(String.format(Locale.ROOT, "  %-22s %,6d%n", reason.name(), count)));
    out.append(
        String.format(
            Locale.ROOT,
            "received           %s .. %s%n",
            firstReceivedAt == null ? "-" : firstReceivedAt,
            lastReceivedAt == null ? "-" : lastReceivedAt));
    out.append(String.format(Locale.ROOT, "hour partitions    %12d%n", recordsPerHour.size()));
    recordsPerHour.forEach(
        (hour, count) ->
            out.append(String.format(Locale.ROOT, "  %s %,12d%n", HOUR.format(hour), count)));
    return out.toString();
  }

  @Override
  public String toString() {
    return format();
  }

  private static @Nullable Instant min(@Nullable Instant a, @Nullable Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isBefore(b) ? a : b;
  }

  private static @Nullable Instant max(@Nullable Instant a, @Nullable Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }
}
