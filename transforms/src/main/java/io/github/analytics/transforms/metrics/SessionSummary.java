package io.github.analytics.transforms.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What {@link SessionizeEvents} knows about a session so far: counts, the first and last event, the
 * revenue and how many events carried each client session id. It is the combiner's accumulator and
 * also its input (a summary of one event), so it never holds the events themselves: its size grows
 * only with the number of distinct client session ids, a handful per session.
 *
 * <p>Merging is commutative and associative, so the result does not depend on the order events
 * arrive in: the first event is the one with the smallest (time, event_id, event_type), the last the
 * one with the largest.
 */
final class SessionSummary {
  static final SummaryCoder CODER = new SummaryCoder();

  private long eventCount;
  private long pageViews;
  private long firstMillis;
  private @Nullable String firstEventId;
  private @Nullable String firstEventType;
  private long lastMillis;
  private @Nullable String lastEventId;
  private @Nullable String lastEventType;
  private double revenue;
  private final TreeMap<String, Long> clientSessionIds = new TreeMap<>();

  /** A summary of no events: the combiner's empty accumulator. */
  SessionSummary() {}

  /** A summary of one event; {@code revenue} is what it contributes (0 unless a purchase). */
  static SessionSummary ofEvent(
      String eventId, String eventType, long eventMillis, String clientSessionId, double revenue) {
    SessionSummary summary = new SessionSummary();
    summary.addEvent(eventId, eventType, eventMillis, clientSessionId, revenue);
    return summary;
  }

  /**
   * Adds one event to this summary in place, as {@code add(ofEvent(...))} would without building the
   * summary of the event: what a session does with each event of its user.
   */
  void addEvent(
      String eventId, String eventType, long eventMillis, String clientSessionId, double revenue) {
    if (isEmpty()
        || compare(eventMillis, eventId, eventType, firstMillis, firstEventId, firstEventType) < 0) {
      firstMillis = eventMillis;
      firstEventId = eventId;
      firstEventType = eventType;
    }
    if (isEmpty()
        || compare(eventMillis, eventId, eventType, lastMillis, lastEventId, lastEventType) > 0) {
      lastMillis = eventMillis;
      lastEventId = eventId;
      lastEventType = eventType;
    }
    eventCount++;
    if (SessionizeEvents.PAGE_VIEW.equals(eventType)) {
      pageViews++;
    }
    this.revenue += revenue;
    clientSessionIds.merge(clientSessionId, 1L, Long::sum);
  }

