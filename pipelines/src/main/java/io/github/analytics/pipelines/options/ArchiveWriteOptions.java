package io.github.analytics.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** How the streaming layer writes the Parquet archive. */
public interface ArchiveWriteOptions extends ArchiveOptions {
  @Description("Write every record read to the archive under --archiveRoot.")
  @Default.Boolean(true)
  boolean getWriteArchive();

  void setWriteArchive(boolean value);

  @Description("Minutes of arrival time per archive file window (must divide an hour).")
  @Default.Integer(5)
  int getArchiveWindowMinutes();

  void setArchiveWindowMinutes(int value);

  @Description("At most this many Parquet files per archive window and pane.")
  @Default.Integer(2)
  int getArchiveShards();

  void setArchiveShards(int value);

  @Description(
      "Seconds after its first record that an archive window's records are written out, before the"
          + " window closes: the archive is at most about this far behind the topic.")
  @Default.Integer(60)
  int getArchiveFlushSeconds();

  void setArchiveFlushSeconds(int value);

  @Description(
      "Minutes a record may arrive behind the watermark and still be archived in its window; an"
          + " hour is marked complete (_COMPLETE.json) this long after its end.")
  @Default.Integer(10)
  int getArchiveAllowedLatenessMinutes();

  void setArchiveAllowedLatenessMinutes(int value);
}
