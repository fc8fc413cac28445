package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.pipelines.options.ArchiveStorageOptions;
import io.github.analytics.pipelines.options.DateRange;
import io.github.analytics.pipelines.options.S3Settings;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.stack.S3ProxyServer;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming archive writer, on a local path and on a real S3Proxy: records of three windows in two
 * hours, one of them in two panes (an early flush, then more records), are all in the archive exactly
 * once, read back by the batch layer's {@link ArchiveSource}, and each hour gets a marker listing its
 * files once the watermark has passed it.
 */
class ArchiveSinkTest {
  private static final Instant T10_01 = Instant.parse("2026-11-27T10:01:00Z");
  private static final Instant T10_07 = Instant.parse("2026-11-27T10:07:00Z");
  private static final Instant T11_58 = Instant.parse("2026-11-27T11:58:00Z");

  @TempDir Path dir;

  @Test
  void writesEveryRecordOnceAndMarksEachHourOnALocalPath() throws Exception {
    String root = dir.resolve("archive").toString();
    List<RawEvent> written = writeArchive(root, PipelineOptionsFactory.create(), 2);
    checkArchive(root, written, PipelineOptionsFactory.create());
  }

  @Test
  void writesEveryRecordOnceAndMarksEachHourOnS3() throws Exception {
    try (S3ProxyServer s3 = S3ProxyServer.start(dir.resolve("s3proxy"))) {
      s3.createBucket("archive");
      PipelineOptions options = PipelineOptionsFactory.fromArgs(
              S3Settings.flags(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey())
                  .toArray(new String[0]))
          .as(ArchiveStorageOptions.class);
      String root = "s3://archive/events";
      // One file per pane: every S3 object is a multipart upload through S3Proxy.
      List<RawEvent> written = writeArchive(root, options, 1);
      checkArchive(root, written, options);
      assertTrue(s3.dataDirectory().resolve("archive").toFile().isDirectory());
    }
  }

  private static RawEvent record(Instant at, int n) {
    return RawEvent.ofJson("{\"n\":" + n + "}", at.plus(Duration.standardSeconds(n)));
  }

  /** Streams records of three windows through the sink; returns them. */
  private static List<RawEvent> writeArchive(String root, PipelineOptions options, int shards) {
    List<RawEvent> first = List.of(record(T10_01, 1), record(T10_01, 2));
    List<RawEvent> second = List.of(record(T10_01, 3));
    List<RawEvent> third = List.of(record(T10_07, 4), record(T11_58, 5));
    TestStream<RawEvent> stream =
        TestStream.create(coder(options))
            .advanceWatermarkTo(T10_01)
            .addElements(timestamped(first.get(0)), timestamped(first.get(1)))
            // The flush delay passes: 10:00-10:05 is written early, as pane 0.
            .advanceProcessingTime(Duration.standardMinutes(2))
            .addElements(timestamped(second.get(0)), timestamped(third.get(0)), timestamped(third.get(1)))
            .advanceWatermarkToInfinity();
    Pipeline pipeline = Pipeline.create(options);
    FileSystems.setDefaultPipelineOptions(options);
    pipeline
        .apply(stream)
        .apply(ArchiveSink.to(root, Duration.standardMinutes(5), shards, Duration.standardMinutes(10),
            Duration.standardMinutes(1)));
    pipeline.run().waitUntilFinish();
    List<RawEvent> all = new ArrayList<>(first);
    all.addAll(second);
    all.addAll(third);
    return all;
  }

  private static void checkArchive(String root, List<RawEvent> written, PipelineOptions options)
      throws Exception {
    FileSystems.setDefaultPipelineOptions(options);
    // Hand-worked: hour 10 has the windows 10:00 (two panes: early and on time) and 10:05; hour 11 has
    // 11:55. Every file is listed in its hour's marker, and no other Parquet file exists.
    Set<String> hour10 = new TreeSet<>(ArchiveSink.markedFiles(root, "dt=2026-11-27/hour=10"));
    Set<String> hour11 = new TreeSet<>(ArchiveSink.markedFiles(root, "dt=2026-11-27/hour=11"));
    assertEquals(hour10, files(root + "/dt=2026-11-27/hour=10/*.parquet"));
    assertEquals(hour11, files(root + "/dt=2026-11-27/hour=11/*.parquet"));
    assertTrue(hour10.stream().anyMatch(f -> f.startsWith("events-1000-1005-pane-0-")), hour10.toString());
    assertTrue(hour10.stream().anyMatch(f -> f.startsWith("events-1000-1005-pane-1-")), hour10.toString());
    assertTrue(hour10.stream().anyMatch(f -> f.startsWith("events-1005-1010-pane-0-")), hour10.toString());
    assertTrue(hour11.stream().allMatch(f -> f.startsWith("events-1155-1200-pane-0-")), hour11.toString());
    assertFalse(hour11.isEmpty());

    // The batch layer reads back every record exactly once.
    Pipeline read = Pipeline.create(options);
    PCollection<RawEvent> back = read.apply(
        ArchiveSource.read(root, new DateRange(LocalDate.parse("2026-11-27"), LocalDate.parse("2026-11-27"))));
    PAssert.that(back).containsInAnyOrder(written);
    read.run().waitUntilFinish();
  }

  private static Set<String> files(String pattern) throws Exception {
    Set<String> names = new TreeSet<>();
    for (MatchResult.Metadata file : FileSystems.match(pattern).metadata()) {
      names.add(file.resourceId().getFilename());
    }
    return names;
  }

  private static TimestampedValue<RawEvent> timestamped(RawEvent raw) {
    return TimestampedValue.of(raw, raw.getReceivedAt());
  }

  private static org.apache.beam.sdk.coders.Coder<RawEvent> coder(PipelineOptions options) {
    try {
      return Pipeline.create(options).getSchemaRegistry().getSchemaCoder(RawEvent.class);
    } catch (org.apache.beam.sdk.schemas.NoSuchSchemaException e) {
      throw new IllegalStateException(e);
    }
  }
}
