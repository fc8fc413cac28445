package io.github.analytics.transforms.warehouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.util.VarInt;

/**
 * One user's activity over the days a run reads (its own days and the history read back from the
 * warehouse), and the first day they sent each event type, over all time: what every {@link
 * WarehouseMetric} reads. Days are epoch days (days since 1970-01-01, UTC). Immutable.
 */
public final class UserHistory {
  /** The event type that stands for any event, in first-seen rows and retention settings. */
  public static final String ANY = "all";
  /** No day. */
  public static final long NONE = Long.MIN_VALUE;

  private final String userId;
  private final long[] days;
  private final String[][] types;
  private final TreeMap<String, Long> firstSeen;
  private final long recordedFirstSeen;

  /**
   * {@code days} sorted ascending, each once, with {@code types[i]} the event types of {@code
   * days[i]}; {@code firstSeen} the first day of each event type and of {@link #ANY} (no later than any
   * of the days); {@code recordedFirstSeen} the first day of any event the warehouse held before this
   * run, or {@link #NONE}.
   */
  UserHistory(
      String userId, long[] days, String[][] types, Map<String, Long> firstSeen, long recordedFirstSeen) {
    this.userId = userId;
    this.days = days;
    this.types = types;
    this.firstSeen = new TreeMap<>(firstSeen);
    this.recordedFirstSeen = recordedFirstSeen;
  }

  public String userId() {
    return userId;
  }

  /** The days with activity, ascending. */
  public long[] days() {
    return days.clone();
  }

  /** The first day the user sent {@code eventType} ({@link #ANY}: any event), or {@link #NONE}. */
  public long firstSeen(String eventType) {
    Long day = firstSeen.get(eventType);
    return day == null ? NONE : day;
  }

  /** Every event type's first day, {@link #ANY} included. */
  public Map<String, Long> firstSeen() {
    return java.util.Collections.unmodifiableMap(firstSeen);
  }

  /** The first day of any event that the warehouse recorded before this run, or {@link #NONE}. */
  public long recordedFirstSeen() {
    return recordedFirstSeen;
  }

  /** Whether the user sent {@code eventType} ({@link #ANY}: any event) on {@code day}. */
  public boolean activeOn(long day, String eventType) {
    int i = Arrays.binarySearch(days, day);
    return i >= 0 && (ANY.equals(eventType) || Arrays.binarySearch(types[i], eventType) >= 0);
  }

  /** Whether the user sent {@code eventType} on any day of [{@code from}, {@code to}]. */
  public boolean activeBetween(long from, long to, String eventType) {
    int i = Arrays.binarySearch(days, from);
    for (int k = i >= 0 ? i : -i - 1; k < days.length && days[k] <= to; k++) {
      if (ANY.equals(eventType) || Arrays.binarySearch(types[k], eventType) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** How many days of [{@code from}, {@code to}] the user was active on. */
  public int activeDaysBetween(long from, long to) {
    int i = Arrays.binarySearch(days, from);
    int k = i >= 0 ? i : -i - 1;
    int n = 0;
    while (k < days.length && days[k] <= to) {
      n++;
      k++;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UserHistory h && h.userId.equals(userId) && Arrays.equals(h.days, days)
        && Arrays.deepEquals(h.types, types) && h.firstSeen.equals(firstSeen)
        && h.recordedFirstSeen == recordedFirstSeen;
  }

  @Override
  public int hashCode() {
    return userId.hashCode() * 31 + Arrays.hashCode(days);
  }

  @Override
  public String toString() {
    return "UserHistory{" + userId + ", days=" + Arrays.toString(days) + ", firstSeen=" + firstSeen + "}";
  }

  /** A compact binary coder: days as deltas, the type names as written. */
  public static final class Coder extends AtomicCoder<UserHistory> {
    private static final long serialVersionUID = 1L;
    private static final Coder INSTANCE = new Coder();
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(UserHistory value, OutputStream out) throws IOException {
      STRING.encode(value.userId, out);
      VarInt.encode(value.days.length, out);
      long previous = 0;
      for (int i = 0; i < value.days.length; i++) {
        VarInt.encode(value.days[i] - previous, out);
        previous = value.days[i];
        VarInt.encode(value.types[i].length, out);
        for (String type : value.types[i]) {
          STRING.encode(type, out);
        }
      }
      VarInt.encode(value.firstSeen.size(), out);
      for (Map.Entry<String, Long> first : value.firstSeen.entrySet()) {
        STRING.encode(first.getKey(), out);
        VarInt.encode(first.getValue(), out);
      }
      VarInt.encode(value.recordedFirstSeen, out);
    }

    @Override
    public UserHistory decode(InputStream in) throws IOException {
      String userId = STRING.decode(in);
      int n = VarInt.decodeInt(in);
      long[] days = new long[n];
      String[][] types = new String[n][];
      long previous = 0;
      for (int i = 0; i < n; i++) {
        days[i] = previous + VarInt.decodeLong(in);
        previous = days[i];
        types[i] = new String[VarInt.decodeInt(in)];
        for (int t = 0; t < types[i].length; t++) {
          types[i][t] = STRING.decode(in);
        }
      }
      int firsts = VarInt.decodeInt(in);
      TreeMap<String, Long> firstSeen = new TreeMap<>();
      for (int i = 0; i < firsts; i++) {
        firstSeen.put(STRING.decode(in), VarInt.decodeLong(in));
      }
      return new UserHistory(userId, days, types, firstSeen, VarInt.decodeLong(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