  /** Adds {@code other} to this summary and returns this one; {@code other} is left unchanged. */
  SessionSummary add(SessionSummary other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()
        || compare(other.firstMillis, other.firstEventId, other.firstEventType,
                firstMillis, firstEventId, firstEventType) < 0) {
      firstMillis = other.firstMillis;
      firstEventId = other.firstEventId;
      firstEventType = other.firstEventType;
    }
    if (isEmpty()
        || compare(other.lastMillis, other.lastEventId, other.lastEventType,
                lastMillis, lastEventId, lastEventType) > 0) {
      lastMillis = other.lastMillis;
      lastEventId = other.lastEventId;
      lastEventType = other.lastEventType;
    }
    eventCount += other.eventCount;
    pageViews += other.pageViews;
    revenue += other.revenue;
    other.clientSessionIds.forEach((id, n) -> clientSessionIds.merge(id, n, Long::sum));
    return this;
  }

  SessionSummary copy() {
    return new SessionSummary().add(this);
  }

  boolean isEmpty() {
    return eventCount == 0;
  }

  long eventCount() {
    return eventCount;
  }

  long pageViews() {
    return pageViews;
  }

  /** Event time of the first event, epoch millis. */
  long firstMillis() {
    return firstMillis;
  }

  /** Event time of the last event, epoch millis. */
  long lastMillis() {
    return lastMillis;
  }

  @Nullable String firstEventType() {
    return firstEventType;
  }

  @Nullable String lastEventType() {
    return lastEventType;
  }

  double revenue() {
    return revenue;
  }

  int distinctClientSessionIds() {
    return clientSessionIds.size();
  }

  /**
   * The client session id most events carry; among equally frequent ids the smallest in string
   * order, so the choice does not depend on arrival order. Null only for an empty summary.
   */
  @Nullable String mainClientSessionId() {
    String best = null;
    long bestCount = 0;
    // TreeMap iterates in ascending order: a later id wins only with strictly more events.
    for (Map.Entry<String, Long> entry : clientSessionIds.entrySet()) {
      if (entry.getValue() > bestCount) {
        best = entry.getKey();
        bestCount = entry.getValue();
      }
    }
    return best;
  }

  private static int compare(
      long aMillis, @Nullable String aId, @Nullable String aType,
      long bMillis, @Nullable String bId, @Nullable String bType) {
    int byTime = Long.compare(aMillis, bMillis);
    if (byTime != 0) {
      return byTime;
    }
    int byId = Objects.requireNonNull(aId).compareTo(Objects.requireNonNull(bId));
    return byId != 0 ? byId : Objects.requireNonNull(aType).compareTo(Objects.requireNonNull(bType));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof SessionSummary other
        && eventCount == other.eventCount
        && pageViews == other.pageViews
        && firstMillis == other.firstMillis
        && Objects.equals(firstEventId, other.firstEventId)
        && Objects.equals(firstEventType, other.firstEventType)
        && lastMillis == other.lastMillis
        && Objects.equals(lastEventId, other.lastEventId)
        && Objects.equals(lastEventType, other.lastEventType)
        && Double.compare(revenue, other.revenue) == 0
        && clientSessionIds.equals(other.clientSessionIds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventCount, firstMillis, firstEventId, lastMillis, lastEventId, revenue);
  }

  @Override
  public String toString() {
    return "SessionSummary{events=" + eventCount + ", pageViews=" + pageViews + ", first="
        + firstEventType + "@" + firstMillis + ", last=" + lastEventType + "@" + lastMillis
        + ", revenue=" + revenue + ", clientSessionIds=" + clientSessionIds + "}";
  }

  /** Encodes a summary field by field: what the per-user state keeps of a session. */
  static final class SummaryCoder extends CustomCoder<SessionSummary> {
    private static final long serialVersionUID = 1L;
    private static final VarLongCoder LONG = VarLongCoder.of();
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();
    private static final NullableCoder<String> NULLABLE_STRING = NullableCoder.of(STRING);
    private static final DoubleCoder DOUBLE = DoubleCoder.of();

    private SummaryCoder() {}

    @Override
    public void encode(SessionSummary value, OutputStream out) throws IOException {
      LONG.encode(value.eventCount, out);
      LONG.encode(value.pageViews, out);
      LONG.encode(value.firstMillis, out);
      NULLABLE_STRING.encode(value.firstEventId, out);
      NULLABLE_STRING.encode(value.firstEventType, out);
      LONG.encode(value.lastMillis, out);
      NULLABLE_STRING.encode(value.lastEventId, out);
      NULLABLE_STRING.encode(value.lastEventType, out);
      DOUBLE.encode(value.revenue, out);
      LONG.encode((long) value.clientSessionIds.size(), out);
      for (Map.Entry<String, Long> entry : value.clientSessionIds.entrySet()) {
        STRING.encode(entry.getKey(), out);
        LONG.encode(entry.getValue(), out);
      }
    }

    @Override
    public SessionSummary decode(InputStream in) throws IOException {
      SessionSummary value = new SessionSummary();
      value.eventCount = LONG.decode(in);
      value.pageViews = LONG.decode(in);
      value.firstMillis = LONG.decode(in);
      value.firstEventId = NULLABLE_STRING.decode(in);
      value.firstEventType = NULLABLE_STRING.decode(in);
      value.lastMillis = LONG.decode(in);
      value.lastEventId = NULLABLE_STRING.decode(in);
      value.lastEventType = NULLABLE_STRING.decode(in);
      value.revenue = DOUBLE.decode(in);
      long ids = LONG.decode(in);
      for (long i = 0; i < ids; i++) {
        value.clientSessionIds.put(STRING.decode(in), LONG.decode(in));
      }
      return value;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof SummaryCoder;
    }

    @Override
    public int hashCode() {
      return SummaryCoder.class.hashCode();
    }
  }
}
