package io.github.analytics.pipelines.io;

import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.ReadableInstant;

/**
 * Writes Beam {@link Row}s into Parquet files of the schema that parquet-avro gives the table's Avro
 * schema ({@link AvroUtils#toAvroSchema}), so DuckDB sees the same column types whichever way a file
 * was written.
 *
 * <p>Flat rows (strings, numbers, booleans, bytes and {@code DATETIME}s: every warehouse table but
 * one) go straight from the row's values to Parquet's columns. Before, each row became an Avro
 * record first, and parquet-avro then looked up a conversion for every timestamp and re-checked each
 * value's type: a third of the time spent writing the events table. Any other shape (arrays, maps,
 * nested rows) still goes through {@link AvroUtils#toGenericRecord} and parquet-avro.
 */
abstract class RowWriteSupport extends WriteSupport<Row> {

  /** A write support for rows of {@code beamSchema} into files of {@code avroSchema}'s layout. */
  static RowWriteSupport of(Schema beamSchema, org.apache.avro.Schema avroSchema) {
    MessageType parquet = new AvroSchemaConverter().convert(avroSchema);
    Kind @Nullable [] kinds = flatKinds(beamSchema, parquet);
    return kinds != null ? new Flat(parquet, kinds) : new ViaAvro(parquet, avroSchema);
  }

  /** The files' Parquet schema. */
  abstract MessageType schema();

  /** How a flat column's value is written. */
  private enum Kind { STRING, INT32, INT64, DOUBLE, FLOAT, BOOLEAN, BYTES, TIMESTAMP_MILLIS }

  /** The kind of each column when every column is flat and laid out as expected; else null. */
  private static Kind @Nullable [] flatKinds(Schema beamSchema, MessageType parquet) {
    List<Type> columns = parquet.getFields();
    if (columns.size() != beamSchema.getFieldCount()) {
      return null;
    }
    Kind[] kinds = new Kind[columns.size()];
    for (int i = 0; i < kinds.length; i++) {
      Schema.Field field = beamSchema.getField(i);
      Type column = columns.get(i);
      if (!column.isPrimitive() || !column.getName().equals(field.getName())
          || column.isRepetition(Type.Repetition.REPEATED)
          || column.isRepetition(Type.Repetition.OPTIONAL) != field.getType().getNullable()) {
        return null;
      }
      kinds[i] = kindOf(field.getType(), column.asPrimitiveType());
      if (kinds[i] == null) {
        return null;
      }
    }
    return kinds;
  }

  private static @Nullable Kind kindOf(Schema.FieldType beam, PrimitiveType column) {
    PrimitiveTypeName physical = column.getPrimitiveTypeName();
    LogicalTypeAnnotation logical = column.getLogicalTypeAnnotation();
    switch (beam.getTypeName()) {
      case STRING:
        return physical == PrimitiveTypeName.BINARY
                && logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
            ? Kind.STRING : null;
      case INT32:
        return physical == PrimitiveTypeName.INT32 && logical == null ? Kind.INT32 : null;
      case INT64:
        return physical == PrimitiveTypeName.INT64 && logical == null ? Kind.INT64 : null;
      case DOUBLE:
        return physical == PrimitiveTypeName.DOUBLE ? Kind.DOUBLE : null;
      case FLOAT:
        return physical == PrimitiveTypeName.FLOAT ? Kind.FLOAT : null;
      case BOOLEAN:
        return physical == PrimitiveTypeName.BOOLEAN ? Kind.BOOLEAN : null;
      case BYTES:
        return physical == PrimitiveTypeName.BINARY && logical == null ? Kind.BYTES : null;
      case DATETIME:
        return physical == PrimitiveTypeName.INT64
                && logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation timestamp
                && timestamp.getUnit() == LogicalTypeAnnotation.TimeUnit.MILLIS
            ? Kind.TIMESTAMP_MILLIS : null;
      default:
        return null;
    }
  }

  /** Flat rows, value by value into their columns. */
  private static final class Flat extends RowWriteSupport {
    private final MessageType schema;
    private final Kind[] kinds;
    private final String[] names;
    private @Nullable RecordConsumer out;

    Flat(MessageType schema, Kind[] kinds) {
      this.schema = schema;
      this.kinds = kinds;
      this.names = schema.getFields().stream().map(Type::getName).toArray(String[]::new);
    }

    @Override
    MessageType schema() {
      return schema;
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(schema, Map.of());
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
      return new WriteContext(schema, Map.of());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      out = recordConsumer;
    }

    @Override
    public void write(Row row) {
      RecordConsumer c = consumer();
      c.startMessage();
      for (int i = 0; i < kinds.length; i++) {
        Object value = row.getValue(i);
        if (value == null) {
          continue; // an optional column (flatKinds checked that a required one is not nullable)
        }
        c.startField(names[i], i);
        switch (kinds[i]) {
          case STRING -> c.addBinary(Binary.fromString((String) value));
          case INT32 -> c.addInteger((Integer) value);
          case INT64 -> c.addLong((Long) value);
          case DOUBLE -> c.addDouble((Double) value);
          case FLOAT -> c.addFloat((Float) value);
          case BOOLEAN -> c.addBoolean((Boolean) value);
          case BYTES -> c.addBinary(Binary.fromConstantByteArray((byte[]) value));
          case TIMESTAMP_MILLIS -> c.addLong(((ReadableInstant) value).getMillis());
        }
        c.endField(names[i], i);
      }
      c.endMessage();
    }

    private RecordConsumer consumer() {
      if (out == null) {
        throw new IllegalStateException("RowWriteSupport used before prepareForWrite()");
      }
      return out;
    }
  }

  /** Any other rows: as Avro records, through parquet-avro, as {@code AvroParquetWriter} writes. */
  private static final class ViaAvro extends RowWriteSupport {
    private final MessageType schema;
    private final org.apache.avro.Schema avroSchema;
    private final AvroWriteSupport<GenericRecord> avro;

    ViaAvro(MessageType schema, org.apache.avro.Schema avroSchema) {
      this.schema = schema;
      this.avroSchema = avroSchema;
      this.avro = new AvroWriteSupport<>(schema, avroSchema, GenericData.get());
    }

    @Override
    MessageType schema() {
      return schema;
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return avro.init(configuration);
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
      return avro.init(configuration);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      avro.prepareForWrite(recordConsumer);
    }

    @Override
    public void write(Row row) {
      avro.write(AvroUtils.toGenericRecord(row, avroSchema));
    }

    @Override
    public FinalizedWriteContext finalizeWrite() {
      return avro.finalizeWrite();
    }
  }

  private RowWriteSupport() {}
}
