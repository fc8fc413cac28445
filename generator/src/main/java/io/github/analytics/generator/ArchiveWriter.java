package io.github.analytics.generator;

import io.github.analytics.schemas.RawEvent;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Writes {@link RawEvent}s into the Parquet archive, partitioned by the UTC hour of arrival:
 *
 * <pre>{@code
 * <root>/dt=2026-11-27/hour=10/part-<writerId>-00000.parquet
 * }</pre>
 *
 * <p>Files are Snappy-compressed Parquet with the schema of {@link ArchiveWriterOptions#schema()}
 * (normally {@link io.github.analytics.schemas.ArchiveSchema#current()}). Each hour partition has at
 * most one open file, which rolls to the next number after {@link
 * ArchiveWriterOptions#maxRecordsPerFile()} records. Input in order of arrival (as {@link
 * EventGenerator} produces it) keeps one file open at a time; unordered input works too, but an hour
 * whose file was closed to respect {@link ArchiveWriterOptions#maxOpenFiles()} continues in a new file.
 *
 * <p>Re-running is deterministic: the first time this writer touches a partition it deletes the files
 * {@code part-<writerId>-*.parquet} already there, then writes its own from {@code 00000}. Files of other
 * writer ids are left alone.
 *
 * <pre>{@code
 * try (ArchiveWriter archive = ArchiveWriter.open(Path.of("data/archive"), "42")) {
 *   generator.generate(record -> archive.write(record.raw()));
 * }
 * }</pre>
 *
 * <p>Not thread-safe. Write failures surface as {@link UncheckedIOException}.
 */
public final class ArchiveWriter implements Closeable {
  private static final long MILLIS_PER_HOUR = 3_600_000L;

  private final ArchiveWriterOptions options;
  private final Pattern ownFiles;
  private final Map<Long, Partition> partitions = new HashMap<>();
  /** Partitions with an open file, least recently written first. */
  private final LinkedHashMap<Long, Partition> open = new LinkedHashMap<>(16, 0.75f, true);
  private final List<Path> files = new ArrayList<>();
  private long records;
  private boolean closed;

  private ArchiveWriter(ArchiveWriterOptions options) {
    this.options = options;
    this.ownFiles = Pattern.compile("part-" + Pattern.quote(options.writerId()) + "-\\d{5}\\.parquet");
  }

  /** Opens a writer with {@code options}; nothing is written until the first record. */
  public static ArchiveWriter open(ArchiveWriterOptions options) {
    return new ArchiveWriter(options.validate());
  }

  /** Opens a writer with the defaults of {@link ArchiveWriterOptions#of(Path, String)}. */
  public static ArchiveWriter open(Path root, String writerId) {
    return open(ArchiveWriterOptions.of(root, writerId));
  }

  /** The partition directory {@code <root>/dt=YYYY-MM-DD/hour=HH} of a record received at {@code millis}. */
  public static Path partitionDirectory(Path root, long receivedAtMillis) {
    ZonedDateTime hour =
        java.time.Instant.ofEpochMilli(receivedAtMillis).atZone(ZoneOffset.UTC);
    return root.resolve(String.format(Locale.ROOT, "dt=%1$tY-%1$tm-%1$td", hour))
        .resolve(String.format(Locale.ROOT, "hour=%02d", hour.getHour()));
  }

  /** {@code part-<writerId>-<number, five digits>.parquet}. */
  public static String fileName(String writerId, int number) {
    return String.format(Locale.ROOT, "part-%s-%05d.parquet", writerId, number);
  }

  /** Appends {@code event} to the file of its hour partition. */
  public void write(RawEvent event) {
    if (closed) {
      throw new IllegalStateException("This ArchiveWriter is closed: open a new one");
    }
    long millis = event.getReceivedAt().getMillis();
    long hour = Math.floorDiv(millis, MILLIS_PER_HOUR);
    try {
      Partition partition = partitions.get(hour);
      if (partition == null) {
        partition = new Partition(partitionDirectory(options.root(), millis));
        clearOwnFiles(partition.directory);
        partitions.put(hour, partition);
      }
      if (partition.writer != null && partition.recordsInFile >= options.maxRecordsPerFile()) {
        partition.close();
        open.remove(hour);
      }
      if (partition.writer == null) {
        while (open.size() >= options.maxOpenFiles()) {
          Iterator<Map.Entry<Long, Partition>> eldest = open.entrySet().iterator();
          Partition victim = eldest.next().getValue();
          eldest.remove();
          victim.close();
        }
        partition.openNext();
        open.put(hour, partition);
      } else {
        open.get(hour); // marks it as recently written
      }
      partition.writer.write(options.toRecord().apply(event));
      partition.recordsInFile++;
      records++;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write to the archive under " + options.root() + ": check space and permissions", e);
    }
  }

  /** Every file written so far (closed or still open), in the order they were started. */
  public List<Path> files() {
    return Collections.unmodifiableList(new ArrayList<>(files));
  }

  /** Records written so far. */
  public long records() {
    return records;
  }

  /** Closes every open file; the archive is readable only after this. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    IOException failure = null;
    for (Partition partition : open.values()) {
      try {
        partition.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    open.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private void clearOwnFiles(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return;
    }
    List<Path> stale = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        if (ownFiles.matcher(entry.getFileName().toString()).matches()) {
          stale.add(entry);
        }
      }
    }
    for (Path file : stale) {
      Files.delete(file);
    }
  }

  /** One hour partition: its directory, the next file number and the open file, if any. */
  private final class Partition {
    final Path directory;
    int nextNumber;
    @Nullable ParquetWriter<GenericRecord> writer;
    long recordsInFile;

    Partition(Path directory) {
      this.directory = directory;
    }

    void openNext() throws IOException {
      Files.createDirectories(directory);
      Path file = directory.resolve(fileName(options.writerId(), nextNumber++));
      writer =
          AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
              .withSchema(options.schema())
              .withDataModel(GenericData.get())
              .withConf(new PlainParquetConfiguration())
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .withRowGroupSize(options.rowGroupBytes())
              // Payloads are nearly all distinct: a dictionary only costs time before it falls back.
              .withDictionaryEncoding("payload", false)
              .build();
      recordsInFile = 0;
      files.add(file);
    }

    void close() throws IOException {
      if (writer != null) {
        ParquetWriter<GenericRecord> closing = writer;
        writer = null;
        closing.close();
      }
    }
  }
}
