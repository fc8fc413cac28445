package io.github.analytics.bench;

import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.transforms.ingest.EventParserBenchAccess;
import io.github.analytics.transforms.ingest.ParseEvents;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times {@code EventParser} (the parse of one record, as {@code ParseEvents} runs it on every
 * record of both layers) against {@link LegacyEventParser}, the tree-based parser it replaced,
 * single-threaded, on payloads from the project's generator (1% malformed by default, as a
 * generated day). Prints nanoseconds per record per round, elapsed and in the thread's CPU time
 * (which other processes on a shared machine disturb less), and the median of the rounds; the two
 * parsers alternate so that both see the same machine load. It first checks that both give the same
 * outcome for every payload.
 *
 * <p>A plain timing loop, not JMH: enough to compare two implementations that differ several-fold,
 * not to resolve a few percent. Run on a quiet machine (the load average is printed).
 *
 * <pre>
 * mvn -B -q -DskipTests -pl bench -am package dependency:build-classpath \
 *     -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
 * java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
 *     io.github.analytics.bench.ParserMicroBench --records 1000000
 * </pre>
 */
@Command(
    name = "parser-micro-bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Times the streaming EventParser against the tree-based one it replaced.")
public final class ParserMicroBench implements Callable<Integer> {
  @Option(
      names = "--records",
      description = "Records each parser parses per round (default: ${DEFAULT-VALUE}).")
  long records = 1_000_000;

  @Option(
      names = "--distinct",
      description = "Distinct generated payloads, cycled through (default: ${DEFAULT-VALUE}).")
  int distinct = 200_000;

  @Option(
      names = "--rounds",
      description = "Timed rounds per parser, after one warm-up round (default: ${DEFAULT-VALUE}).")
  int rounds = 3;

  @Option(
      names = "--malformed-share",
      description = "Share of malformed payloads (default: ${DEFAULT-VALUE}).")
  double malformedShare = GeneratorConfig.DEFAULT_MALFORMED_SHARE;

  @Option(
      names = "--escape-slashes",
      description =
          "Writes every '/' as '\\/', as PHP's json_encode does by default: the new parser's fast"
              + " path leaves such payloads (nearly all) to Jackson's streaming parser, so this"
              + " times that path.")
  boolean escapeSlashes;

  /** Where each timing loop leaves what it consumed. */
  private static volatile long blackhole;

