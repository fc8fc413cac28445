package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.metrics.MetricCatalog;
import io.github.analytics.transforms.metrics.MetricDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaRegistry;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** The warehouse's row conversion gives the records Beam's {@link AvroUtils#toGenericRecord} gives. */
class RowToAvroTest {
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
  void everyWarehouseTableAndShapeConvertsAsAvroUtilsDoes() throws Exception {
    Map<String, Schema> schemas = new HashMap<>();
    schemas.put("events", SchemaRegistry.createDefault().getSchema(Event.class));
    for (MetricDefinition metric : MetricCatalog.all()) {
      schemas.put(metric.name(), metric.schema());
    }
    schemas.put("every_flat_type", EVERY_FLAT_TYPE);
    schemas.put("nested", NESTED);
    Random random = new Random(3);
    for (Map.Entry<String, Schema> table : schemas.entrySet()) {
      Schema schema = table.getValue();
      org.apache.avro.Schema avro = AvroUtils.toAvroSchema(schema, table.getKey(), "analytics.warehouse");
      RowToAvro convert = new RowToAvro(schema, avro);
      for (int i = 0; i < 500; i++) {
        Row row = randomRow(schema, random);
        GenericRecord expected = AvroUtils.toGenericRecord(row, avro);
        GenericRecord actual = convert.apply(row);
        // GenericData's equality: strings by content whatever their class, bytes by content.
        assertEquals(expected, actual, table.getKey());
        assertEquals(expected.toString(), actual.toString(), table.getKey());
      }
    }
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
