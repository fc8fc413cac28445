package io.github.analytics.generator;

import io.github.analytics.schemas.RawEvent;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes payloads one per line: the payload bytes unchanged, then {@code '\n'}. The bytes are not
 * re-encoded, so malformed records (even invalid UTF-8) survive byte for byte; generated payloads never
 * contain a raw newline.
 *
 * <pre>{@code
 * try (JsonLinesWriter out = JsonLinesWriter.to(Path.of("data/events-2026-11-27.jsonl"))) {
 *   generator.generate(record -> out.write(record.raw()));
 * }
 * }</pre>
 *
 * <p>Not thread-safe. Write failures surface as {@link UncheckedIOException} so the writer fits in a
 * {@code Consumer}.
 */
public final class JsonLinesWriter implements Closeable {
  private final OutputStream out;
  private long records;

  private JsonLinesWriter(OutputStream out) {
    this.out = out;
  }

  /** Creates (or truncates) {@code file}, creating its parent directories. */
  public static JsonLinesWriter to(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return new JsonLinesWriter(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20));
  }

  /** Writes to {@code out}; {@link #close()} closes it. */
  public static JsonLinesWriter to(OutputStream out) {
    return new JsonLinesWriter(new BufferedOutputStream(Objects.requireNonNull(out, "out"), 1 << 16));
  }

  /** Writes the payload of {@code event} and a newline. */
  public void write(RawEvent event) {
    write(event.getPayload());
  }

  /** Writes {@code payload} and a newline. */
  public void write(byte[] payload) {
    try {
      out.write(payload);
      out.write('\n');
      records++;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write a JSON line: is the disk full?", e);
    }
  }

  /** Lines written so far. */
  public long records() {
    return records;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
