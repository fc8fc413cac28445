package io.github.analytics.bench.streaming;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording of this JVM, which on Flink {@code [local]} is the pipeline's JVM (the mini cluster
 * runs in-process), with the {@code profile} settings (execution samples every 10 ms per thread), and
 * a summary of where the CPU went: the methods most often on top of the stack ("self" time), and the
 * same grouped by the first frame of the project's own code or of Beam/Flink, which says which step
 * the time belongs to.
 */
public final class JfrProfiler implements AutoCloseable {
  private final Recording recording;
  private final Path file;

  private JfrProfiler(Recording recording, Path file) {
    this.recording = recording;
    this.file = file;
  }

  /** Starts recording; {@link #stop} writes {@code file}. */
  static JfrProfiler start(Path file) {
    try {
      Recording recording = new Recording(Configuration.getConfiguration("profile"));
      recording.setName("bench");
      recording.start();
      return new JfrProfiler(recording, file);
    } catch (IOException | ParseException e) {
      throw new IllegalStateException("Cannot start a JFR recording (is this a JDK with JFR?): run without"
          + " --profile=true", e);
    }
  }

  /** Stops, writes the recording and returns its summary. */
  Profile stop(int top) {
    try {
      recording.stop();
      recording.dump(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the JFR recording to " + file, e);
    } finally {
      recording.close();
    }
    return summarise(file, top);
  }

  @Override
  public void close() {
    recording.close();
  }

  /**
   * Summarises a recording made elsewhere, e.g. a whole bench run under {@code
   * BENCH_JAVA_OPTS="-Xmx8g -XX:StartFlightRecording=settings=profile,filename=run.jfr"}: {@code
   * JfrProfiler run.jfr [top]}.
   */
  public static void main(String[] args) {
    if (args.length < 1 || args[0].startsWith("-")) {
      System.err.println("usage: JfrProfiler RECORDING.jfr [TOP=20]: who used the CPU, the hottest methods,"
          + " and the samples by innermost project frame");
      System.exit(2);
    }
    Profile profile = summarise(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 20);
    System.out.printf("%s: %,d execution samples%n", profile.file(), profile.samples());
    profile.breakdown().forEach(line -> System.out.println("  " + line));
    System.out.println("  top methods (self samples)");
    profile.selfTop().forEach(m -> System.out.println("    " + m));
    System.out.println("  by innermost project frame");
    profile.byProjectFrame().forEach(m -> System.out.println("    " + m));
  }

  /**
   * What a recording says: its file, the hottest methods by self samples, and by project frame; and
   * {@code breakdown}, lines on who used the CPU (this JVM against the machine, the JIT compiler
   * threads, and the Java samples by the owner of their innermost non-JDK frame).
   */
  record Profile(Path file, long samples, List<HotMethod> selfTop, List<HotMethod> byProjectFrame,
      List<String> breakdown) {}

  /**
   * Libraries named in the owner breakdown, by package prefix; frames of other packages (the JDK's
   * own included) count for the nearest caller that has an owner.
   */
  private static final List<Map.Entry<String, String>> OWNERS = List.of(
      Map.entry("io.github.analytics.", "project code"),
      Map.entry("org.apache.beam.", "Beam"),
      Map.entry("org.apache.flink.", "Flink"),
      Map.entry("org.apache.kafka.", "Kafka client"),
      Map.entry("com.google.zetasketch.", "ZetaSketch (HLL)"),
      Map.entry("com.fasterxml.jackson.", "Jackson"),
      Map.entry("nl.basjes.", "YAUAA (user agents)"),
      Map.entry("com.maxmind.", "MaxMind (geo)"),
      Map.entry("redis.clients.", "Jedis"),
      Map.entry("org.apache.parquet.", "Parquet"),
      Map.entry("org.apache.avro.", "Avro"),
      Map.entry("org.apache.spark.", "Spark"));

  /** Reads the execution samples of {@code file}. */
  static Profile summarise(Path file, int top) {
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> project = new HashMap<>();
    Map<String, Long> owners = new HashMap<>();
    long samples = 0;
    double jvm = 0;
    double machine = 0;
    long cpuLoads = 0;
    double compiler = 0;
    java.util.TreeSet<Long> threadLoadTimes = new java.util.TreeSet<>();
    try (RecordingFile recordingFile = new RecordingFile(file)) {
      while (recordingFile.hasMoreEvents()) {
        RecordedEvent event = recordingFile.readEvent();
        String type = event.getEventType().getName();
        if (type.equals("jdk.CPULoad")) {
          jvm += event.getFloat("jvmUser") + event.getFloat("jvmSystem");
          machine += event.getFloat("machineTotal");
          cpuLoads++;
          continue;
        }
        if (type.equals("jdk.ThreadCPULoad") && event.getThread() != null) {
          String thread = String.valueOf(event.getThread().getJavaName());
          threadLoadTimes.add(event.getStartTime().toEpochMilli());
          if (thread.contains("CompilerThread")) {
            compiler += event.getFloat("user") + event.getFloat("system");
          }
          continue;
        }
        if (!type.equals("jdk.ExecutionSample")) {
          continue;
        }
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        samples++;
        List<RecordedFrame> frames = stack.getFrames();
        self.merge(name(frames.get(0).getMethod()), 1L, Long::sum);
        String owner = "(no project, Beam or Flink frame)";
        for (RecordedFrame frame : frames) {
          String name = name(frame.getMethod());
          if (name.startsWith("io.github.analytics.")) {
            owner = name;
            break;
          }
        }
        project.merge(owner, 1L, Long::sum);
        owners.merge(owner(frames), 1L, Long::sum);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the JFR recording " + file, e);
    }
    List<String> breakdown = new ArrayList<>();
    if (cpuLoads > 0) {
      // jdk.ThreadCPULoad comes once a period (10 s) for every live thread, all at about one instant.
      long periods = 0;
      long last = Long.MIN_VALUE;
      for (long time : threadLoadTimes) {
        if (time - last > 2_000) {
          periods++;
        }
        last = time;
      }
      breakdown.add(String.format("CPU over the recording (JFR): this JVM %.1f%% of the machine, other processes"
          + " (broker, Redis, producers) %.1f%%%s", 100 * jvm / cpuLoads, 100 * Math.max(0, machine - jvm) / cpuLoads,
          periods == 0 ? "" : String.format("; the JIT compiler threads %.1f%% of the machine", 100 * compiler / periods)));
    }
    if (samples > 0) {
      long total = samples;
      long projectSamples = owners.getOrDefault("project code", 0L);
      breakdown.add("Java samples by the owner of their innermost non-JDK frame: " + owners.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
          .map(e -> String.format("%s %.1f%%", e.getKey(), 100.0 * e.getValue() / total))
          .collect(java.util.stream.Collectors.joining(", "))
          + String.format("; with the project's own code free, the Java work would shrink by at most %.1f%%",
              100.0 * projectSamples / total));
    }
    return new Profile(file, samples, top(self, samples, top), top(project, samples, top), List.copyOf(breakdown));
  }

  /** Who a sample's time belongs to: the owner of its innermost frame that has one (see {@link #OWNERS}). */
  static String owner(List<RecordedFrame> frames) {
    for (RecordedFrame frame : frames) {
      String type = frame.getMethod().getType().getName();
      for (Map.Entry<String, String> owner : OWNERS) {
        if (type.startsWith(owner.getKey())) {
          return owner.getValue();
        }
      }
    }
    return "JDK only";
  }

  private static String name(RecordedMethod method) {
    return method.getType().getName() + "." + method.getName();
  }

  private static List<HotMethod> top(Map<String, Long> counts, long total, int n) {
    List<HotMethod> out = new ArrayList<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
        .limit(n)
        .forEach(e -> out.add(new HotMethod(e.getKey(), e.getValue(), total == 0 ? 0 : e.getValue() / (double) total)));
    return out;
  }
}
