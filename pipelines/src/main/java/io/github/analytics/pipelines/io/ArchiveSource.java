package io.github.analytics.pipelines.io;

import io.github.analytics.pipelines.options.DateRange;
import io.github.analytics.schemas.ArchiveSchema;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.schemas.RawEventCoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads the Parquet archive ({@code <root>/dt=YYYY-MM-DD/hour=HH/*.parquet}) for a range of days, as
 * {@link RawEvent}s. Every archive schema version reads: each file is read with the schema it was
 * written with, and fields an older version lacks come back as null.
 *
 * <pre>{@code
 * PCollection<RawEvent> raw = pipeline.apply("ReadArchive",
 *     ArchiveSource.read("s3://archive/events", new DateRange(from, to)));
 * }</pre>
 */
public final class ArchiveSource extends PTransform<PBegin, PCollection<RawEvent>> {
  private static final long serialVersionUID = 1L;

  private final String root;
  private final DateRange range;

  private ArchiveSource(String root, DateRange range) {
    this.root = root;
    this.range = range;
  }

  public static ArchiveSource read(String root, DateRange range) {
    return new ArchiveSource(root, range);
  }

  /** The file pattern of one archive day. */
  public static String dayPattern(String root, LocalDate day) {
    return stripSlash(root) + "/dt=" + day + "/hour=*/*.parquet";
  }

  /**
   * The days of {@code range} that have no archive file under {@code root}: the caller decides whether
   * that is an error (nothing at all) or a warning (a gap).
   */
  public static List<LocalDate> missingDays(String root, DateRange range) {
    List<String> patterns = new ArrayList<>();
    for (LocalDate day : range.days()) {
      patterns.add(dayPattern(root, day));
    }
    try {
      List<MatchResult> matches = FileSystems.match(patterns, EmptyMatchTreatment.ALLOW);
      List<LocalDate> missing = new ArrayList<>();
      for (int i = 0; i < matches.size(); i++) {
        MatchResult match = matches.get(i);
        if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
          missing.add(range.days().get(i));
        }
      }
      return Collections.unmodifiableList(missing);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the archive under " + root, e);
    }
  }

  @Override
  public PCollection<RawEvent> expand(PBegin input) {
    List<String> patterns = new ArrayList<>();
    for (LocalDate day : range.days()) {
      patterns.add(dayPattern(root, day));
    }
    return input
        .apply("DayPatterns", Create.of(patterns))
        .apply("MatchFiles", FileIO.matchAll().withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW))
        .apply("OpenFiles", FileIO.readMatches())
        .apply("CheckParquetFiles", ParDo.of(new CheckParquetFileFn()))
        .apply(
            "ReadParquet",
            // Each file is read with the schema it was written with, and ArchiveSchema.fromRecord
            // fills what an older version lacks: a reader schema would not fit older files.
            ParquetIO.parseFilesGenericRecords(new ToRawEventFn()).withCoder(RawEventCoder.of()));
  }

  /**
   * Fails on a file that is not Parquet (a truncated upload, a stray file), naming it: ParquetIO's own
   * error names neither the file nor the way out.
   */
  static final class CheckParquetFileFn extends DoFn<FileIO.ReadableFile, FileIO.ReadableFile> {
    private static final long serialVersionUID = 1L;
    private static final byte[] MAGIC = "PAR1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, OutputReceiver<FileIO.ReadableFile> out)
        throws IOException {
      long size = file.getMetadata().sizeBytes();
      boolean parquet = size >= 2L * MAGIC.length + 4;
      if (parquet) {
        try (java.nio.channels.SeekableByteChannel channel = file.openSeekable()) {
          parquet = java.util.Arrays.equals(MAGIC, read(channel, 0))
              && java.util.Arrays.equals(MAGIC, read(channel, size - MAGIC.length));
        }
      }
      if (!parquet) {
        throw new IllegalStateException(
            file.getMetadata().resourceId()
                + " is not a complete Parquet file (" + size + " bytes, no PAR1 magic at both ends):"
                + " restore it or move it out of the archive, then run the day again");
      }
      out.output(file);
    }

    private static byte[] read(java.nio.channels.SeekableByteChannel channel, long position)
        throws IOException {
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(MAGIC.length);
      channel.position(position);
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // keep reading until the 4 bytes are in
      }
      return buffer.array();
    }
  }

  /** One archive record of any version to a {@link RawEvent}. */
  private static final class ToRawEventFn
      implements org.apache.beam.sdk.transforms.SerializableFunction<GenericRecord, RawEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public RawEvent apply(GenericRecord record) {
      return ArchiveSchema.fromRecord(record);
    }
  }

  private static String stripSlash(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
