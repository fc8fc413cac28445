package io.github.analytics.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a {@link Section} gets to run with: the sizes, a scratch directory of its own, the number of
 * cores "per core" figures are divided by, and where to print progress.
 *
 * @param settings sizes and choices from the command line
 * @param workDir a scratch directory for this section alone (created; left in place for inspection)
 * @param cores the divisor of "per core" figures: the processors this JVM may use
 * @param out where progress lines go (standard error when run from the command line)
 */
public record BenchContext(BenchSettings settings, Path workDir, int cores, PrintStream out) {
  public BenchContext {
    if (cores < 1) {
      throw new IllegalArgumentException("cores must be at least 1, got " + cores);
    }
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the work directory " + workDir
          + ": pass a writable --work-dir", e);
    }
  }

  /** Prints one progress line, prefixed with the section's name. */
  public void log(String section, String format, Object... args) {
    out.println("[" + section + "] " + String.format(Locale.ROOT, format, args));
    out.flush();
  }
}
