package io.github.analytics.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark suite's entry point: runs the sections asked for, one after the other in this JVM,
 * and writes results.md, results.json and results.svg under {@code --out}. Exit code 0 when every
 * section ran (a missed target is a result, not a failure), 1 when a section failed, 2 on a usage error.
 *
 * <pre>
 * bench/run.sh --quick                          # every section, small sizes, a few minutes
 * bench/run.sh                                  # the full run (10M batch events, HLL up to 1e7)
 * bench/run.sh --sections hll --hll-max-distinct 100000
 * </pre>
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the benchmark suite (issue 6) and writes results.md, results.json and results.svg.",
      "Sizes: --quick picks small defaults; an explicit size wins over both."
    })
public final class Bench implements Callable<Integer> {
  @Option(names = "--quick", description = "Small sizes (streaming and batch 500,000 events,"
      + " freshness 30 s, HLL up to 1e6): every section in about ten minutes, noisier numbers.")
  boolean quick;

  @Option(names = "--sections", split = ",", paramLabel = "NAME", completionCandidates = SectionNames.class,
      description = "Sections to run, comma-separated (default: all): ${COMPLETION-CANDIDATES}")
  List<String> sections = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", description = "Where the results go (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("bench", "results");

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Scratch files (archives, databases); default a new temporary directory, deleted at the"
          + " end unless --keep-work.")
  @Nullable Path workDir;

  @Option(names = "--keep-work", description = "Keep the scratch files for inspection.")
  boolean keepWork;

  @Option(names = "--cores", description = "The divisor of per-core figures and the runners' parallelism"
      + " (default: the processors this JVM sees).")
  @Nullable Integer cores;

  @Option(names = "--batch-events", description = "Valid events in the batch day (default 10,000,000;"
      + " 500,000 with --quick).")
  @Nullable Long batchEvents;

  @Option(names = "--batch-users", description = "Users in the batch day (default: events / 20).")
  @Nullable Integer batchUsers;

  @Option(names = "--batch-runners", split = ",", paramLabel = "RUNNER",
      description = "Runners of the batch section (default: all): ${COMPLETION-CANDIDATES}")
  List<BatchRunner> batchRunners = new ArrayList<>();

  @Option(names = "--batch-floor", description = "Also time the batch job cut down to its first steps and"
      + " built up again (read; parse; the shuffle by user; the per-user stage; enrichment;"
      + " every metric), on each runner in its warm JVM: what each costs. Six more jobs a runner.")
  boolean batchFloor;

  @Option(names = "--hll-max-distinct", description = "Largest HLL size; sizes go 1e3, 1e4, ... up to it"
      + " (default 10,000,000; 1,000,000 with --quick).")
  @Nullable Long hllMaxDistinct;

  @Option(names = "--hll-seeds", description = "Independent seeds per HLL size (default "
      + BenchSettings.DEFAULT_HLL_SEEDS + ").")
  @Nullable Integer hllSeeds;

  @Option(names = "--hll-precisions", split = ",", description = "ZetaSketch precisions (default 12,13,14,15).")
  List<Integer> hllPrecisions = new ArrayList<>();

  @Option(names = "--stream-events", description = "Events pre-loaded into Kafka for streaming throughput"
      + " (default 5,000,000; 500,000 with --quick).")
  @Nullable Long streamEvents;

  @Option(names = "--freshness-rate", description = "Produce rate of the freshness section, events/s"
      + " (default 20,000).")
  @Nullable Integer freshnessRate;

  @Option(names = "--freshness-seconds", description = "How long freshness produces (default 120; 30 with"
      + " --quick).")
  @Nullable Integer freshnessSeconds;

  @Option(names = "--collector-seconds", description = "How long each timed phase of the collector and serving"
      + " sections runs: saturation, paced latency, producer alone; paced, saturated, uncached (default 30; 10"
      + " with --quick).")
  @Nullable Integer collectorSeconds;

