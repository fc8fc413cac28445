package io.github.analytics.schemas;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.VarInt;

/**
 * A record's fields gathered in a byte array and written to the stream in one call, behind its
 * length, and read back the same way: the runners hand coders streams whose per-byte calls cost
 * (Flink's {@code DataOutputViewWrapper} turns each {@code write(int)} into a call through its
 * memory-segment views), so a coder that writes field by field pays that per byte.
 */
final class Frames {
  private Frames() {}

  private static final ThreadLocal<Writer> WRITERS = ThreadLocal.withInitial(Writer::new);

  /** This thread's writer, emptied. Not reentrant: finish one frame before starting another. */
  static Writer writer() {
    Writer writer = WRITERS.get();
    writer.length = 0;
    return writer;
  }

  /** Reads one frame written by {@link Writer#writeTo}. */
  static Reader read(InputStream in) throws IOException {
    int length = VarInt.decodeInt(in);
    return new Reader(BinaryFields.readFully(in, length));
  }

  /** A growable buffer with the field encodings of {@link BinaryFields}. */
  static final class Writer {
    private byte[] bytes = new byte[512];
    private int length;

    private void ensure(int more) {
      if (length + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
      }
    }

    void varint(int value) {
      ensure(5);
      int v = value;
      while ((v & ~0x7F) != 0) {
        bytes[length++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      bytes[length++] = (byte) v;
    }

    void longValue(long value) {
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes[length++] = (byte) (value >>> shift);
      }
    }

    /**
     * A string as varint length and UTF-8. ({@code getBytes} is the fast way: the JDK checks a Latin-1
     * string for non-ASCII bytes with a vectorised intrinsic and copies it; a loop over {@code charAt}
     * measured slower than the copy it saves.)
     */
    void string(String value) {
      bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    void bytes(byte[] value) {
      varint(value.length);
      raw(value);
    }

    void raw(byte[] value) {
      ensure(value.length);
      System.arraycopy(value, 0, bytes, length, value.length);
      length += value.length;
    }

    /** The frame: its length as a varint, then its bytes, in two writes. */
    void writeTo(OutputStream out) throws IOException {
      VarInt.encode(length, out);
      out.write(bytes, 0, length);
    }
  }

  /** Reads fields from one frame's bytes. */
  static final class Reader {
    private final byte[] bytes;
    private int position;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    private void need(int n) throws IOException {
      if (n < 0 || position + n > bytes.length) {
        throw new EOFException(
            "The frame ends at byte " + bytes.length + ", a field wanted " + n + " more from " + position);
      }
    }

    int varint() throws IOException {
      int result = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        need(1);
        int b = bytes[position++] & 0xFF;
        result |= (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
      }
      throw new CoderException("A varint longer than 5 bytes: the encoded value is corrupt");
    }

    long longValue() throws IOException {
      need(8);
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = (value << 8) | (bytes[position++] & 0xFF);
      }
      return value;
    }

    String string() throws IOException {
      int n = varint();
      need(n);
      String value = new String(bytes, position, n, StandardCharsets.UTF_8);
      position += n;
      return value;
    }

    byte[] raw(int n) throws IOException {
      need(n);
      byte[] value = Arrays.copyOfRange(bytes, position, position + n);
      position += n;
      return value;
    }

    /** Fails unless every byte of the frame was read. */
    void end() throws IOException {
      if (position != bytes.length) {
        throw new CoderException(
            (bytes.length - position) + " bytes left at the end of a frame: the encoded value is corrupt");
      }
    }
  }
}
