package io.github.analytics.transforms.warehouse;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Joins, per user, the rows of {@link UserActivityDaily} (the run's days and the days read back from
 * the warehouse) with the user's rows of {@link FirstSeen} recorded by earlier runs, into one {@link
 * UserHistory}. A user's first day of each event type is the earliest of what the warehouse recorded
 * and what the activity shows; users with first-seen rows but no activity in the days read are left
 * out (no metric here counts them).
 *
 * <p>In: a {@link PCollectionTuple} with {@link #ACTIVITY} (rows of {@link UserActivityDaily#SCHEMA})
 * and {@link #FIRST_SEEN} (rows of {@link FirstSeen#SCHEMA}), in any windows. Out: one history per
 * user with activity, in the global window.
 */
public final class UserHistories extends PTransform<PCollectionTuple, PCollection<UserHistory>> {
  private static final long serialVersionUID = 1L;

  public static final TupleTag<Row> ACTIVITY = new TupleTag<>("activity");
  public static final TupleTag<Row> FIRST_SEEN = new TupleTag<>("firstSeen");

  private static final TupleTag<Row> ACTIVITY_BY_USER = new TupleTag<>("activityByUser");
  private static final TupleTag<Row> FIRST_SEEN_BY_USER = new TupleTag<>("firstSeenByUser");

  private UserHistories() {}

  public static UserHistories of() {
    return new UserHistories();
  }

  /** The input of {@link #of()}: the activity and first-seen rows. */
  public static PCollectionTuple input(PCollection<Row> activity, PCollection<Row> firstSeen) {
    return PCollectionTuple.of(ACTIVITY, activity).and(FIRST_SEEN, firstSeen);
  }

  @Override
  public PCollection<UserHistory> expand(PCollectionTuple input) {
    PCollection<KV<String, Row>> activity =
        keyByUser(input.get(ACTIVITY), "Activity", UserActivityDaily.SCHEMA);
    PCollection<KV<String, Row>> firstSeen =
        keyByUser(input.get(FIRST_SEEN), "FirstSeen", FirstSeen.SCHEMA);
    return KeyedPCollectionTuple.of(ACTIVITY_BY_USER, activity)
        .and(FIRST_SEEN_BY_USER, firstSeen)
        .apply("JoinByUser", CoGroupByKey.create())
        .apply("ToHistories", ParDo.of(new ToHistoryFn()))
        .setCoder(UserHistory.Coder.of());
  }

  private static PCollection<KV<String, Row>> keyByUser(
      PCollection<Row> rows, String name, org.apache.beam.sdk.schemas.Schema schema) {
    return rows
        .apply(name + "InOneWindow", Window.<Row>into(new GlobalWindows()))
        .apply(name + "ByUser", ParDo.of(new DoFn<Row, KV<String, Row>>() {
          private static final long serialVersionUID = 1L;

          @ProcessElement
          public void process(@Element Row row, OutputReceiver<KV<String, Row>> out) {
            out.output(KV.of(row.getString("user_id"), row));
          }
        }))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), RowCoder.of(schema)));
  }

  private static final class ToHistoryFn extends DoFn<KV<String, CoGbkResult>, UserHistory> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> user, OutputReceiver<UserHistory> out) {
      // Day -> event types; the same day twice (never expected: the run's days are not read back)
      // takes the union.
      TreeMap<Long, TreeSet<String>> byDay = new TreeMap<>();
      for (Row row : user.getValue().getAll(ACTIVITY_BY_USER)) {
        long day = epochDay(row.getDateTime("day").getMillis());
        TreeSet<String> types = byDay.computeIfAbsent(day, d -> new TreeSet<>());
        Iterable<String> rowTypes = row.getIterable("event_types");
        if (rowTypes != null) {
          rowTypes.forEach(types::add);
        }
      }
      if (byDay.isEmpty()) {
        return;
      }
      Map<String, Long> firstSeen = new TreeMap<>();
      long recorded = UserHistory.NONE;
      for (Row row : user.getValue().getAll(FIRST_SEEN_BY_USER)) {
        String type = row.getString("event_type");
        long day = epochDay(row.getDateTime("first_seen_day").getMillis());
        firstSeen.merge(type, day, Math::min);
        if (UserHistory.ANY.equals(type)) {
          recorded = recorded == UserHistory.NONE ? day : Math.min(recorded, day);
        }
      }
      long[] days = new long[byDay.size()];
      String[][] types = new String[byDay.size()][];
      int i = 0;
      for (Map.Entry<Long, TreeSet<String>> day : byDay.entrySet()) {
        days[i] = day.getKey();
        types[i] = day.getValue().toArray(new String[0]);
        firstSeen.merge(UserHistory.ANY, day.getKey(), Math::min);
        for (String type : types[i]) {
          firstSeen.merge(type, day.getKey(), Math::min);
        }
        i++;
      }
      out.output(new UserHistory(user.getKey(), days, types, firstSeen, recorded));
    }
  }

  static long epochDay(long millis) {
    return Math.floorDiv(millis, 86_400_000L);
  }
}
