package io.github.analytics.pipelines.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import org.apache.avro.Schema;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.values.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Writes the warehouse's staging files: Parquet that DuckDB loads once and deletes, so written as
 * cheaply as possible: no compression, no dictionary encoding and no column statistics, with the
 * rows' values written straight into their columns ({@link RowWriteSupport}).
 *
 * <p>Why not {@code ParquetIO.sink}: it takes writer settings only as a Hadoop configuration, which
 * parquet-mr 1.15's {@code ParquetWriter.Builder} does not read for its encodings, so dictionary
 * encoding stayed on. Building a dictionary of every column, then falling back to plain encoding for
 * the unique ones ({@code event_id}, {@code properties}), was about a third of the time spent writing
 * the events table; the min/max statistics of the text columns, which no one reads, a sixth.
 */
final class StagingParquetSink implements FileIO.Sink<Row> {
  private static final long serialVersionUID = 1L;

  private final org.apache.beam.sdk.schemas.Schema beamSchema;
  /** The schema as JSON: Avro's {@code Schema} is not serializable everywhere Beam needs it. */
  private final String avroSchemaJson;

  private transient @Nullable ParquetWriter<Row> writer;

  /** Files of {@code avroSchema}'s layout ({@code AvroUtils.toAvroSchema(beamSchema, ...)}). */
  StagingParquetSink(org.apache.beam.sdk.schemas.Schema beamSchema, Schema avroSchema) {
    this.beamSchema = beamSchema;
    this.avroSchemaJson = avroSchema.toString();
  }

  @Override
  public void open(WritableByteChannel channel) throws IOException {
    RowWriteSupport support =
        RowWriteSupport.of(beamSchema, new Schema.Parser().parse(avroSchemaJson));
    Builder builder =
        new Builder(new StreamOutputFile(Channels.newOutputStream(channel)), support)
            .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
            .withDictionaryEncoding(false)
            .withSizeStatisticsEnabled(false)
            .withPageWriteChecksumEnabled(false)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE);
    // Column by column: parquet-java 1.15's writer-wide withStatisticsEnabled(false) is overridden by
    // the per-column default, which is on.
    for (ColumnDescriptor column : support.schema().getColumns()) {
      builder.withStatisticsEnabled(String.join(".", column.getPath()), false);
    }
    writer = builder.build();
  }

  @Override
  public void write(Row element) throws IOException {
    openWriter().write(element);
  }

  /** Finishes the file; the channel is closed by {@link FileIO}. */
  @Override
  public void flush() throws IOException {
    openWriter().close();
  }

  private ParquetWriter<Row> openWriter() {
    if (writer == null) {
      throw new IllegalStateException("StagingParquetSink used before open()");
    }
    return writer;
  }

  /** A Parquet writer of rows with a given write support. */
  private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
    private final RowWriteSupport support;

    Builder(OutputFile file, RowWriteSupport support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(Configuration configuration) {
      return support;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(ParquetConfiguration configuration) {
      return support;
    }
  }

  /** A Parquet output file over a stream that FileIO owns (closing it is left to FileIO). */
  private static final class StreamOutputFile implements OutputFile {
    private final OutputStream out;

    StreamOutputFile(OutputStream out) {
      this.out = out;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return new CountingStream(out);
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return new CountingStream(out);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }

  private static final class CountingStream extends PositionOutputStream {
    private final OutputStream out;
    private long position;

    CountingStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public long getPos() {
      return position;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      position++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      position += len;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    /** Parquet closes its stream when the file is done; the channel under it is FileIO's to close. */
    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
