package io.github.analytics.transforms.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Comparator;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What the funnel state keeps of one event of a user, for one funnel: its event time, its id (to
 * order events of the same millisecond and to skip a repeated delivery) and the funnel steps it
 * matches (bit i set: it matches step i+1). A mark with no bit set is an event that is no step of the
 * funnel, kept only for strict funnels, where any event breaks an attempt.
 */
final class FunnelMark {
  /** Event time, then event id: the order in which a user's events happened. */
  static final Comparator<FunnelMark> ORDER =
      Comparator.comparingLong(FunnelMark::millis).thenComparing(FunnelMark::eventId);

  private final long millis;
  private final String eventId;
  private final int steps;

  FunnelMark(long millis, String eventId, int steps) {
    this.millis = millis;
    this.eventId = eventId;
    this.steps = steps;
  }

  long millis() {
    return millis;
  }

  String eventId() {
    return eventId;
  }

  /** The steps this event matches, as a bit set (bit i is step i+1). */
  int steps() {
    return steps;
  }

  /** Whether this event matches step {@code index} (0-based). */
  boolean matches(int index) {
    return (steps & (1 << index)) != 0;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof FunnelMark other
        && millis == other.millis
        && steps == other.steps
        && eventId.equals(other.eventId);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(millis) * 31 + eventId.hashCode();
  }

  @Override
  public String toString() {
    return "FunnelMark{" + millis + ", " + eventId + ", steps=" + Integer.toBinaryString(steps) + "}";
  }

  /** A compact, deterministic coder: variable-length time and step set, then the id. */
  static final class Coder extends AtomicCoder<FunnelMark> {
    private static final long serialVersionUID = 1L;
    private static final Coder INSTANCE = new Coder();

    static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(FunnelMark mark, OutputStream out) throws IOException {
      VarLongCoder.of().encode(mark.millis, out);
      VarIntCoder.of().encode(mark.steps, out);
      StringUtf8Coder.of().encode(mark.eventId, out);
    }

    @Override
    public FunnelMark decode(InputStream in) throws IOException {
      long millis = VarLongCoder.of().decode(in);
      int steps = VarIntCoder.of().decode(in);
      return new FunnelMark(millis, StringUtf8Coder.of().decode(in), steps);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
