package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The staging files hold every record as written, in plain encoding. */
class StagingParquetSinkTest {
  private static final Schema SCHEMA =
      SchemaBuilder.record("t").namespace("analytics.warehouse").fields()
          .requiredString("id")
          .requiredString("kind")
          .requiredLong("n")
          .optionalString("note")
          .endRecord();

  @Test
  void writesEveryRecordWithoutDictionaryEncoding(@TempDir Path dir) throws Exception {
    List<GenericRecord> written = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      GenericRecord record = new GenericData.Record(SCHEMA);
      record.put("id", "id-" + i);
      record.put("kind", i % 2 == 0 ? "page_view" : "click"); // dictionary-friendly on purpose
      record.put("n", (long) i);
      record.put("note", i % 3 == 0 ? null : "note " + i);
      written.add(record);
    }
    Path file = dir.resolve("part.parquet");
    StagingParquetSink sink = new StagingParquetSink(SCHEMA);
    try (WritableByteChannel channel = Files.newByteChannel(file,
        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
      sink.open(channel);
      for (GenericRecord record : written) {
        sink.write(record);
      }
      sink.flush();
    }

    List<GenericRecord> read = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file)).build()) {
      for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
        read.add(record);
      }
    }
    assertEquals(written.toString(), read.toString());

    try (ParquetFileReader footer = ParquetFileReader.open(
        HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      for (BlockMetaData block : footer.getFooter().getBlocks()) {
        for (ColumnChunkMetaData column : block.getColumns()) {
          assertFalse(column.getEncodings().contains(Encoding.PLAIN_DICTIONARY),
              column.getPath() + " is dictionary-encoded: " + column.getEncodings());
          assertFalse(column.getEncodings().contains(Encoding.RLE_DICTIONARY),
              column.getPath() + " is dictionary-encoded: " + column.getEncodings());
        }
      }
    }
  }
}