  /** The names {@code --sections} accepts, for --help. */
  static final class SectionNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return Sections.all().stream().map(Section::name).iterator();
    }
  }

  private final PrintStream stdout;
  private final PrintStream progress;

  Bench(PrintStream stdout, PrintStream progress) {
    this.stdout = stdout;
    this.progress = progress;
  }

  public static void main(String[] args) {
    System.exit(execute(System.out, System.err, args));
  }

  /** Runs the suite with command-line {@code args}; returns the exit code. */
  public static int execute(PrintStream stdout, PrintStream progress, String... args) {
    CommandLine commandLine = new CommandLine(new Bench(stdout, progress))
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setOut(new java.io.PrintWriter(stdout, true))
        .setErr(new java.io.PrintWriter(progress, true))
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          if (e instanceof IllegalArgumentException) {
            cmd.getErr().println("bench: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return commandLine.execute(args);
  }

  /** The sizes, from the defaults of the mode and the explicit options. */
  BenchSettings settings() {
    BenchSettings d = BenchSettings.defaults(quick);
    long events = batchEvents != null ? batchEvents : d.batchEvents();
    return new BenchSettings(
        quick,
        events,
        batchUsers != null ? batchUsers : BenchSettings.usersFor(events),
        batchRunners.isEmpty() ? d.batchRunners() : batchRunners,
        batchFloor,
        hllMaxDistinct != null ? hllMaxDistinct : d.hllMaxDistinct(),
        hllSeeds != null ? hllSeeds : d.hllSeeds(),
        hllPrecisions.isEmpty() ? d.hllPrecisions() : hllPrecisions,
        streamEvents != null ? streamEvents : d.streamEvents(),
        freshnessRate != null ? freshnessRate : d.freshnessRate(),
        freshnessSeconds != null ? freshnessSeconds : d.freshnessSeconds(),
        collectorSeconds != null ? collectorSeconds : d.collectorSeconds());
  }

  @Override
  public Integer call() throws IOException {
    BenchSettings settings = settings();
    List<Section> selected = Sections.select(sections);
    int usedCores = cores != null ? cores : Runtime.getRuntime().availableProcessors();
    if (usedCores < 1) {
      throw new IllegalArgumentException("--cores must be at least 1, got " + usedCores);
    }
    MachineInfo machine = MachineInfo.current();
    Path scratch = workDir != null ? workDir : Files.createTempDirectory("analytics-bench");
    progress.printf("bench: %s run of %s on %d cores; scratch files in %s%n",
        settings.mode(), selected.stream().map(Section::name).toList(), usedCores, scratch);
    List<SectionResult> results = new ArrayList<>();
    try {
      for (Section section : selected) {
        BenchContext context =
            new BenchContext(settings, scratch.resolve(section.name()), usedCores, progress);
        long started = System.nanoTime();
        List<Measurement> rows = List.of();
        String failure = null;
        try {
          rows = section.run(context);
          for (Measurement row : rows) {
            if (!row.section().equals(section.name())) {
              throw new IllegalStateException("Section " + section.name() + " returned a row of section "
                  + row.section() + " (" + row.name() + "): a section's rows carry its own name");
            }
          }
        } catch (Exception e) {
          failure = e.getClass().getSimpleName() + ": " + e.getMessage();
          progress.println("bench: section " + section.name() + " failed: " + failure);
          e.printStackTrace(progress);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        results.add(new SectionResult(section.name(), section.title(), section.description(), rows, seconds,
            failure));
      }
    } finally {
      if (workDir == null && !keepWork) {
        deleteRecursively(scratch);
      }
    }
    BenchReport report = new BenchReport(machine, settings, results);
    Files.createDirectories(out);
    String markdown = MarkdownReport.render(report, "results.svg");
    Files.writeString(out.resolve("results.md"), markdown, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("results.json"), JsonReport.render(report), StandardCharsets.UTF_8);
    Files.writeString(out.resolve("results.svg"), SvgChart.render(report), StandardCharsets.UTF_8);
    stdout.print(markdown);
    progress.printf("bench: wrote %s, results.json and results.svg; %d target(s) missed%s%n",
        out.resolve("results.md"), report.missed(), report.anyFailed() ? "; SOME SECTIONS FAILED" : "");
    return report.anyFailed() ? 1 : 0;
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the scratch directory " + root + ": delete it by hand", e);
    }
  }
}
