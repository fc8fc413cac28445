package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.metrics.MetricCatalog;
import io.github.analytics.transforms.metrics.MetricDefinition;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaRegistry;
import org.apache.beam.sdk.values.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The staging files hold every row as parquet-avro writes the record {@link AvroUtils} makes of it
 * (the oracle: same Parquet schema, same records read back), in plain encoding without statistics.
 */
class StagingParquetSinkTest {
  private static final Schema EVERY_FLAT_TYPE =
      Schema.builder()
          .addStringField("s")
          .addInt32Field("i")
          .addInt64Field("l")
          .addDoubleField("d")
          .addFloatField("f")
          .addBooleanField("b")
          .addByteArrayField("bytes")
          .addDateTimeField("t")
          .addNullableField("ns", Schema.FieldType.STRING)
          .addNullableField("nl", Schema.FieldType.INT64)
          .addNullableField("nt", Schema.FieldType.DATETIME)
          .build();
  private static final Schema NESTED =
      Schema.builder()
          .addStringField("s")
          .addArrayField("strings", Schema.FieldType.STRING)
          .addMapField("m", Schema.FieldType.STRING, Schema.FieldType.INT64)
          .addRowField("inner", EVERY_FLAT_TYPE)
          .build();

  @Test
  void everyWarehouseTableAndShapeIsWrittenAsParquetAvroWritesIt(@TempDir Path dir)
      throws Exception {
    Map<String, Schema> schemas = new LinkedHashMap<>();
    schemas.put("events", SchemaRegistry.createDefault().getSchema(Event.class));
    for (MetricDefinition metric : MetricCatalog.all()) {
      schemas.put(metric.name(), metric.schema());
    }
    for (MetricDefinition metric : MetricCatalog.warehouse()) {
      schemas.put(metric.name(), metric.schema());
    }
    schemas.put("every_flat_type", EVERY_FLAT_TYPE);
    schemas.put("nested", NESTED);
    Random random = new Random(3);
    for (Map.Entry<String, Schema> table : schemas.entrySet()) {
      Schema schema = table.getValue();
      org.apache.avro.Schema avro =
          AvroUtils.toAvroSchema(schema, table.getKey(), "analytics.warehouse");
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        rows.add(randomRow(schema, random));
      }
      Path staged = dir.resolve(table.getKey() + "-staged.parquet");
      writeWithSink(staged, new StagingParquetSink(schema, avro), rows);
      Path expected = dir.resolve(table.getKey() + "-expected.parquet");
      try (ParquetWriter<GenericRecord> writer =
          AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(expected))
              .withSchema(avro)
              .withDataModel(GenericData.get())
              .build()) {
        for (Row row : rows) {
          writer.write(AvroUtils.toGenericRecord(row, avro));
        }
      }
      assertEquals(fileSchema(expected), fileSchema(staged), table.getKey());
      List<GenericRecord> want = read(expected);
      List<GenericRecord> got = read(staged);
      assertEquals(want.size(), got.size(), table.getKey());
      for (int i = 0; i < want.size(); i++) {
        // As text: the staged files carry no Avro schema for the reader to name its records by.
        assertEquals(want.get(i).toString(), got.get(i).toString(), table.getKey() + " row " + i);
      }
    }
  }

  @Test
  void writesEveryRowWithoutDictionaryEncodingOrStatistics(@TempDir Path dir) throws Exception {
    Schema schema = Schema.builder()
        .addStringField("id")
        .addStringField("kind")
        .addInt64Field("n")
        .addNullableField("note", Schema.FieldType.STRING)
        .build();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      rows.add(Row.withSchema(schema).addValues(
          "id-" + i,
          i % 2 == 0 ? "page_view" : "click", // dictionary-friendly on purpose
          (long) i,
          i % 3 == 0 ? null : "note " + i).build());
    }
    Path file = dir.resolve("part.parquet");
    writeWithSink(file, new StagingParquetSink(schema, AvroUtils.toAvroSchema(schema, "t", "w")), rows);

    List<GenericRecord> read = read(file);
    assertEquals(rows.size(), read.size());
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(rows.get(i).getString("id"), read.get(i).get("id").toString());
      assertEquals(rows.get(i).getInt64("n"), read.get(i).get("n"));
      Object note = read.get(i).get("note");
      assertEquals(rows.get(i).getString("note"), note == null ? null : note.toString());
    }
    try (ParquetFileReader footer = open(file)) {
      for (BlockMetaData block : footer.getFooter().getBlocks()) {
        for (ColumnChunkMetaData column : block.getColumns()) {
          assertFalse(column.getEncodings().contains(Encoding.PLAIN_DICTIONARY),
              column.getPath() + " is dictionary-encoded: " + column.getEncodings());
          assertFalse(column.getEncodings().contains(Encoding.RLE_DICTIONARY),
              column.getPath() + " is dictionary-encoded: " + column.getEncodings());
          assertFalse(column.getStatistics().hasNonNullValue(),
              column.getPath() + " has min/max statistics: " + column.getStatistics());
        }
      }
    }
  }

  @Test
  void aFileWithoutRowsHasTheTablesColumns(@TempDir Path dir) throws Exception {
    Schema schema = SchemaRegistry.createDefault().getSchema(Event.class);
    org.apache.avro.Schema avro = AvroUtils.toAvroSchema(schema, "events", "analytics.warehouse");
    Path file = dir.resolve("part-empty.parquet");
    writeWithSink(file, new StagingParquetSink(schema, avro), List.of());
    assertTrue(read(file).isEmpty());
    assertEquals(schema.getFieldNames(), fileSchema(file).getFields().stream()
        .map(org.apache.parquet.schema.Type::getName).toList());
  }

  private static void writeWithSink(Path file, StagingParquetSink sink, List<Row> rows)
      throws IOException {
    try (WritableByteChannel channel =
        Files.newByteChannel(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      sink.open(channel);
      for (Row row : rows) {
        sink.write(row);
      }
      sink.flush();
    }
  }

  private static MessageType fileSchema(Path file) throws IOException {
    try (ParquetFileReader reader = open(file)) {
      return reader.getFooter().getFileMetaData().getSchema();
    }
  }

  private static ParquetFileReader open(Path file) throws IOException {
    return ParquetFileReader.open(
        HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()));
  }

  private static List<GenericRecord> read(Path file) throws IOException {
    List<GenericRecord> read = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file)).build()) {
      for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
        read.add(record);
      }
    }
    return read;
  }

  private static Row randomRow(Schema schema, Random random) {
    List<Object> values = new ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      values.add(randomValue(field.getType(), random));
    }
    return Row.withSchema(schema).addValues(values).build();
  }

  private static Object randomValue(Schema.FieldType type, Random random) {
    if (type.getNullable() && random.nextInt(4) == 0) {
      return null;
    }
    switch (type.getTypeName()) {
      case STRING:
        return random.nextInt(5) == 0 ? "" : "v" + random.nextInt(1000) + (random.nextBoolean() ? "é" : "");
      case INT32:
        return random.nextInt();
      case INT64:
        return random.nextLong();
      case DOUBLE:
        return random.nextGaussian() * 1e6;
      case FLOAT:
        return random.nextFloat();
      case BOOLEAN:
        return random.nextBoolean();
      case BYTES:
        byte[] bytes = new byte[random.nextInt(20)];
        random.nextBytes(bytes);
        return bytes;
      case DATETIME:
        return new Instant(1_700_000_000_000L + random.nextInt(Integer.MAX_VALUE) * 10L);
      case ARRAY:
        List<Object> list = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          list.add(randomValue(type.getCollectionElementType(), random));
        }
        return list;
      case MAP:
        Map<Object, Object> map = new HashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          map.put(randomValue(type.getMapKeyType(), random), randomValue(type.getMapValueType(), random));
        }
        return map;
      case ROW:
        return randomRow(type.getRowSchema(), random);
      default:
        throw new IllegalArgumentException("No random values of " + type);
    }
  }
}
