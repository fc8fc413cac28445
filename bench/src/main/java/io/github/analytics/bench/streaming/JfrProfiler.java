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
final class JfrProfiler implements AutoCloseable {
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

  /** What a recording says: its file, the hottest methods by self samples, and by project frame. */
  record Profile(Path file, long samples, List<HotMethod> selfTop, List<HotMethod> byProjectFrame) {}

  /** Reads the execution samples of {@code file}. */
  static Profile summarise(Path file, int top) {
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> project = new HashMap<>();
    long samples = 0;
    try (RecordingFile recordingFile = new RecordingFile(file)) {
      while (recordingFile.hasMoreEvents()) {
        RecordedEvent event = recordingFile.readEvent();
        if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
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
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the JFR recording " + file, e);
    }
    return new Profile(file, samples, top(self, samples, top), top(project, samples, top));
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
