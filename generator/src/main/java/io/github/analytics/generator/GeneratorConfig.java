package io.github.analytics.generator;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.LocalTime;
import java.util.Objects;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What {@link EventGenerator} produces for one UTC day. Immutable: every {@code withX} returns a copy.
 *
 * <pre>{@code
 * GeneratorConfig config =
 *     GeneratorConfig.forDay(LocalDate.of(2026, 11, 27)).withSeed(7).withEvents(1_000_000).withUsers(50_000);
 * config.validate();
 * }</pre>
 *
 * <p>Shares: {@code duplicateShare} and {@code lateShare} are fractions of the valid events; {@code
 * malformedShare} is the fraction of all records; {@code touchpointShare} is the fraction of sessions
 * whose first page view carries campaign properties. The same config always gives the same records.
 *
 * <p>{@link #withTimeShift} and {@link #withWindow} change only what comes out, not what is generated: a
 * shifted or windowed day holds the same users, sessions and bytes (but for the timestamps) as the full
 * day.
 */
public final class GeneratorConfig {
  /** Default seed. */
  public static final long DEFAULT_SEED = 42L;
  /** Default number of valid events in the day. */
  public static final long DEFAULT_EVENTS = 200_000L;
  /**
   * The generated shop's own host: its pages' referrers to each other come from it (navigation, not a
   * marketing touchpoint; the batch layer's {@code --ownHosts}).
   */
  public static final String SITE_HOST = "shop.example.com";

  /** Default number of users. */
  public static final int DEFAULT_USERS = 10_000;
  /** Default fraction of all records that are malformed. */
  public static final double DEFAULT_MALFORMED_SHARE = 0.01;
  /** Default fraction of valid events that are sent twice. */
  public static final double DEFAULT_DUPLICATE_SHARE = 0.02;
  /** Default fraction of valid events that arrive hours late. */
  public static final double DEFAULT_LATE_SHARE = 0.01;
  /** Default fraction of sessions whose landing page view carries a campaign touchpoint. */
  public static final double DEFAULT_TOUCHPOINT_SHARE = 0.35;
  /**
   * Most valid events per user and day: a user's sessions are separated by more than 30 minutes of
   * silence, so too few users cannot carry the traffic.
   */
  public static final int MAX_EVENTS_PER_USER = 50;
  /** Largest share accepted for any of the three shares. */
  public static final double MAX_SHARE = 0.5;
  /** How long the error burst lasts, in minutes. */
  public static final int ANOMALY_MINUTES = 10;

  private final LocalDate day;
  private final long seed;
  private final long events;
  private final int users;
  private final double malformedShare;
  private final double duplicateShare;
  private final double lateShare;
  private final @Nullable LocalTime anomalyAt;
  private final Duration timeShift;
  private final @Nullable LocalTime windowFrom;
  private final @Nullable Duration windowLength;
  private final int timeCompression;
  private final double touchpointShare;

  private GeneratorConfig(
      LocalDate day,
      long seed,
      long events,
      int users,
      double malformedShare,
      double duplicateShare,
      double lateShare,
      @Nullable LocalTime anomalyAt,
      Duration timeShift,
      @Nullable LocalTime windowFrom,
      @Nullable Duration windowLength,
      int timeCompression,
      double touchpointShare) {
    this.day = Objects.requireNonNull(day, "day");
    this.seed = seed;
    this.events = events;
    this.users = users;
    this.malformedShare = malformedShare;
    this.duplicateShare = duplicateShare;
    this.lateShare = lateShare;
    this.anomalyAt = anomalyAt;
    this.timeShift = Objects.requireNonNull(timeShift, "timeShift");
    this.windowFrom = windowFrom;
    this.timeCompression = timeCompression;
    this.windowLength = windowLength;
    this.touchpointShare = touchpointShare;
  }

  /** The defaults for {@code day} (UTC). */
  public static GeneratorConfig forDay(LocalDate day) {
    return new GeneratorConfig(
        day,
        DEFAULT_SEED,
        DEFAULT_EVENTS,
        DEFAULT_USERS,
        DEFAULT_MALFORMED_SHARE,
        DEFAULT_DUPLICATE_SHARE,
        DEFAULT_LATE_SHARE,
        null,
        Duration.ZERO,
        null,
        null, 1, DEFAULT_TOUCHPOINT_SHARE);
  }

  /** The same config for another day. */
  public GeneratorConfig withDay(LocalDate value) {
    return new GeneratorConfig(
        value, seed, events, users, malformedShare, duplicateShare, lateShare, anomalyAt, timeShift,
        windowFrom, windowLength, timeCompression, touchpointShare);
  }

  /** The seed of every random choice. */
  public GeneratorConfig withSeed(long value) {
    return new GeneratorConfig(
        day, value, events, users, malformedShare, duplicateShare, lateShare, anomalyAt, timeShift,
        windowFrom, windowLength, timeCompression, touchpointShare);
  }

  /** Approximately how many valid events (not counting duplicates and malformed records) the day has. */
  public GeneratorConfig withEvents(long value) {
    return new GeneratorConfig(
        day, seed, value, users, malformedShare, duplicateShare, lateShare, anomalyAt, timeShift,
        windowFrom, windowLength, timeCompression, touchpointShare);
  }

  /** How many users exist; not all of them are active on the day. */
  public GeneratorConfig withUsers(int value) {
    return new GeneratorConfig(
        day, seed, events, value, malformedShare, duplicateShare, lateShare, anomalyAt, timeShift,
        windowFrom, windowLength, timeCompression, touchpointShare);
  }

  /** Fraction of all records that are malformed. */
  public GeneratorConfig withMalformedShare(double value) {
    return new GeneratorConfig(
        day, seed, events, users, value, duplicateShare, lateShare, anomalyAt, timeShift, windowFrom,
        windowLength, timeCompression, touchpointShare);
  }

  /** Fraction of valid events that the client sends a second time (a retry). */
  public GeneratorConfig withDuplicateShare(double value) {
    return new GeneratorConfig(
        day, seed, events, users, malformedShare, value, lateShare, anomalyAt, timeShift, windowFrom,
        windowLength, timeCompression, touchpointShare);
  }

  /** Fraction of valid events that arrive 1 to 6 hours after they happened. */
  public GeneratorConfig withLateShare(double value) {
    return new GeneratorConfig(
        day, seed, events, users, malformedShare, duplicateShare, value, anomalyAt, timeShift,
        windowFrom, windowLength, timeCompression, touchpointShare);
  }

  /**
   * Start of a {@value #ANOMALY_MINUTES}-minute burst in which errors run at about 20 times their
   * normal rate; null for none.
   */
  public GeneratorConfig withAnomalyAt(@Nullable LocalTime value) {
    return new GeneratorConfig(
        day, seed, events, users, malformedShare, duplicateShare, lateShare, value, timeShift,
        windowFrom, windowLength, timeCompression, touchpointShare);
  }

  /**
   * Moves every timestamp of the output by {@code value}: {@link GeneratedRecord#receivedAtMillis()}
   * and, in the payload, {@code client_timestamp} and {@code server_timestamp}. The day is generated
   * exactly as without the shift (same users, sessions, random choices, bytes) and only the written
   * instants move, so a past day can be replayed as if it happened now. Two timestamps are left alone
   * on purpose: the unparsable ones of {@code INVALID_TIMESTAMP} records, and the 1970 or 2099 {@code
   * client_timestamp} of {@code TIMESTAMP_OUT_OF_RANGE} records, which stays out of range of the
   * shifted {@code server_timestamp}. {@link #day()}, {@link #withAnomalyAt} and {@link #withWindow}
   * still speak of the unshifted day. Must be whole milliseconds; default zero.
   *
   * <pre>{@code
   * // 2026-11-27 13:30 UTC happens at 2026-11-28 09:00 UTC
   * config.withTimeShift(Duration.between(Instant.parse("2026-11-27T13:30:00Z"),
   *     Instant.parse("2026-11-28T09:00:00Z")));
   * }</pre>
   */
  public GeneratorConfig withTimeShift(Duration value) {
    return new GeneratorConfig(
        day, seed, events, users, malformedShare, duplicateShare, lateShare, anomalyAt,
        Objects.requireNonNull(value, "timeShift"), windowFrom, windowLength, timeCompression,
        touchpointShare);
  }

  /**
   * Keeps only the records whose unshifted arrival lies in {@code [from, from + length)} of the day
   * (UTC). The whole day is still generated behind the scenes, so users and sessions are those of the
   * full day and the window holds exactly the full day's records that arrive in it; iteration stops
   * at the window's end. A window running past midnight holds only this day's late arrivals after
   * midnight. {@code length} must be positive, at most a day and whole milliseconds.
   */
  public GeneratorConfig withWindow(LocalTime from, Duration length) {
    return new GeneratorConfig(
        day, seed, events, users, malformedShare, duplicateShare, lateShare, anomalyAt, timeShift,
        Objects.requireNonNull(from, "from"), Objects.requireNonNull(length, "length"), timeCompression,
        touchpointShare);
  }

  /**
   * Writes the day {@code factor} times faster: every output timestamp {@code t} becomes {@code
   * dayStart + (t - dayStart) / factor} (then {@link #withTimeShift shifted}), so the day's traffic
   * fills {@code 1/factor} of a day of event time, as an app with {@code factor} times the users
   * would. Everything else is generated as without it (same users, sessions, choices, order of
   * arrival); gaps shrink by the same factor, so a user's sessions that were more than 30 minutes
   * apart may fall within 30 minutes of each other. For load tests: a day of a few million events is
   * about a hundred events a second, too sparse to fill the windows a stream of 100,000 events a
   * second fills. Default 1 (real time), at most 86,400 (the day in one second).
   */
  public GeneratorConfig withTimeCompression(int factor) {
    return new GeneratorConfig(
        day, seed, events, users, malformedShare, duplicateShare, lateShare, anomalyAt, timeShift,
        windowFrom, windowLength, factor, touchpointShare);
  }

  /**
   * Fraction of sessions whose first page view carries a campaign touchpoint in its {@code properties}:
   * {@code utm_source}, {@code utm_medium} and {@code utm_campaign}, or, for a session that would
   * otherwise arrive direct, sometimes only a {@code referrer} URL (see {@link EventGenerator}).
   * Touchpoints are drawn from their own random stream and only add keys to those page views: every
   * other byte of the day is the same whatever the share, and 0 gives exactly the day generated before
   * touchpoints existed. Between 0 and 1; default {@value #DEFAULT_TOUCHPOINT_SHARE}.
   */
  public GeneratorConfig withTouchpointShare(double value) {
    return new GeneratorConfig(
        day, seed, events, users, malformedShare, duplicateShare, lateShare, anomalyAt, timeShift,
        windowFrom, windowLength, timeCompression, value);
  }

  /** The same config generating the whole day: no window. */
  public GeneratorConfig withoutWindow() {
    return new GeneratorConfig(
        day, seed, events, users, malformedShare, duplicateShare, lateShare, anomalyAt, timeShift,
        null, null, timeCompression, touchpointShare);
  }

  /** The UTC day generated. */
  public LocalDate day() {
    return day;
  }

  /** The seed of every random choice. */
  public long seed() {
    return seed;
  }

  /** Approximate number of valid events in the day. */
  public long events() {
    return events;
  }

  /** Number of users. */
  public int users() {
    return users;
  }

  /** Fraction of all records that are malformed. */
  public double malformedShare() {
    return malformedShare;
  }

  /** Fraction of valid events sent twice. */
  public double duplicateShare() {
    return duplicateShare;
  }

  /** Fraction of valid events arriving 1 to 6 hours late. */
  public double lateShare() {
    return lateShare;
  }

  /** Fraction of sessions whose first page view carries a campaign touchpoint. */
  public double touchpointShare() {
    return touchpointShare;
  }

  /** Start of the error burst (UTC), or null for none. */
  public @Nullable LocalTime anomalyAt() {
    return anomalyAt;
  }

  /** How far every output timestamp is moved; zero unless {@link #withTimeShift} was used. */
  public Duration timeShift() {
    return timeShift;
  }

  /** How many times faster than real time the day's timestamps are written; 1 unless compressed. */
  public int timeCompression() {
    return timeCompression;
  }

  /** Start (UTC, unshifted) of the arrival window, or null when the whole day is generated. */
  public @Nullable LocalTime windowFrom() {
    return windowFrom;
  }

  /** Length of the arrival window, or null when the whole day is generated. */
  public @Nullable Duration windowLength() {
    return windowLength;
  }

  /** The instant the day starts, 00:00 UTC, before the shift. */
  Instant dayStart() {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /**
   * Checks the config as a whole.
   *
   * @return this config, for chaining
   * @throws IllegalArgumentException with a message naming the setting to change
   */
  public GeneratorConfig validate() {
    if (day.getYear() < 2000 || day.getYear() > 2097) {
      throw new IllegalArgumentException(
          "The day " + day + " is outside 2000-2097: pick a day in that range (the out-of-range records"
              + " use timestamps in 1970 and 2099, which must stay far from the day)");
    }
    if (events < 1) {
      throw new IllegalArgumentException("events is " + events + ": set it to at least 1");
    }
    if (users < 1) {
      throw new IllegalArgumentException("users is " + users + ": set it to at least 1");
    }
    if (events > (long) users * MAX_EVENTS_PER_USER) {
      throw new IllegalArgumentException(
          "events ("
              + events
              + ") is more than "
              + MAX_EVENTS_PER_USER
              + " per user ("
              + users
              + " users): raise users to at least "
              + ((events + MAX_EVENTS_PER_USER - 1) / MAX_EVENTS_PER_USER)
              + " or lower events");
    }
    checkShare("malformedShare", malformedShare);
    checkShare("duplicateShare", duplicateShare);
    checkShare("lateShare", lateShare);
    if (!(touchpointShare >= 0.0 && touchpointShare <= 1.0)) {
      throw new IllegalArgumentException(
          "touchpointShare is " + touchpointShare + ": set it to a fraction of sessions between 0 (no"
              + " touchpoints) and 1 (0.35 = 35%)");
    }
    if (anomalyAt != null && anomalyAt.isAfter(LocalTime.of(23, 60 - ANOMALY_MINUTES))) {
      throw new IllegalArgumentException(
          "anomalyAt "
              + anomalyAt
              + " leaves no room for the "
              + ANOMALY_MINUTES
              + "-minute burst before midnight: pick a time no later than 23:"
              + (60 - ANOMALY_MINUTES));
    }
    if (timeShift.getNano() % 1_000_000 != 0) {
      throw new IllegalArgumentException(
          "timeShift " + timeShift + " has a fraction of a millisecond: timestamps carry milliseconds,"
              + " so shift by whole milliseconds");
    }
    if (!timeShift.isZero()) {
      LocalDate shiftedFirst = dayStart().plus(timeShift).atZone(ZoneOffset.UTC).toLocalDate();
      if (shiftedFirst.getYear() < 2000 || shiftedFirst.getYear() > 2097) {
        throw new IllegalArgumentException(
            "timeShift " + timeShift + " moves the day " + day + " to " + shiftedFirst
                + ", outside 2000-2097: shift it to a day in that range");
      }
    }
    if (timeCompression < 1 || timeCompression > 86_400) {
      throw new IllegalArgumentException(
          "timeCompression is " + timeCompression + ": set it between 1 (real time) and 86400 (the day"
              + " in one second)");
    }
    if (windowLength != null) {
      if (windowLength.isZero()
          || windowLength.isNegative()
          || windowLength.compareTo(Duration.ofDays(1)) > 0
          || windowLength.getNano() % 1_000_000 != 0) {
        throw new IllegalArgumentException(
            "The window length is " + windowLength + ": use a positive duration of whole"
                + " milliseconds, at most a day (PT1H, PT30M)");
      }
    }
    return this;
  }

  private static void checkShare(String name, double value) {
    if (!(value >= 0.0 && value <= MAX_SHARE)) {
      throw new IllegalArgumentException(
          name + " is " + value + ": set it to a fraction between 0 and " + MAX_SHARE + " (0.01 = 1%)");
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof GeneratorConfig)) {
      return false;
    }
    GeneratorConfig that = (GeneratorConfig) o;
    return seed == that.seed
        && events == that.events
        && users == that.users
        && Double.compare(malformedShare, that.malformedShare) == 0
        && Double.compare(duplicateShare, that.duplicateShare) == 0
        && Double.compare(lateShare, that.lateShare) == 0
        && day.equals(that.day)
        && Objects.equals(anomalyAt, that.anomalyAt)
        && timeShift.equals(that.timeShift)
        && Objects.equals(windowFrom, that.windowFrom)
        && Objects.equals(windowLength, that.windowLength)
        && timeCompression == that.timeCompression
        && Double.compare(touchpointShare, that.touchpointShare) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        day, seed, events, users, malformedShare, duplicateShare, lateShare, anomalyAt, timeShift,
        windowFrom, windowLength, timeCompression, touchpointShare);
  }

  @Override
  public String toString() {
    return "GeneratorConfig{day="
        + day
        + ", seed="
        + seed
        + ", events="
        + events
        + ", users="
        + users
        + ", malformedShare="
        + malformedShare
        + ", duplicateShare="
        + duplicateShare
        + ", lateShare="
        + lateShare
        + ", touchpointShare="
        + touchpointShare
        + ", anomalyAt="
        + anomalyAt
        + (timeShift.isZero() ? "" : ", timeShift=" + timeShift)
        + (windowFrom == null ? "" : ", window=" + windowFrom + "+" + windowLength)
        + (timeCompression == 1 ? "" : ", timeCompression=" + timeCompression)
        + "}";
  }
}
