package io.github.analytics.pipelines.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.analytics.schemas.ArchiveSchema;
import io.github.analytics.schemas.RawEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The streaming layer's archive writer: every record read from Kafka, as received, into the Parquet
 * archive that the batch layer reads ({@code <root>/dt=YYYY-MM-DD/hour=HH/}, partitioned by arrival
 * time, the current {@link ArchiveSchema}), on a local path or {@code s3://}.
 *
 * <p>Files: records are grouped into windows of arrival time ({@code window}, 5 minutes by default).
 * A window is written in panes: one at most {@code flush} after its first unwritten record (so the
 * archive is never more than about that far behind the topic, even when the watermark stalls), and
 * the last when the watermark passes its end. Each pane is at most {@code shards} files, named {@code
 * events-<HHmm>-<HHmm>-pane-<n>-<shard>-of-<shards>.parquet}, and holds each record once (panes
 * discard what they wrote). Records arriving behind the watermark, within {@code allowedLateness}, go
 * into later panes of their window; a record later than that is dropped by Beam and counted in its
 * {@code droppedDueToLateness} metric. File names are fixed by window, pane and shard, so a retried or
 * replayed pane rewrites the same files instead of adding copies.
 *
 * <p>Completion: once the watermark has passed an hour's end plus {@code allowedLateness}, no more
 * files can come for it, and a marker {@value #HOUR_MARKER} is written into the hour's folder, listing
 * its files. The batch layer treats an hour with a marker as final. An hour in which nothing arrived
 * has no folder and no marker.
 */
public final class ArchiveSink extends PTransform<PCollection<RawEvent>, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  /** The name of the completion marker in an hour's folder. */
  public static final String HOUR_MARKER = "_COMPLETE.json";

  private static final DateTimeFormatter PARTITION =
      DateTimeFormatter.ofPattern("'dt='yyyy-MM-dd'/hour='HH", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter HHMM =
      DateTimeFormatter.ofPattern("HHmm", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final String root;
  private final Duration window;
  private final int shards;
  private final Duration allowedLateness;
  private final Duration flush;

  private ArchiveSink(
      String root, Duration window, int shards, Duration allowedLateness, Duration flush) {
    this.root = stripSlash(root);
    this.window = window;
    this.shards = shards;
    this.allowedLateness = allowedLateness;
    this.flush = flush;
  }

  /**
   * An archive under {@code root}, in windows of {@code window} (which must divide an hour), at most
   * {@code shards} files per window and pane, a pane at most {@code flush} after its first record,
   * taking records up to {@code allowedLateness} behind the watermark.
   */
  public static ArchiveSink to(
      String root, Duration window, int shards, Duration allowedLateness, Duration flush) {
    if (window.getMillis() <= 0 || Duration.standardHours(1).getMillis() % window.getMillis() != 0) {
      throw new IllegalArgumentException(
          "The archive window must divide an hour (1, 2, 5, 10, 15, 30 or 60 minutes), got " + window);
    }
    if (shards < 1) {
      throw new IllegalArgumentException("The archive needs at least one file per window");
    }
    if (flush.getMillis() <= 0) {
      throw new IllegalArgumentException("The archive flush interval must be positive");
    }
    return new ArchiveSink(root, window, shards, allowedLateness, flush);
  }

  /** The partition folder of an arrival time, {@code dt=YYYY-MM-DD/hour=HH}. */
  public static String partition(Instant receivedAt) {
    return PARTITION.format(java.time.Instant.ofEpochMilli(receivedAt.getMillis()));
  }

  /** Writes the records; the output is the path of every completion marker written. */
  @Override
  public PCollection<String> expand(PCollection<RawEvent> input) {
    WriteFilesResult<String> files =
        input
            .apply(
                "ArrivalWindows",
                Window.<RawEvent>into(FixedWindows.of(window))
                    .triggering(
                        AfterWatermark.pastEndOfWindow()
                            .withEarlyFirings(
                                AfterProcessingTime.pastFirstElementInPane().plusDelayOf(flush))
                            .withLateFirings(
                                AfterProcessingTime.pastFirstElementInPane().plusDelayOf(flush)))
                    .withAllowedLateness(allowedLateness)
                    .discardingFiredPanes())
            .apply(
                "WriteParquet",
                FileIO.<String, RawEvent>writeDynamic()
                    .by(new PartitionFn())
                    .withDestinationCoder(StringUtf8Coder.of())
                    .via(Contextful.fn(new ToRecordFn()), ParquetIO.sink(ArchiveSchema.current()))
                    .to(root)
                    .withNaming(partition -> new ArchiveFileNaming(partition))
                    .withNumShards(shards));
    return files
        .getPerDestinationOutputFilenames()
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
        .apply("Rewindow", Window.into(new GlobalWindows()))
        .apply("MarkCompleteHours", ParDo.of(new HourMarkerFn(root, allowedLateness.plus(window))));
  }

  private static final class PartitionFn implements SerializableFunction<RawEvent, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String apply(RawEvent raw) {
      return partition(raw.getReceivedAt());
    }
  }

  private static final class ToRecordFn implements SerializableFunction<RawEvent, GenericRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public GenericRecord apply(RawEvent raw) {
      return ArchiveSchema.toRecord(raw);
    }
  }

  /** {@code dt=…/hour=…/events-<HHmm>-<HHmm>-pane-<n>-<shard>-of-<shards>.parquet}. */
  private static final class ArchiveFileNaming implements FileIO.Write.FileNaming {
    private static final long serialVersionUID = 1L;
    private final String partition;

    ArchiveFileNaming(String partition) {
      this.partition = partition;
    }

    @Override
    public String getFilename(
        BoundedWindow window, PaneInfo pane, int numShards, int shardIndex, Compression compression) {
      IntervalWindow interval = (IntervalWindow) window;
      return String.format(
          Locale.ROOT,
          "%s/events-%s-%s-pane-%d-%05d-of-%05d.parquet",
          partition,
          HHMM.format(java.time.Instant.ofEpochMilli(interval.start().getMillis())),
          HHMM.format(java.time.Instant.ofEpochMilli(interval.end().getMillis())),
          pane.getIndex(),
          shardIndex,
          numShards);
    }
  }

  /**
   * Collects each hour's files and writes the hour's marker when the watermark passes the hour's end
   * plus the lateness; a file for an hour already marked (which the lateness should rule out) is
   * counted and the marker rewritten with it.
   */
  static final class HourMarkerFn extends DoFn<KV<String, String>, String> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @StateId("files")
    private final StateSpec<BagState<String>> filesSpec = StateSpecs.bag(StringUtf8Coder.of());

    @StateId("marked")
    private final StateSpec<ValueState<Boolean>> markedSpec = StateSpecs.value();

    @TimerId("complete")
    private final TimerSpec completeSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    private final String root;
    private final Duration wait;
    private final Counter markers = Metrics.counter(ArchiveSink.class, "archive_hours_completed");
    private final Counter filesAfterMarker =
        Metrics.counter(ArchiveSink.class, "archive_files_after_hour_marker");

    HourMarkerFn(String root, Duration wait) {
      this.root = root;
      this.wait = wait;
    }

    @ProcessElement
    public void processElement(
        @Element KV<String, String> file,
        @StateId("files") BagState<String> files,
        @StateId("marked") ValueState<Boolean> marked,
        @TimerId("complete") Timer complete,
        OutputReceiver<String> out) {
      files.add(file.getValue());
      if (Boolean.TRUE.equals(marked.read())) {
        filesAfterMarker.inc();
        out.output(writeMarker(file.getKey(), files.read()));
        return;
      }
      Instant hourEnd = hourStart(file.getKey()).plus(Duration.standardHours(1));
      complete.set(hourEnd.plus(wait));
    }

    @OnTimer("complete")
    public void onComplete(
        OnTimerContext context,
        @Key String partition,
        @StateId("files") BagState<String> files,
        @StateId("marked") ValueState<Boolean> marked,
        OutputReceiver<String> out) {
      marked.write(true);
      markers.inc();
      out.output(writeMarker(partition, files.read()));
    }

    private String writeMarker(String partition, Iterable<String> files) {
      TreeSet<String> names = new TreeSet<>();
      for (String file : files) {
        names.add(FileSystems.matchNewResource(file, false).getFilename());
      }
      ObjectNode marker = MAPPER.createObjectNode();
      marker.put("partition", partition);
      marker.put("complete_at", RowJson.instant(System.currentTimeMillis()));
      ArrayNode list = marker.putArray("files");
      names.forEach(list::add);
      ResourceId path =
          FileSystems.matchNewResource(root + "/" + partition + "/", true)
              .resolve(HOUR_MARKER, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
      try (OutputStream out = Channels.newOutputStream(FileSystems.create(path, "application/json"))) {
        out.write(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(marker));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write the archive marker " + path, e);
      }
      return path.toString();
    }

    private static Instant hourStart(String partition) {
      java.time.LocalDateTime hour =
          java.time.LocalDateTime.parse(
              partition.replace("dt=", "").replace("/hour=", "T") + ":00");
      return new Instant(hour.toInstant(ZoneOffset.UTC).toEpochMilli());
    }
  }

  private static String stripSlash(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** For tests and the demo: the marker of an hour folder, read back. */
  public static List<String> markedFiles(String root, String partition) throws IOException {
    ResourceId path =
        FileSystems.matchNewResource(stripSlash(root) + "/" + partition + "/", true)
            .resolve(HOUR_MARKER, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    try (var in = Channels.newInputStream(FileSystems.open(path))) {
      List<String> files = new ArrayList<>();
      MAPPER_FOR_READ.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .get("files")
          .forEach(n -> files.add(n.asText()));
      return files;
    }
  }

  private static final ObjectMapper MAPPER_FOR_READ = new ObjectMapper();
}
