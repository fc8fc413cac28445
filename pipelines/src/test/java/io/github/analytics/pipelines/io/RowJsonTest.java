package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.transforms.metrics.MetricCatalog;
import io.github.analytics.transforms.metrics.MetricDefinition;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The sinks' fast JSON must be the text the tree-based form gives ({@code write(toJson(...))}), and
 * the hand-written timestamps what {@code ISO_INSTANT} prints.
 */
class RowJsonTest {
  private static String iso(long millis) {
    java.time.Instant instant = java.time.Instant.ofEpochMilli(millis);
    return instant.getNano() == 0
        ? DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS))
        : DateTimeFormatter.ISO_INSTANT.format(instant);
  }

  @Test
  void instantsAreWhatIsoInstantPrints() {
    Random random = new Random(5);
    List<Long> cases = new ArrayList<>(List.of(0L, -1L, 1L, 999L, 1000L, 120L, 86_399_999L,
        Instant.parse("2026-11-28T14:05:00Z").getMillis(), Instant.parse("2024-02-29T23:59:59.9Z").getMillis(),
        java.time.LocalDate.of(0, 1, 1).toEpochDay() * 86_400_000L,
        java.time.LocalDate.of(9999, 12, 31).toEpochDay() * 86_400_000L + 86_399_999L,
        java.time.LocalDate.of(10000, 1, 1).toEpochDay() * 86_400_000L,
        java.time.LocalDate.of(-1, 12, 31).toEpochDay() * 86_400_000L));
    for (int i = 0; i < 100_000; i++) {
      cases.add(random.nextLong() % 400_000_000_000_000L);
      cases.add(1_700_000_000_000L + random.nextInt(Integer.MAX_VALUE) * 100L + random.nextInt(3) * random.nextInt(1000));
    }
    for (long millis : cases) {
      assertEquals(iso(millis), RowJson.instant(millis), "at " + millis);
    }
  }

  @Test
  void theFastTextIsTheTreesForEveryMetricSchema() {
    Random random = new Random(9);
    for (MetricDefinition metric : MetricCatalog.all()) {
      for (int i = 0; i < 200; i++) {
        Row row = randomRow(metric.schema(), random);
        assertEquals(RowJson.write(RowJson.toJson(row, List.of())),
            RowJson.toJsonString(row, List.of()), metric.name() + ": " + row);
        List<String> skip = List.of(metric.keyColumns().get(0));
        assertEquals(RowJson.write(RowJson.toJson(row, skip)), RowJson.toJsonString(row, skip));
      }
    }
  }

  private static Row randomRow(Schema schema, Random random) {
    List<Object> values = new ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      boolean isNull = field.getType().getNullable() && random.nextInt(4) == 0;
      if (isNull) {
        values.add(null);
        continue;
      }
      switch (field.getType().getTypeName()) {
        case DATETIME -> values.add(new Instant(1_700_000_000_000L + random.nextInt(1 << 30) * (long) random.nextInt(1000)));
        case STRING -> values.add(random.nextBoolean() ? "page_view" : "q\"u\\o\u00e9\n\u0001" + random.nextInt());
        case INT32 -> values.add(random.nextInt());
        case INT64 -> values.add(random.nextLong());
        case DOUBLE -> values.add(switch (random.nextInt(4)) {
          case 0 -> Double.NaN;
          case 1 -> 1e300 * random.nextDouble();
          case 2 -> (double) random.nextInt(100);
          default -> random.nextGaussian();
        });
        case BYTES -> values.add(new byte[] {1, 2});
        default -> throw new IllegalStateException("no value for " + field);
      }
    }
    return Row.withSchema(schema).addValues(values).build();
  }
}
