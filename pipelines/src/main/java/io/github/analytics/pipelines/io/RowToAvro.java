package io.github.analytics.pipelines.io;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.ReadableInstant;

/**
 * Converts {@link Row}s to Avro records of the schema {@link AvroUtils#toAvroSchema} made for them,
 * the same values as {@link AvroUtils#toGenericRecord}, without its per-field type analysis per row.
 *
 * <p>Flat rows of strings, numbers, booleans, bytes and {@code DATETIME}s (the columns of every
 * warehouse table but one) take a path planned once per schema; any other shape (arrays, nested rows,
 * maps, logical types) goes through {@link AvroUtils#toGenericRecord}. {@code RowToAvroTest} checks both against it.
 */
final class RowToAvro implements Serializable {
  private static final long serialVersionUID = 1L;

  private enum Kind { AS_IS, TIMESTAMP_MILLIS, BYTES }

  private final org.apache.beam.sdk.schemas.Schema beamSchema;
  private final String schemaJson;
  private transient @Nullable Schema schema;
  private transient Kind @Nullable [] kinds;
  private transient boolean flat;

  RowToAvro(org.apache.beam.sdk.schemas.Schema beamSchema, Schema schema) {
    this.beamSchema = beamSchema;
    this.schemaJson = schema.toString();
  }

  GenericRecord apply(Row row) {
    if (schema == null) {
      plan();
    }
    if (!flat) {
      return AvroUtils.toGenericRecord(row, schema);
    }
    GenericData.Record record = new GenericData.Record(schema);
    Kind[] k = kinds;
    for (int i = 0; i < k.length; i++) {
      Object value = row.getValue(i);
      if (value != null) {
        switch (k[i]) {
          case TIMESTAMP_MILLIS -> value = ((ReadableInstant) value).getMillis();
          case BYTES -> value = ByteBuffer.wrap((byte[]) value);
          case AS_IS -> { }
        }
      }
      record.put(i, value);
    }
    return record;
  }

  private void plan() {
    Schema parsed = new Schema.Parser().parse(schemaJson);
    List<Schema.Field> fields = parsed.getFields();
    Kind[] planned = new Kind[fields.size()];
    boolean allFlat = fields.size() == beamSchema.getFieldCount();
    for (int i = 0; allFlat && i < planned.length; i++) {
      planned[i] = kindOf(beamSchema.getField(i).getType(), unwrapNullable(fields.get(i).schema()));
      allFlat = planned[i] != null;
    }
    kinds = planned;
    flat = allFlat;
    schema = parsed;
  }

  /** How a value of {@code beam} type becomes its {@code avro} value, or null: not a flat type. */
  private static @Nullable Kind kindOf(org.apache.beam.sdk.schemas.Schema.FieldType beam,
      @Nullable Schema avro) {
    if (avro == null) {
      return null;
    }
    LogicalType logical = avro.getLogicalType();
    switch (beam.getTypeName()) {
      case STRING:
        return avro.getType() == Schema.Type.STRING && logical == null ? Kind.AS_IS : null;
      case INT32:
        return avro.getType() == Schema.Type.INT && logical == null ? Kind.AS_IS : null;
      case INT64:
        return avro.getType() == Schema.Type.LONG && logical == null ? Kind.AS_IS : null;
      case DOUBLE:
        return avro.getType() == Schema.Type.DOUBLE ? Kind.AS_IS : null;
      case FLOAT:
        return avro.getType() == Schema.Type.FLOAT ? Kind.AS_IS : null;
      case BOOLEAN:
        return avro.getType() == Schema.Type.BOOLEAN ? Kind.AS_IS : null;
      case BYTES:
        return avro.getType() == Schema.Type.BYTES && logical == null ? Kind.BYTES : null;
      case DATETIME:
        return avro.getType() == Schema.Type.LONG && logical instanceof LogicalTypes.TimestampMillis
            ? Kind.TIMESTAMP_MILLIS
            : null;
      default:
        return null;
    }
  }

  /** The non-null branch of {@code [null, T]}, the type itself when not a union, else null. */
  private static @Nullable Schema unwrapNullable(Schema type) {
    if (type.getType() != Schema.Type.UNION) {
      return type;
    }
    List<Schema> branches = type.getTypes();
    if (branches.size() != 2) {
      return null;
    }
    if (branches.get(0).getType() == Schema.Type.NULL) {
      return branches.get(1);
    }
    return branches.get(1).getType() == Schema.Type.NULL ? branches.get(0) : null;
  }
}
