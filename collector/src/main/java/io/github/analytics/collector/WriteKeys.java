package io.github.analytics.collector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The write keys the collector accepts, each naming the {@code source} its events are recorded under
 * (a Kafka header on every record, and the archive's {@code source} column). Keys are secrets: this
 * class never prints them, and errors name a line number, not the key.
 *
 * <p>Format, from a file or the environment variable {@value #ENV}: one {@code key=source} per line (or
 * comma-separated in the variable); blank lines and lines starting with {@code #} are ignored.
 *
 * <p>A source written {@code source:replay} marks a <b>replay key</b>: for imports and replays whose
 * events carry their own arrival time (an archive replayed, the demo's compressed day), the native
 * path keeps each event's {@code server_timestamp} and stamps its Kafka record with it, where other
 * keys get the collector's clock. Give such keys only to trusted importers: the times they send decide
 * the partitions and windows their events land in.
 */
public final class WriteKeys {
  /** The environment variable read when no file is given. */
  public static final String ENV = "ANALYTICS_WRITE_KEYS";

  private static final String REPLAY = ":replay";

  private final Map<String, String> sourceByKey;
  private final java.util.Set<String> replayKeys;

  private WriteKeys(Map<String, String> sourceByKey) {
    Map<String, String> sources = new HashMap<>();
    java.util.Set<String> replay = new java.util.HashSet<>();
    sourceByKey.forEach((key, source) -> {
      if (source.endsWith(REPLAY)) {
        replay.add(key);
        source = source.substring(0, source.length() - REPLAY.length());
      }
      sources.put(key, source);
    });
    this.sourceByKey = Map.copyOf(sources);
    this.replayKeys = java.util.Set.copyOf(replay);
  }

  /** Keys from {@code file}. */
  public static WriteKeys fromFile(Path file) {
    try {
      return parse(Files.readAllLines(file, StandardCharsets.UTF_8), "write-key file " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the write-key file " + file
          + ": give a readable file of key=source lines (--write-keys)", e);
    }
  }

  /** Keys from the value of {@value #ENV} (comma- or newline-separated {@code key=source}). */
  public static WriteKeys fromEnvironmentValue(String value) {
    return parse(List.of(value.split("[,\\n]")), "environment variable " + ENV);
  }

  /** Keys given in code (tests, the demo). */
  public static WriteKeys of(Map<String, String> sourceByKey) {
    sourceByKey.forEach((key, source) -> check(key, source, "the given keys", 0));
    return new WriteKeys(sourceByKey);
  }

  private static WriteKeys parse(List<String> lines, String origin) {
    Map<String, String> keys = new HashMap<>();
    int number = 0;
    for (String raw : lines) {
      number++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("Line " + number + " of the " + origin
            + " is not key=source (the key is not shown)");
      }
      String key = line.substring(0, eq).strip();
      String source = line.substring(eq + 1).strip();
      check(key, source, origin, number);
      if (keys.put(key, source) != null) {
        throw new IllegalArgumentException("Line " + number + " of the " + origin
            + " repeats a write key given before");
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("The " + origin + " names no write key: add key=source lines");
    }
    return new WriteKeys(keys);
  }

  private static void check(String key, String source, String origin, int line) {
    if (key.isEmpty() || source.isEmpty() || !source.matches("[A-Za-z0-9._-]{1,64}(:replay)?")) {
      throw new IllegalArgumentException("Line " + line + " of the " + origin + ": a write key needs a"
          + " non-empty key and a source of 1 to 64 letters, digits, '.', '_' or '-', optionally followed"
          + " by :replay");
    }
  }

  /** The source of {@code key}, if it is a known write key. */
  public Optional<String> source(String key) {
    return key == null ? Optional.empty() : Optional.ofNullable(sourceByKey.get(key));
  }

  /** Whether {@code key} is a replay key: its native events keep their own {@code server_timestamp}. */
  public boolean replays(String key) {
    return key != null && replayKeys.contains(key);
  }

  public int size() {
    return sourceByKey.size();
  }

  @Override
  public String toString() {
    return "WriteKeys{" + sourceByKey.size() + " keys, sources " + new java.util.TreeSet<>(sourceByKey.values()) + "}";
  }
}
