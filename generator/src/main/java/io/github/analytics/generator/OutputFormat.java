package io.github.analytics.generator;

/** What {@link GenerateCommand} writes. */
public enum OutputFormat {
  /** The Parquet archive under {@code <out>/archive} (see {@link ArchiveWriter}). */
  PARQUET,
  /** One JSON Lines file per day, {@code <out>/events-YYYY-MM-DD.jsonl} (see {@link JsonLinesWriter}). */
  JSONL,
  /** Both. */
  BOTH,
  /** No file: with {@code --kafka}, the records only go to Kafka. */
  NONE;

  boolean parquet() {
    return this == PARQUET || this == BOTH;
  }

  boolean jsonl() {
    return this == JSONL || this == BOTH;
  }
}
