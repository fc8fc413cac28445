package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoints a Flink job retains under a checkpoint root: {@code <root>/<jobId>/chk-N}, complete
 * once it holds {@code _metadata}. For drills that kill a job and restore it from what it left.
 */
final class RetainedCheckpoints {
  private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

  private RetainedCheckpoints() {}

  /** Every {@code chk-N} folder under {@code root} by N, complete or not; empty while there are none. */
  static TreeMap<Integer, Path> all(Path root) {
    TreeMap<Integer, Path> found = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return found;
    }
    try (Stream<Path> jobs = Files.list(root)) {
      for (Path job : jobs.toList()) {
        try (Stream<Path> entries = Files.list(job)) {
          for (Path entry : entries.toList()) {
            Matcher m = CHECKPOINT.matcher(entry.getFileName().toString());
            if (m.matches()) {
              found.put(Integer.parseInt(m.group(1)), entry);
            }
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // Flink deletes subsumed checkpoints while we list; the next poll sees a settled directory.
      return new TreeMap<>();
    }
    return found;
  }

  /** The {@code chk-N} folders that hold {@code _metadata}. */
  static TreeMap<Integer, Path> complete(Path root) {
    TreeMap<Integer, Path> complete = new TreeMap<>(all(root));
    complete.values().removeIf(chk -> !Files.exists(chk.resolve("_metadata")));
    return complete;
  }

  /** The number of the newest checkpoint folder, complete or not; 0 if none. */
  static int newest(Path root) {
    TreeMap<Integer, Path> dirs = all(root);
    return dirs.isEmpty() ? 0 : dirs.lastKey();
  }

  /**
   * The newest checkpoint of a killed job that is surely complete. {@code _metadata} is written in
   * place, so the newest one may be cut short by the kill. A checkpoint is whole if a later one was
   * triggered (one at a time: the next starts after the last finished) or if it is the only one left
   * (Flink deletes the one before only after the new one completed).
   */
  static Path restorePoint(Path root) {
    int surely = surelyComplete(root);
    if (surely == 0) {
      fail("No complete checkpoint under " + root + ": " + all(root));
    }
    return complete(root).get(surely);
  }

  /**
   * The number of the newest checkpoint that is surely complete, by {@link #restorePoint}'s rule (0 if
   * none). A test waits on this rather than on seeing two checkpoint folders at once: when
   * checkpoints are quick, the one before is usually deleted before a poll sees both.
   */
  static int surelyComplete(Path root) {
    TreeMap<Integer, Path> complete = complete(root);
    if (complete.isEmpty()) {
      return 0;
    }
    int newest = complete.lastKey();
    if (complete.size() == 1 || newest(root) > newest) {
      return newest;
    }
    return complete.lowerKey(newest);
  }
}
