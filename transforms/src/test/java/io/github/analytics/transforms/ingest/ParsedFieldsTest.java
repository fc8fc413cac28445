package io.github.analytics.transforms.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link ParsedFields#uuidForm}, on chars and on bytes, against the regular expression it replaced.
 */
class ParsedFieldsTest {
  private static final Pattern UUID_PATTERN =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

  private static int expected(String id) {
    if (!UUID_PATTERN.matcher(id).matches()) {
      return ParsedFields.NOT_UUID;
    }
    return id.toLowerCase(Locale.ROOT).equals(id)
        ? ParsedFields.UUID_IN_LOWER_CASE
        : ParsedFields.UUID_WITH_UPPER_CASE;
  }

  private static void check(String id) {
    char[] chars = ("##" + id + "#").toCharArray();
    assertEquals(expected(id), ParsedFields.uuidForm(chars, 2, id.length()), id);
    byte[] bytes = ("##" + id + "#").getBytes(StandardCharsets.UTF_8);
    if (bytes.length == chars.length) { // ASCII: the byte version's input
      assertEquals(expected(id), ParsedFields.uuidForm(bytes, 2, id.length()), id);
    }
  }

  @Test
  void agreesWithTheRegularExpression() {
    String id = "3f1c6a52-8a4e-4d55-9d2a-0b5f0f0c9e11";
    check(id);
    check(id.toUpperCase(Locale.ROOT));
    check("ABCDEFAB-CDEF-ABCD-EFAB-CDEFABCDEFAB");
    check("");
    check(id + "\n");
    check(id.replace('-', '_'));
    String alphabet = "0123456789abcdefABCDEFgGzZ-_ ./:\u00e9\u0660\uff10";
    SplittableRandom random = new SplittableRandom(3L);
    for (int n = 0; n < 200_000; n++) {
      StringBuilder s = new StringBuilder(id);
      int changes = random.nextInt(3);
      for (int c = 0; c < changes; c++) {
        s.setCharAt(random.nextInt(36), alphabet.charAt(random.nextInt(alphabet.length())));
      }
      if (random.nextInt(20) == 0) {
        s.setLength(random.nextInt(40));
      }
      check(s.toString());
    }
  }
}
