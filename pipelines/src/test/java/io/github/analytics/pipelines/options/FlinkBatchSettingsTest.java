package io.github.analytics.pipelines.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.generator.ArchiveWriter;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.pipelines.io.ArchiveSource;
import io.github.analytics.schemas.RawEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Flink configuration of batch jobs on embedded Flink: which arguments get it, and that with it
 * the step that reads the archive runs at the job's parallelism (Flink's adaptive batch scheduler
 * gives it one task otherwise, which the second case shows).
 */
class FlinkBatchSettingsTest {
  private static final LocalDate DAY = LocalDate.parse("2026-11-27");
  /** A Flink task thread's name ends with its subtask and the step's parallelism: "(1/2)#0". */
  private static final Pattern SUBTASK = Pattern.compile("\\((\\d+)/(\\d+)\\)#\\d+$");
  /** The names of the threads that read archive records, by the run that read them. */
  private static final Map<String, Set<String>> READERS = new ConcurrentHashMap<>();

  @TempDir static Path dir;
  private static Path archive;

  @BeforeAll
  static void generateADay() throws Exception {
    archive = dir.resolve("archive");
    GeneratorConfig config = GeneratorConfig.forDay(DAY).withSeed(11).withEvents(2_000).withUsers(200);
    try (ArchiveWriter writer = ArchiveWriter.open(archive, "test")) {
      EventGenerator.of(config).generate(record -> writer.write(record.raw()));
    }
  }

  @Test
  void anEmbeddedFlinkJobGetsAConfigurationThatTurnsOffAutomaticParallelism() throws Exception {
    List<String> args = List.of("--runner=FlinkRunner", "--flinkMaster=[local]");
    List<String> out = FlinkBatchSettings.withEveryStepAtFullParallelism(args, name -> null);
    assertEquals(args, out.subList(0, 2));
    assertEquals(3, out.size(), out::toString);
    assertTrue(out.get(2).startsWith("--flinkConfDir="), out::toString);
    Path conf = Path.of(out.get(2).substring("--flinkConfDir=".length())).resolve("config.yaml");
    assertEquals(
        List.of("execution.batch.adaptive.auto-parallelism.enabled: false"), Files.readAllLines(conf));
    // No --flinkMaster is embedded too.
    assertEquals(2, FlinkBatchSettings.withEveryStepAtFullParallelism(
        List.of("--runner=FlinkRunner"), name -> null).size());
  }

  @Test
  void otherRunnersClustersBigQueryAndAChosenConfigurationAreLeftAsGiven() {
    for (List<String> args : List.of(
        List.<String>of(),
        List.of("--runner=DirectRunner"),
        List.of("--runner=SparkRunner"),
        List.of("--runner=FlinkRunner", "--flinkMaster=flink-jobmanager:8081"),
        List.of("--runner=FlinkRunner", "--flinkConfDir=/etc/flink"),
        List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--warehouse=BIGQUERY"))) {
      assertEquals(args, FlinkBatchSettings.withEveryStepAtFullParallelism(args, name -> null),
          args.toString());
    }
    List<String> flink = List.of("--runner=FlinkRunner", "--flinkMaster=[local]");
    assertEquals(flink, FlinkBatchSettings.withEveryStepAtFullParallelism(
        flink, name -> name.equals("FLINK_CONF_DIR") ? "/etc/flink" : null));
  }

  @Test
  void withItTheArchiveIsReadAtTheJobsParallelismAndWithoutItByOneTask() throws Exception {
    List<String> job = List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2",
        "--objectReuse=true", "--useDataStreamForBatch=true");
    assertEquals(Set.of(2), parallelismOfTheRead("configured",
        FlinkBatchSettings.withEveryStepAtFullParallelism(job, name -> null)));
    // Flink's own choice, which the setting is there to override: the read's input is a few file
    // names, so the adaptive batch scheduler gives it a single task.
    assertEquals(Set.of(1), parallelismOfTheRead("flink's default", job));
  }

  /** Runs a job that reads the archive on embedded Flink; the parallelism of the read's threads. */
  private static Set<Integer> parallelismOfTheRead(String run, List<String> args) {
    List<String> all = new ArrayList<>(args);
    Pipeline pipeline = Pipeline.create(
        PipelineOptionsFactory.fromArgs(all.toArray(String[]::new)).create());
    pipeline
        .apply("ReadArchive", ArchiveSource.read(archive.toString(), new DateRange(DAY, DAY)))
        .apply("NoteThread", ParDo.of(new NoteThreadFn(run)));
    assertEquals(PipelineResult.State.DONE, pipeline.run().waitUntilFinish());
    Set<String> threads = READERS.getOrDefault(run, Set.of());
    assertTrue(!threads.isEmpty(), "no archive record was read");
    Set<Integer> parallelism = new java.util.TreeSet<>();
    for (String thread : threads) {
      Matcher subtask = SUBTASK.matcher(thread);
      assertTrue(subtask.find(), "not a Flink task thread: " + thread);
      parallelism.add(Integer.parseInt(subtask.group(2)));
    }
    return parallelism;
  }

  /** Notes the name of each thread that sees a record (chained to the read, so the read's task). */
  private static final class NoteThreadFn extends DoFn<RawEvent, Void> {
    private static final long serialVersionUID = 1L;
    private final String run;

    NoteThreadFn(String run) {
      this.run = run;
    }

    @ProcessElement
    public void process() {
      READERS.computeIfAbsent(run, r -> ConcurrentHashMap.newKeySet())
          .add(Thread.currentThread().getName());
    }
  }
}
