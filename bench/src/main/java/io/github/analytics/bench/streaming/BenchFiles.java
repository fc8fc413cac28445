package io.github.analytics.bench.streaming;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Working directories of the streaming sections. */
final class BenchFiles {
  private BenchFiles() {}

  /** {@code dir} created, or a fresh temporary directory named after {@code section} if null. */
  static Path workDir(Path dir, String section) {
    try {
      return dir == null ? Files.createTempDirectory("bench-" + section) : Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a working directory for " + section + " at " + dir, e);
    }
  }

  /** Deletes {@code dir} and everything under it (the broker's logs of millions of records). */
  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("[bench] could not delete " + dir + " (" + e + "); delete it by hand");
    }
  }

  /** Flink, Kafka and Beam log thousands of INFO lines; keep warnings unless the caller chose a level. */
  static void quietLogs() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
  }

  static void progress(String message) {
    System.err.printf("[bench %tT] %s%n", System.currentTimeMillis(), message);
  }
}
