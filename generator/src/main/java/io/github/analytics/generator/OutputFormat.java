package io.github.analytics.generator;

/** What {@link GenerateCommand} writes. */
public enum OutputFormat {
  /** The Parquet archive under {@code <out>/archive} (see {@link ArchiveWriter}). */
  PARQUET,
  /** One JSON Lines file per day, {@code <out>/events-YYYY-MM-DD.jsonl} (see {@link JsonLinesWriter}). */
  JSONL,
  /** Both. */
  BOTH;

  boolean parquet() {
    return this != JSONL;
  }

  boolean jsonl() {
    return this != PARQUET;
  }
}
