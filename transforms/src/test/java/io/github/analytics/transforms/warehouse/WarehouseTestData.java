package io.github.analytics.transforms.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Users' activity and first days written by hand, for the warehouse metrics' tests. */
final class WarehouseTestData {
  private WarehouseTestData() {}


  static Instant midnight(String day) {
    return new Instant(LocalDate.parse(day).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
  }

  static Row activity(String user, String day, String... types) {
    Instant at = midnight(day).plus(3_600_000L);
    return Row.withSchema(UserActivityDaily.SCHEMA).attachValues(
        midnight(day), user, (long) types.length, Arrays.asList(types), 0.0, at, at);
  }

  static Row firstSeen(String user, String type, String day) {
    return Row.withSchema(FirstSeen.SCHEMA).attachValues(user, type, midnight(day));
  }

  static PCollection<UserHistory> histories(TestPipeline p, List<Row> activity, List<Row> firstSeen) {
    PCollection<Row> a = p.apply("Activity", Create.of(activity).withRowSchema(UserActivityDaily.SCHEMA));
    PCollection<Row> f = p.apply("FirstSeenRows",
        Create.empty(org.apache.beam.sdk.schemas.SchemaCoder.of(FirstSeen.SCHEMA)))
        .setRowSchema(FirstSeen.SCHEMA);
    if (!firstSeen.isEmpty()) {
      f = p.apply("FirstSeenGiven", Create.of(firstSeen).withRowSchema(FirstSeen.SCHEMA));
    }
    return UserHistories.input(a, f).apply(UserHistories.of());
  }

  /** "key columns|values" per row, as a map from the first {@code keys} fields. */
  static Map<String, String> byKey(Iterable<Row> rows, int keys) {
    Map<String, String> out = new HashMap<>();
    for (Row row : rows) {
      List<String> values = new ArrayList<>();
      for (Object v : row.getValues()) {
        values.add(v instanceof org.joda.time.ReadableInstant i
            ? i.toInstant().toString().substring(0, 10) : String.valueOf(v));
      }
      String key = String.join("|", values.subList(0, keys));
      String previous = out.put(key, String.join("|", values.subList(keys, values.size())));
      if (previous != null) {
        throw new AssertionError("Two rows for " + key);
      }
    }
    return out;
  }

}
