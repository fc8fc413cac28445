package io.github.analytics.generator;

import io.github.analytics.schemas.ArchiveSchema;
import io.github.analytics.schemas.RawEvent;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Where and how {@link ArchiveWriter} writes. Immutable: every {@code withX} returns a copy.
 *
 * <pre>{@code
 * ArchiveWriterOptions options = ArchiveWriterOptions.of(Path.of("data/archive"), "42")
 *     .withMaxRecordsPerFile(500_000);
 * // A test writing an old partition:
 * ArchiveWriterOptions v1 = options.withSchema(ArchiveSchema.version(1), raw -> toV1Record(raw));
 * }</pre>
 */
public final class ArchiveWriterOptions {
  /** Records per part file before the writer rolls to the next one. */
  public static final long DEFAULT_MAX_RECORDS_PER_FILE = 1_000_000L;
  /** Hour partitions with an open file at the same time; the least recently written closes first. */
  public static final int DEFAULT_MAX_OPEN_FILES = 4;
  /** Parquet row group size: memory per open file is about this much, compressed. */
  public static final long DEFAULT_ROW_GROUP_BYTES = 64L << 20;

  private static final Pattern WRITER_ID = Pattern.compile("[A-Za-z0-9_.-]+");

  private final Path root;
  private final String writerId;
  private final long maxRecordsPerFile;
  private final int maxOpenFiles;
  private final long rowGroupBytes;
  private final Schema schema;
  private final Function<RawEvent, GenericRecord> toRecord;

  private ArchiveWriterOptions(
      Path root,
      String writerId,
      long maxRecordsPerFile,
      int maxOpenFiles,
      long rowGroupBytes,
      Schema schema,
      Function<RawEvent, GenericRecord> toRecord) {
    this.root = Objects.requireNonNull(root, "root");
    this.writerId = Objects.requireNonNull(writerId, "writerId");
    this.maxRecordsPerFile = maxRecordsPerFile;
    this.maxOpenFiles = maxOpenFiles;
    this.rowGroupBytes = rowGroupBytes;
    this.schema = Objects.requireNonNull(schema, "schema");
    this.toRecord = Objects.requireNonNull(toRecord, "toRecord");
  }

  /**
   * Writes under {@code root} into files {@code part-<writerId>-NNNNN.parquet}, with the current
   * archive schema.
   */
  public static ArchiveWriterOptions of(Path root, String writerId) {
    return new ArchiveWriterOptions(
        root,
        writerId,
        DEFAULT_MAX_RECORDS_PER_FILE,
        DEFAULT_MAX_OPEN_FILES,
        DEFAULT_ROW_GROUP_BYTES,
        ArchiveSchema.current(),
        ArchiveSchema::toRecord);
  }

  /** Records per part file before rolling to the next number (default 1,000,000). */
  public ArchiveWriterOptions withMaxRecordsPerFile(long value) {
    return new ArchiveWriterOptions(
        root, writerId, value, maxOpenFiles, rowGroupBytes, schema, toRecord);
  }

  /** Hour partitions with an open file at once (default 4); more closes the least recently written. */
  public ArchiveWriterOptions withMaxOpenFiles(int value) {
    return new ArchiveWriterOptions(
        root, writerId, maxRecordsPerFile, value, rowGroupBytes, schema, toRecord);
  }

  /** Parquet row group size in bytes (default 64 MiB). */
  public ArchiveWriterOptions withRowGroupBytes(long value) {
    return new ArchiveWriterOptions(
        root, writerId, maxRecordsPerFile, maxOpenFiles, value, schema, toRecord);
  }

  /**
   * Writes with {@code schema} (for example an older {@link ArchiveSchema#version(int)}), converting
   * each event with {@code toRecord}, which must return records of that schema.
   */
  public ArchiveWriterOptions withSchema(Schema schema, Function<RawEvent, GenericRecord> toRecord) {
    return new ArchiveWriterOptions(
        root, writerId, maxRecordsPerFile, maxOpenFiles, rowGroupBytes, schema, toRecord);
  }

  /** The archive root directory. */
  public Path root() {
    return root;
  }

  /** The writer id in file names {@code part-<writerId>-NNNNN.parquet}. */
  public String writerId() {
    return writerId;
  }

  /** Records per part file. */
  public long maxRecordsPerFile() {
    return maxRecordsPerFile;
  }

  /** Hour partitions with an open file at once. */
  public int maxOpenFiles() {
    return maxOpenFiles;
  }

  /** Parquet row group size in bytes. */
  public long rowGroupBytes() {
    return rowGroupBytes;
  }

  /** The Avro schema of the files. */
  public Schema schema() {
    return schema;
  }

  /** Converts an event to a record of {@link #schema()}. */
  public Function<RawEvent, GenericRecord> toRecord() {
    return toRecord;
  }

  /**
   * Checks the options.
   *
   * @return these options
   * @throws IllegalArgumentException with a message naming the option to change
   */
  public ArchiveWriterOptions validate() {
    if (!WRITER_ID.matcher(writerId).matches()) {
      throw new IllegalArgumentException(
          "writerId '" + writerId + "' must be letters, digits, '_', '.' or '-' only (it is part of"
              + " a file name), for example the seed: \"42\"");
    }
    if (maxRecordsPerFile < 1) {
      throw new IllegalArgumentException(
          "maxRecordsPerFile is " + maxRecordsPerFile + ": set it to at least 1");
    }
    if (maxOpenFiles < 1) {
      throw new IllegalArgumentException("maxOpenFiles is " + maxOpenFiles + ": set it to at least 1");
    }
    if (rowGroupBytes < 1024) {
      throw new IllegalArgumentException(
          "rowGroupBytes is " + rowGroupBytes + ": set it to at least 1024 (default 64 MiB)");
    }
    if (schema.getField("payload") == null || schema.getField("received_at") == null) {
      throw new IllegalArgumentException(
          "The schema " + schema.getFullName() + " has no payload or received_at field: use an"
              + " ArchiveSchema version");
    }
    return this;
  }
}
