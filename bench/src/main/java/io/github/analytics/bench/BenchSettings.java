package io.github.analytics.bench;

import java.util.List;

/**
 * The sizes of a run, resolved from the command line: {@code --quick} picks smaller defaults, and an
 * explicit size option wins over both.
 *
 * @param quick whether this is a quick run (smaller sizes; the numbers are noisier)
 * @param batchEvents valid events in the generated day of the batch section (the archive holds a few
 *     percent more records: malformed, duplicates, late arrivals)
 * @param batchUsers users in that day
 * @param batchRunners the runners the batch pipeline is timed on
 * @param batchFloor whether the batch section also times the job cut down to its first steps and built
 *     up again, on each runner after its runs
 * @param hllMaxDistinct the largest distinct count of the HLL section (sizes go by powers of ten from 1,000)
 * @param hllSeeds independent seeds per size
 * @param hllPrecisions ZetaSketch HLL++ precisions
 * @param streamEvents events pre-loaded into Kafka for the streaming throughput section
 * @param freshnessRate the produce rate of the freshness section, in events/s
 * @param freshnessSeconds how long the freshness section produces at that rate
 * @param collectorSeconds how long each timed phase of the collector section runs
 */
public record BenchSettings(
    boolean quick,
    long batchEvents,
    int batchUsers,
    List<BatchRunner> batchRunners,
    boolean batchFloor,
    long hllMaxDistinct,
    int hllSeeds,
    List<Integer> hllPrecisions,
    long streamEvents,
    int freshnessRate,
    int freshnessSeconds,
    int collectorSeconds) {

  public static final long FULL_BATCH_EVENTS = 10_000_000L;
  public static final long QUICK_BATCH_EVENTS = 500_000L;
  public static final long FULL_HLL_MAX_DISTINCT = 10_000_000L;
  public static final long QUICK_HLL_MAX_DISTINCT = 1_000_000L;
  public static final long FULL_STREAM_EVENTS = 5_000_000L;
  public static final long QUICK_STREAM_EVENTS = 500_000L;
  public static final int FULL_FRESHNESS_SECONDS = 120;
  public static final int QUICK_FRESHNESS_SECONDS = 30;
  public static final int DEFAULT_FRESHNESS_RATE = 20_000;
  public static final int FULL_COLLECTOR_SECONDS = 30;
  public static final int QUICK_COLLECTOR_SECONDS = 10;
  public static final int DEFAULT_HLL_SEEDS = 3;
  public static final List<Integer> DEFAULT_HLL_PRECISIONS = List.of(12, 13, 14, 15);
  /** The generator keeps users at or under 50 events a day; 20 a user is its own default's density. */
  public static final int EVENTS_PER_USER = 20;

  public BenchSettings {
    batchRunners = List.copyOf(batchRunners);
    hllPrecisions = List.copyOf(hllPrecisions);
    require(batchEvents >= 1_000, "--batch-events must be at least 1,000, got " + batchEvents);
    require(batchUsers >= 1, "--batch-users must be at least 1, got " + batchUsers);
    require(hllMaxDistinct >= 1_000, "--hll-max-distinct must be at least 1,000, got " + hllMaxDistinct);
    require(hllSeeds >= 1, "--hll-seeds must be at least 1, got " + hllSeeds);
    require(!hllPrecisions.isEmpty(), "--hll-precisions needs at least one precision (10 to 24)");
    for (int precision : hllPrecisions) {
      require(precision >= 10 && precision <= 24,
          "--hll-precisions: ZetaSketch accepts 10 to 24, got " + precision);
    }
    require(streamEvents >= 1, "--stream-events must be positive, got " + streamEvents);
    require(freshnessRate >= 1, "--freshness-rate must be positive, got " + freshnessRate);
    require(freshnessSeconds >= 1, "--freshness-seconds must be positive, got " + freshnessSeconds);
    require(collectorSeconds >= 1, "--collector-seconds must be positive, got " + collectorSeconds);
  }

  /** The defaults of a full run ({@code quick=false}) or a quick one. */
  public static BenchSettings defaults(boolean quick) {
    long batchEvents = quick ? QUICK_BATCH_EVENTS : FULL_BATCH_EVENTS;
    return new BenchSettings(
        quick,
        batchEvents,
        usersFor(batchEvents),
        List.of(BatchRunner.values()),
        false,
        quick ? QUICK_HLL_MAX_DISTINCT : FULL_HLL_MAX_DISTINCT,
        DEFAULT_HLL_SEEDS,
        DEFAULT_HLL_PRECISIONS,
        quick ? QUICK_STREAM_EVENTS : FULL_STREAM_EVENTS,
        DEFAULT_FRESHNESS_RATE,
        quick ? QUICK_FRESHNESS_SECONDS : FULL_FRESHNESS_SECONDS,
        quick ? QUICK_COLLECTOR_SECONDS : FULL_COLLECTOR_SECONDS);
  }

  /** "full" for the full run's defaults, "quick" for a quick run, "custom" for other sizes. */
  public String mode() {
    if (quick) {
      return equals(defaults(true)) ? "quick" : "quick, with other sizes";
    }
    return equals(defaults(false)) ? "full" : "custom";
  }

  /** Users for a day of {@code events}: {@value #EVENTS_PER_USER} events a user, at least 100. */
  public static int usersFor(long events) {
    return (int) Math.max(100, Math.min(Integer.MAX_VALUE, events / EVENTS_PER_USER));
  }

  /** The HLL sizes: 1,000, 10,000, ... up to and including {@code hllMaxDistinct}'s power of ten. */
  public List<Long> hllSizes() {
    List<Long> sizes = new java.util.ArrayList<>();
    for (long n = 1_000; n <= hllMaxDistinct; n *= 10) {
      sizes.add(n);
    }
    return sizes;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
