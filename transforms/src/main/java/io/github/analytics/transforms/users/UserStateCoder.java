package io.github.analytics.transforms.users;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.util.VarInt;

/**
 * Encodes a {@link UserState}: the times, the inline ids, then for each metric a presence byte and its state in
 * the metric's own coder. The metric list is fixed for a job (it is part of the step), so states are
 * written by position.
 */
final class UserStateCoder extends CustomCoder<UserState> {
  private static final long serialVersionUID = 1L;

  private final List<Coder<?>> metricCoders;

  UserStateCoder(List<Coder<?>> metricCoders) {
    this.metricCoders = List.copyOf(metricCoders);
  }

  @Override
  public void encode(UserState state, OutputStream out) throws IOException {
    VarInt.encode(state.metrics.length, out);
    VarLongCoder.of().encode(state.timerAt, out);
    VarLongCoder.of().encode(state.nextSweep, out);
    VarLongCoder.of().encode(state.lastEvent, out);
    out.write(state.idsOverflow ? 1 : 0);
    VarInt.encode(state.recentIds.size(), out);
    for (java.util.Map.Entry<String, Long> id : state.recentIds.entrySet()) {
      StringUtf8Coder.of().encode(id.getKey(), out);
      VarLongCoder.of().encode(id.getValue(), out);
    }
    for (int i = 0; i < state.metrics.length; i++) {
      Object value = state.metrics[i];
      if (value == null) {
        out.write(0);
      } else {
        out.write(1);
        encodeWith(metricCoders.get(i), value, out);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void encodeWith(Coder<T> coder, Object value, OutputStream out)
      throws IOException {
    coder.encode((T) value, out);
  }

  @Override
  public UserState decode(InputStream in) throws IOException {
    int n = VarInt.decodeInt(in);
    if (n != metricCoders.size()) {
      throw new CoderException(
          "The per-user state holds " + n + " metrics, this job has " + metricCoders.size()
              + ": a job must be restored with the same per-user metrics it was saved with");
    }
    UserState state = new UserState(n);
    state.timerAt = VarLongCoder.of().decode(in);
    state.nextSweep = VarLongCoder.of().decode(in);
    state.lastEvent = VarLongCoder.of().decode(in);
    state.idsOverflow = in.read() == 1;
    int ids = VarInt.decodeInt(in);
    for (int i = 0; i < ids; i++) {
      state.recentIds.put(StringUtf8Coder.of().decode(in), VarLongCoder.of().decode(in));
    }
    for (int i = 0; i < n; i++) {
      int present = in.read();
      if (present == 1) {
        state.metrics[i] = metricCoders.get(i).decode(in);
      } else if (present != 0) {
        throw new CoderException("Corrupt per-user state: presence byte " + present);
      }
    }
    return state;
  }

  @Override
  public List<? extends Coder<?>> getCoderArguments() {
    return metricCoders;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof UserStateCoder that && metricCoders.equals(that.metricCoders);
  }

  @Override
  public int hashCode() {
    return metricCoders.hashCode();
  }
}
