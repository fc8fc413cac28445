package io.github.analytics.schemas;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.util.VarInt;

/**
 * The field encodings the hand-written coders share: UTF-8 strings behind a varint length, longs as 8
 * big-endian bytes, and lower-case canonical UUIDs as 16 bytes. Plain loops over the stream, with no
 * per-field wrapper objects, because these coders run once per event on every shuffle.
 */
final class BinaryFields {
  private BinaryFields() {}

  static void writeString(String value, OutputStream out) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    VarInt.encode(bytes.length, out);
    out.write(bytes);
  }

  static String readString(InputStream in) throws IOException {
    int length = VarInt.decodeInt(in);
    return new String(readFully(in, length), StandardCharsets.UTF_8);
  }

  static void writeBytes(byte[] value, OutputStream out) throws IOException {
    VarInt.encode(value.length, out);
    out.write(value);
  }

  static byte[] readBytes(InputStream in) throws IOException {
    return readFully(in, VarInt.decodeInt(in));
  }

  static void writeLong(long value, OutputStream out) throws IOException {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (value >>> shift));
    }
  }

  static long readLong(InputStream in) throws IOException {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("A long was cut short after " + i + " bytes");
      }
      value = (value << 8) | b;
    }
    return value;
  }

  /**
   * Whether {@code id} is a UUID in lower-case canonical form (8-4-4-4-12 hex digits), which {@link
   * #writeUuid} packs into 16 bytes and {@link #readUuid} restores character for character.
   */
  static boolean isCanonicalUuid(String id) {
    if (id.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return false;
        }
      } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** Writes a canonical UUID (see {@link #isCanonicalUuid}) as 16 bytes. */
  static void writeUuid(String id, Frames.Writer frame) {
    byte[] packed = new byte[16];
    int nibble = 0;
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(i);
      if (c == '-') {
        continue;
      }
      int v = c <= '9' ? c - '0' : c - 'a' + 10;
      packed[nibble >> 1] |= (byte) ((nibble & 1) == 0 ? v << 4 : v);
      nibble++;
    }
    frame.raw(packed);
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static String readUuid(Frames.Reader in) throws IOException {
    byte[] packed = in.raw(16);
    char[] chars = new char[36];
    int c = 0;
    for (int i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) {
        chars[c++] = '-';
      }
      chars[c++] = HEX[(packed[i] >> 4) & 0xF];
      chars[c++] = HEX[packed[i] & 0xF];
    }
    return new String(chars);
  }

  static byte[] readFully(InputStream in, int length) throws IOException {
    if (length < 0) {
      throw new IOException("Negative length " + length + ": the encoded value is corrupt");
    }
    byte[] bytes = in.readNBytes(length);
    if (bytes.length != length) {
      throw new EOFException("Expected " + length + " bytes, got " + bytes.length);
    }
    return bytes;
  }
}
