package io.github.analytics.transforms.ingest;

import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.RawEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The hostile corpus, {@code testdata/hostile/corpus.csv}: raw records as a collector would publish
 * them, each with the outcome worked out by hand from the README's parsing rules (see the README in
 * that directory).
 */
final class HostileCorpus {
  static final Path CSV = Path.of("..", "testdata", "hostile", "corpus.csv");

  /** Every record arrives at this time, the reference of the timestamp rules. */
  static final Instant RECEIVED = Instant.parse("2026-11-27T10:00:02.000Z");

  static final Set<String> CATEGORIES =
      Set.of("encodings", "sizes", "nesting", "numbers", "timestamps", "identifiers", "injection");

  /**
   * One record of the corpus.
   *
   * @param reason the dead-letter reason, or null when the record is a valid event
   */
  record Entry(
      String id, String category, byte[] payload, @Nullable DeadLetterReason reason, String why) {
    boolean valid() {
      return reason == null;
    }

    /** The record as the pipeline reads it; its source names it, so a dead letter leads back here. */
    RawEvent raw() {
      return RawEvent.of(payload, RECEIVED, source());
    }

    String source() {
      return "hostile:" + id;
    }

    @Override
    public String toString() {
      return id + " (" + why + ")";
    }
  }

  private HostileCorpus() {}

  /**
   * The records, in file order. Columns: {@code id,category,payload_base64,outcome,reason,why}, the
   * last one the rest of the line (it may hold commas).
   */
  static List<Entry> load() throws IOException {
    List<String> lines = Files.readAllLines(CSV, StandardCharsets.UTF_8);
    if (!lines.get(0).equals("id,category,payload_base64,outcome,reason,why")) {
      throw new IllegalStateException(CSV + ": unexpected header " + lines.get(0));
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",", 6);
      if (cells.length != 6) {
        throw new IllegalStateException(CSV + " line " + (i + 1) + ": expected 6 columns");
      }
      DeadLetterReason reason;
      switch (cells[3]) {
        case "VALID":
          if (!cells[4].isEmpty()) {
            throw new IllegalStateException(CSV + " line " + (i + 1) + ": a VALID record has no reason");
          }
          reason = null;
          break;
        case "DEAD_LETTER":
          reason = DeadLetterReason.valueOf(cells[4]);
          break;
        default:
          throw new IllegalStateException(
              CSV + " line " + (i + 1) + ": outcome must be VALID or DEAD_LETTER, got " + cells[3]);
      }
      entries.add(
          new Entry(cells[0], cells[1], Base64.getDecoder().decode(cells[2]), reason, cells[5]));
    }
    return entries;
  }
}
