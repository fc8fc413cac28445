package io.github.analytics.pipelines.io;

import java.util.Locale;
import java.util.UUID;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;

/**
 * A name no other file of the run has: {@code part-<shard>-<random UUID>.parquet}. Beam's default
 * names ({@code part-<window>-<pane>-<shard>-of-<shards>}) are unique only when one worker
 * finalizes all of a table's files: {@code WriteFiles} gathers its temporary files' results with a
 * {@code Reshuffle} on one key, which Beam's Flink runner translates as a round-robin {@code
 * rebalance()}, not as a shuffle by key. With more than one task at that step, each names its share
 * {@code 0..n-1} of {@code n} and they move their files over each other's: a Flink batch run at
 * parallelism 2 lost about half of a table's rows that way. DuckDB reads every file of the
 * directory, so the names need only differ; a task that renames its temporary files again after
 * a failure finds them moved and skips them.
 */
final class UniqueStagingNaming implements FileIO.Write.FileNaming {
  private static final long serialVersionUID = 1L;

  @Override
  public String getFilename(BoundedWindow window, PaneInfo pane, int numShards, int shardIndex,
      Compression compression) {
    return String.format(Locale.ROOT, "part-%05d-%s.parquet", shardIndex, UUID.randomUUID());
  }
}
