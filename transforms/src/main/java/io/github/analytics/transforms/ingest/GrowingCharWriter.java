package io.github.analytics.transforms.ingest;

import java.io.Writer;
import java.util.Arrays;

/**
 * A Writer into one growing char array that is emptied and written again rather than reallocated:
 * {@link CompactJsonCopier} writes every record's {@code properties} through it, and reads the
 * chars back directly to count their UTF-8 bytes before making a String. Not thread-safe.
 */
final class GrowingCharWriter extends Writer {
  /** The chars written since the last {@link #reset}, in {@code [0, length)}. */
  char[] chars = new char[256];

  int length;

  /** Empties the writer, keeping its array. */
  void reset() {
    length = 0;
  }

  private void ensure(int extra) {
    int needed = length + extra;
    if (needed > chars.length) {
      chars = Arrays.copyOf(chars, Math.max(needed, chars.length * 2));
    }
  }

  @Override
  public void write(char[] source, int offset, int count) {
    ensure(count);
    System.arraycopy(source, offset, chars, length, count);
    length += count;
  }

  @Override
  public void write(int c) {
    ensure(1);
    chars[length++] = (char) c;
  }

  @Override
  public void write(String source, int offset, int count) {
    ensure(count);
    source.getChars(offset, offset + count, chars, length);
    length += count;
  }

  /** Writes the ASCII bytes {@code b[from, to)} as chars. */
  void writeAscii(byte[] b, int from, int to) {
    ensure(to - from);
    char[] target = chars;
    int at = length;
    for (int k = from; k < to; k++) {
      target[at++] = (char) b[k];
    }
    length = at;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
