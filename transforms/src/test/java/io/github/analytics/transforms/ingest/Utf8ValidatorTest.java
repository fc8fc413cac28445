package io.github.analytics.transforms.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Utf8Validator} against the JDK decoder it replaces: the same verdict and the same
 * malformed length (it is in the dead-letter message) for every input tried.
 */
class Utf8ValidatorTest {
  /** Bytes at the edges of the UTF-8 ranges the decoder distinguishes. */
  private static final int[] EDGE_BYTES = {
    0x00, 0x22, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1,
    0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xfb, 0xfc, 0xfe, 0xff
  };

  /** The JDK's answer: 0 when valid, else the malformed input length it reports. */
  static int jdk(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return 0;
    } catch (MalformedInputException e) {
      return e.getInputLength();
    } catch (CharacterCodingException e) {
      throw new AssertionError(
          "the UTF-8 decoder reported something other than malformed input", e);
    }
  }

  private static void check(byte[] bytes) {
    assertEquals(
        jdk(bytes),
        Utf8Validator.firstMalformedLength(bytes),
        () -> HexFormat.ofDelimiter(" ").formatHex(bytes));
  }

  @Test
  void everyArrayOfUpToTwoBytes() {
    check(new byte[0]);
    for (int a = 0; a < 256; a++) {
      check(new byte[] {(byte) a});
      for (int b = 0; b < 256; b++) {
        check(new byte[] {(byte) a, (byte) b});
      }
    }
  }

  @Test
  void everyThreeByteArrayOfEdgeBytesAndFourByteOnesAfterALeadByte() {
    for (int a : EDGE_BYTES) {
      for (int b : EDGE_BYTES) {
        for (int c : EDGE_BYTES) {
          check(new byte[] {(byte) a, (byte) b, (byte) c});
        }
      }
    }
    // Four bytes: every lead byte of a multi-byte form (or not), then the bytes that decide.
    int[] leads = {
      0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8
    };
    int[] next = {
      0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0xff
    };
    for (int a : leads) {
      for (int b : next) {
        for (int c : next) {
          for (int d : next) {
            check(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
          }
        }
      }
    }
  }

  @Test
  void namedCases() {
    String[] cases = {
      "7b 22 61 22 3a 22 c3 a9 22 7d", // {"a":"é"}
      "c3 28", // the generator's INVALID_UTF8 marker
      "c0 af", // overlong '/'
      "e0 80 af", // overlong '/', 3 bytes
      "f0 80 80 af", // overlong '/', 4 bytes
      "ed a0 80", // U+D800 encoded (CESU-8)
      "ed b0 80",
      "ed a0 bd ed b8 80", // a surrogate pair encoded as two 3-byte sequences (CESU-8)
      "ed 9f bf", // U+D7FF: valid
      "ee 80 80", // U+E000: valid
      "ef bf bf", // U+FFFF: valid
      "ef bb bf 7b 7d", // a byte-order mark: valid UTF-8
      "f0 9f 98 80", // U+1F600: valid
      "f4 8f bf bf", // U+10FFFF: valid
      "f4 90 80 80", // above U+10FFFF
      "f5 80 80 80",
      "e2 82", // truncated at the end
      "41 42 43 44 45 46 47 e2 82",
      "f0 9f 98",
      "f0 9f",
      "e2 82 41",
      "f0 9f 41 41",
      "f0 9f 98 41",
      "80",
      "bf 41",
      "fe ff 00 7b",
      "41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 c3"
    };
    for (String hex : cases) {
      check(HexFormat.ofDelimiter(" ").parseHex(hex));
    }
  }

  @Test
  void randomArraysAroundTheAsciiFastPath() {
    SplittableRandom random = new SplittableRandom(20261127L);
    for (int n = 0; n < 100_000; n++) {
      // Mostly ASCII, as payloads are, with edge bytes at random places and lengths that move them
      // across the 8-byte words of the fast path.
      byte[] bytes = new byte[random.nextInt(40)];
      int edgeOdds = 1 + random.nextInt(12);
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] =
            random.nextInt(edgeOdds) == 0
                ? (byte) EDGE_BYTES[random.nextInt(EDGE_BYTES.length)]
                : (byte) (0x20 + random.nextInt(0x5f));
      }
      check(bytes);
    }
  }

  @Test
  void validTextWithOneByteChanged() {
    SplittableRandom random = new SplittableRandom(7L);
    for (int n = 0; n < 50_000; n++) {
      StringBuilder text = new StringBuilder();
      int codePoints = random.nextInt(20);
      for (int i = 0; i < codePoints; i++) {
        switch (random.nextInt(5)) {
          case 0:
            text.appendCodePoint(random.nextInt(0x80, 0x800));
            break;
          case 1:
            int bmp = random.nextInt(0x800, 0x10000);
            text.appendCodePoint(Character.isSurrogate((char) bmp) ? 'x' : bmp);
            break;
          case 2:
            text.appendCodePoint(random.nextInt(0x10000, 0x110000));
            break;
          default:
            text.append((char) random.nextInt(0x20, 0x7f));
        }
      }
      byte[] valid = text.toString().getBytes(StandardCharsets.UTF_8);
      check(valid);
      if (valid.length == 0) {
        continue;
      }
      byte[] changed = Arrays.copyOf(valid, valid.length);
      int at = random.nextInt(changed.length);
      changed[at] =
          random.nextBoolean()
              ? (byte) EDGE_BYTES[random.nextInt(EDGE_BYTES.length)]
              : (byte) random.nextInt(256);
      check(changed);
      check(Arrays.copyOf(valid, random.nextInt(valid.length))); // truncated
    }
  }
}