  /** One parser under test, returning the record's Event or DeadLetter. */
  private interface Parser {
    Object parse(RawEvent raw);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ParserMicroBench()).execute(args));
  }

  @Override
  public Integer call() {
    MachineInfo machine = MachineInfo.current();
    System.out.printf(
        "machine: %d cores, %s, %s, load average %s%n",
        machine.cores(), machine.cpu(), machine.jvm(), machine.loadAverage());

    RawEvent[] payloads = generate();
    long bytes = 0;
    for (RawEvent raw : payloads) {
      bytes += raw.getPayload().length;
    }
    System.out.printf(
        "payloads: %,d distinct, %,d bytes on average, malformed share %.3f%s%n",
        payloads.length,
        bytes / payloads.length,
        malformedShare,
        escapeSlashes ? ", every '/' escaped" : "");

    LegacyEventParser legacyParser =
        new LegacyEventParser(
            ParseEvents.DEFAULT_MAX_PAYLOAD_BYTES,
            ParseEvents.DEFAULT_MAX_PROPERTIES_BYTES,
            ParseEvents.DEFAULT_MAX_PAST,
            ParseEvents.DEFAULT_MAX_FUTURE);
    Parser legacy =
        raw -> {
          LegacyEventParser.Outcome outcome = legacyParser.parse(raw);
          return outcome.event != null ? outcome.event : outcome.deadLetter;
        };
    Parser streaming =
        EventParserBenchAccess.withLimits(
                ParseEvents.DEFAULT_MAX_PAYLOAD_BYTES,
                ParseEvents.DEFAULT_MAX_PROPERTIES_BYTES,
                ParseEvents.DEFAULT_MAX_PAST,
                ParseEvents.DEFAULT_MAX_FUTURE)
            ::parse;

    int disagreements = compare(payloads, legacy, streaming);
    if (disagreements > 0) {
      System.out.printf("the parsers disagree on %,d payloads: no timing%n", disagreements);
      return 1;
    }

    // Warm-up: the JIT needs a few hundred thousand records of each before the times settle.
    time(legacy, payloads, records);
    time(streaming, payloads, records);
    double[] legacyWall = new double[rounds];
    double[] legacyCpu = new double[rounds];
    double[] streamingWall = new double[rounds];
    double[] streamingCpu = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      double[] old = time(legacy, payloads, records);
      double[] fresh = time(streaming, payloads, records);
      legacyWall[round] = old[0];
      legacyCpu[round] = old[1];
      streamingWall[round] = fresh[0];
      streamingCpu[round] = fresh[1];
      System.out.printf(
          Locale.ROOT,
          "round %d: tree (old) %.0f ns/record (%.0f CPU), streaming (new) %.0f ns/record (%.0f"
              + " CPU)%n",
          round + 1,
          old[0],
          old[1],
          fresh[0],
          fresh[1]);
    }
    System.out.printf(
        Locale.ROOT,
        "median of %d rounds of %,d records: tree (old) %.0f ns/record, streaming (new) %.0f"
            + " ns/record, %.1fx faster; in thread CPU time %.0f and %.0f ns/record, %.1fx%n",
        rounds,
        records,
        median(legacyWall),
        median(streamingWall),
        median(legacyWall) / median(streamingWall),
        median(legacyCpu),
        median(streamingCpu),
        median(legacyCpu) / median(streamingCpu));
    return 0;
  }

  private RawEvent[] generate() {
    GeneratorConfig config =
        GeneratorConfig.forDay(LocalDate.of(2026, 11, 27))
            .withEvents(distinct)
            .withUsers(Math.max(1, distinct / 20))
            .withMalformedShare(malformedShare);
    List<RawEvent> raws = new ArrayList<>();
    Iterator<RawEvent> it = EventGenerator.of(config).rawEvents();
    while (it.hasNext()) {
      RawEvent raw = it.next();
      if (escapeSlashes) {
        raw = RawEvent.of(escapeSlashes(raw.getPayload()), raw.getReceivedAt(), raw.getSource());
      }
      raws.add(raw);
    }
    return raws.toArray(new RawEvent[0]);
  }

  /** {@code payload} with each '/' written '\/' (a slash occurs only inside strings in JSON). */
  private static byte[] escapeSlashes(byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 16);
    for (byte b : payload) {
      if (b == '/') {
        out.write('\\');
      }
      out.write(b);
    }
    return out.toByteArray();
  }

  /** How many payloads get a different outcome from the two parsers (the tests require none). */
  private static int compare(RawEvent[] payloads, Parser legacy, Parser streaming) {
    int disagreements = 0;
    int valid = 0;
    for (RawEvent raw : payloads) {
      Object expected = legacy.parse(raw);
      Object actual = streaming.parse(raw);
      if (expected instanceof Event) {
        valid++;
      }
      if (!Objects.equals(expected, actual)) {
        if (disagreements++ < 5) {
          System.out.printf(
              "disagreement: %s%n  tree: %s%n  streaming: %s%n", raw, expected, actual);
        }
      }
    }
    System.out.printf(
        "outcomes agree on %,d of %,d payloads (%,d valid, %,d dead letters)%n",
        payloads.length - disagreements, payloads.length, valid, payloads.length - valid);
    return disagreements;
  }

  /**
   * Nanoseconds per record over {@code count} parses, cycling through the payloads: elapsed, and
   * this thread's CPU time.
   */
  private static double[] time(Parser parser, RawEvent[] payloads, long count) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sink = 0;
    int next = 0;
    long startCpu = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    for (long i = 0; i < count; i++) {
      Object outcome = parser.parse(payloads[next]);
      // Consumed, so the work cannot be optimised away.
      sink += outcome instanceof DeadLetter ? 1 : 0;
      if (++next == payloads.length) {
        next = 0;
      }
    }
    long elapsed = System.nanoTime() - start;
    long cpu = threads.getCurrentThreadCpuTime() - startCpu;
    blackhole = sink;
    return new double[] {(double) elapsed / count, (double) cpu / count};
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }
}
