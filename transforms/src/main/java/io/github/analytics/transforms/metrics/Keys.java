package io.github.analytics.transforms.metrics;

import io.github.analytics.schemas.Event;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Composite grouping keys for metrics: rows of n string fields, which have a deterministic coder, so
 * a key is typed data rather than a joined string that a value containing the separator would break.
 */
final class Keys {
  private static final Schema[] SCHEMAS = new Schema[8];

  static {
    for (int n = 1; n < SCHEMAS.length; n++) {
      Schema.Builder builder = Schema.builder();
      for (int i = 0; i < n; i++) {
        builder.addStringField("k" + i);
      }
      SCHEMAS[n] = builder.build();
    }
  }

  private Keys() {}

  /** The key of the given values; a missing (null) value becomes {@link Event#UNKNOWN}. */
  static Row row(@Nullable String... values) {
    Row.Builder builder = Row.withSchema(schema(values.length));
    for (String value : values) {
      builder.addValue(value == null ? Event.UNKNOWN : value);
    }
    return builder.build();
  }

  static Schema schema(int fields) {
    if (fields < 1 || fields >= SCHEMAS.length) {
      throw new IllegalArgumentException("Keys have 1 to " + (SCHEMAS.length - 1) + " fields");
    }
    return SCHEMAS[fields];
  }

  /** The coder of {@code KV<key of n fields, Long>}. */
  static KvCoder<Row, Long> coder(int fields) {
    return KvCoder.of(RowCoder.of(schema(fields)), VarLongCoder.of());
  }
}
