package io.github.analytics.pipelines.backfill;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.analytics.pipelines.io.ArchiveSink;
import io.github.analytics.pipelines.io.ArchiveSource;
import io.github.analytics.pipelines.options.DateRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * What the archive held for one day's run: the Parquet files of the partitions it reads (the day and
 * its late-arrival days), summed up as a count, a size and a digest of their names and sizes. The
 * archive only ever gains files, so a day whose fingerprint has not changed would compute the same
 * rows again.
 *
 * @param files Parquet files read
 * @param bytes their total size
 * @param digest SHA-256 of the sorted "path size" lines
 * @param hoursMarkedComplete hours of the day itself whose {@value ArchiveSink#HOUR_MARKER} the
 *     streaming archive has written (0 for archives written otherwise)
 */
public record ArchiveFingerprint(
    @JsonProperty("files") long files,
    @JsonProperty("bytes") long bytes,
    @JsonProperty("digest") String digest,
    @JsonProperty("hours_marked_complete") int hoursMarkedComplete) {

  /** Lists the archive under {@code root} for the partitions {@code read}; {@code day} is the run's day. */
  public static ArchiveFingerprint of(String root, LocalDate day, DateRange read) {
    List<String> patterns = new ArrayList<>();
    for (LocalDate d : read.days()) {
      patterns.add(ArchiveSource.dayPattern(root, d));
    }
    String markers = ArchiveSource.dayPattern(root, day).replace("*.parquet", ArchiveSink.HOUR_MARKER);
    patterns.add(markers);
    try {
      List<MatchResult> matches = FileSystems.match(patterns, EmptyMatchTreatment.ALLOW);
      List<String> lines = new ArrayList<>();
      long bytes = 0;
      for (int i = 0; i < matches.size() - 1; i++) {
        for (MatchResult.Metadata file : metadata(matches.get(i))) {
          lines.add(file.resourceId() + " " + file.sizeBytes());
          bytes += file.sizeBytes();
        }
      }
      lines.sort(null);
      int hours = metadata(matches.get(matches.size() - 1)).size();
      return new ArchiveFingerprint(lines.size(), bytes, sha256(lines), hours);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the archive under " + root, e);
    }
  }

  private static List<MatchResult.Metadata> metadata(MatchResult match) throws IOException {
    return match.status() == MatchResult.Status.OK ? match.metadata() : List.of();
  }

  private static String sha256(List<String> lines) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String line : lines) {
        digest.update(line.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
