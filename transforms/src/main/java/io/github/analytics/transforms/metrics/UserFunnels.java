package io.github.analytics.transforms.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.util.VarInt;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What {@link FunnelTracker} keeps of one user, per funnel (null where the user has nothing for it).
 */
final class UserFunnels {
  /** One funnel's state for one user. */
  static final class State {
    /** The user's marks for the funnel from {@code keepFrom} on, in {@link FunnelMark#ORDER}. */
    final List<FunnelMark> marks = new ArrayList<>();
    /** Day start (epoch millis) to the furthest step already emitted for an attempt of that day. */
    final TreeMap<Long, Integer> reachedByDay = new TreeMap<>();
    /**
     * Streaming only: day start to the furthest step already emitted as provisional (seen in an
     * attempt still open) for an attempt of that day.
     */
    final TreeMap<Long, Integer> liveByDay = new TreeMap<>();
    /** Every attempt due at or before this was evaluated; {@link Long#MIN_VALUE} before the first. */
    long evaluatedThrough = Long.MIN_VALUE;
    /** Start of the earliest attempt not yet evaluated, or {@link Long#MAX_VALUE}. */
    long pendingFrom = Long.MAX_VALUE;
    /** End of the latest day a mark fell in, or {@link Long#MIN_VALUE}. */
    long lastDayEnd = Long.MIN_VALUE;

    /** Inserts {@code mark} in order; false if the same event is already there. */
    boolean insert(FunnelMark mark) {
      int at = Collections.binarySearch(marks, mark, FunnelMark.ORDER);
      if (at >= 0) {
        return false;
      }
      marks.add(-at - 1, mark);
      return true;
    }

    boolean holdsNothing() {
      return marks.isEmpty()
          && reachedByDay.isEmpty()
          && liveByDay.isEmpty()
          && pendingFrom == Long.MAX_VALUE;
    }
  }

  static final Coder CODER = new Coder();

  final @Nullable State[] funnels;

  UserFunnels(int funnels) {
    this.funnels = new State[funnels];
  }

  static final class Coder extends CustomCoder<UserFunnels> {
    private static final long serialVersionUID = 1L;
    private static final VarLongCoder LONG = VarLongCoder.of();

    @Override
    public void encode(UserFunnels value, OutputStream out) throws IOException {
      VarInt.encode(value.funnels.length, out);
      for (State state : value.funnels) {
        if (state == null) {
          out.write(0);
          continue;
        }
        out.write(1);
        LONG.encode(state.evaluatedThrough, out);
        LONG.encode(state.pendingFrom, out);
        LONG.encode(state.lastDayEnd, out);
        VarInt.encode(state.marks.size(), out);
        for (FunnelMark mark : state.marks) {
          FunnelMark.Coder.of().encode(mark, out);
        }
        encodeDays(state.reachedByDay, out);
        encodeDays(state.liveByDay, out);
      }
    }

    @Override
    public UserFunnels decode(InputStream in) throws IOException {
      UserFunnels value = new UserFunnels(VarInt.decodeInt(in));
      for (int f = 0; f < value.funnels.length; f++) {
        int present = in.read();
        if (present == 0) {
          continue;
        }
        if (present != 1) {
          throw new CoderException("Corrupt funnel state: presence byte " + present);
        }
        State state = new State();
        state.evaluatedThrough = LONG.decode(in);
        state.pendingFrom = LONG.decode(in);
        state.lastDayEnd = LONG.decode(in);
        int marks = VarInt.decodeInt(in);
        for (int i = 0; i < marks; i++) {
          state.marks.add(FunnelMark.Coder.of().decode(in));
        }
        decodeDays(in, state.reachedByDay);
        decodeDays(in, state.liveByDay);
        value.funnels[f] = state;
      }
      return value;
    }

    private static void encodeDays(TreeMap<Long, Integer> days, OutputStream out)
        throws IOException {
      VarInt.encode(days.size(), out);
      for (Map.Entry<Long, Integer> day : days.entrySet()) {
        LONG.encode(day.getKey(), out);
        VarInt.encode(day.getValue(), out);
      }
    }

    private static void decodeDays(InputStream in, TreeMap<Long, Integer> days) throws IOException {
      int count = VarInt.decodeInt(in);
      for (int i = 0; i < count; i++) {
        days.put(LONG.decode(in), VarInt.decodeInt(in));
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Coder;
    }

    @Override
    public int hashCode() {
      return Coder.class.hashCode();
    }
  }
}
