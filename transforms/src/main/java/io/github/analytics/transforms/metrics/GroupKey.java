package io.github.analytics.transforms.metrics;

import io.github.analytics.schemas.Event;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.util.VarInt;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A composite grouping key of a few strings, such as (event_type, platform, country): typed data, so
 * no separator a value might contain can make two keys collide, with its hash computed once, because
 * a metric hashes its key for every event it pre-aggregates. A missing value is {@link Event#UNKNOWN}.
 */
final class GroupKey {
  private final String[] values;
  private final int hash;

  private GroupKey(String[] values) {
    this.values = values;
    this.hash = Arrays.hashCode(values);
  }

  static GroupKey of(@Nullable String... values) {
    String[] copy = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      copy[i] = values[i] == null ? Event.UNKNOWN : values[i];
    }
    return new GroupKey(copy);
  }

  String get(int i) {
    return values[i];
  }

  int size() {
    return values.length;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof GroupKey other && hash == other.hash && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return Arrays.toString(values);
  }

  /** Deterministic (a shuffle key): the number of values, then each as varint length and UTF-8. */
  static final class Coder extends AtomicCoder<GroupKey> {
    private static final long serialVersionUID = 1L;
    private static final Coder INSTANCE = new Coder();

    static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(GroupKey key, OutputStream out) throws IOException {
      VarInt.encode(key.values.length, out);
      for (String value : key.values) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        VarInt.encode(bytes.length, out);
        out.write(bytes);
      }
    }

    @Override
    public GroupKey decode(InputStream in) throws IOException {
      int n = VarInt.decodeInt(in);
      String[] values = new String[n];
      for (int i = 0; i < n; i++) {
        int length = VarInt.decodeInt(in);
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
          throw new java.io.EOFException("A GroupKey value was cut short");
        }
        values[i] = new String(bytes, StandardCharsets.UTF_8);
      }
      return new GroupKey(values);
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}
