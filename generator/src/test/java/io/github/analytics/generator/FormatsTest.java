package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FormatsTest {
  @Test
  void timestampsMatchJavaTimeWithMilliseconds() {
    SplittableRandom random = new SplittableRandom(1);
    long min = Instant.parse("1970-01-01T00:00:00Z").toEpochMilli();
    long max = Instant.parse("2099-12-31T23:59:59.999Z").toEpochMilli();
    for (int i = 0; i < 100_000; i++) {
      long millis = random.nextLong(min, max + 1);
      String expected = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
          .withZone(java.time.ZoneOffset.UTC)
          .format(Instant.ofEpochMilli(millis));
      assertEquals(expected, Formats.timestamp(millis));
    }
    assertEquals("2024-02-29T23:59:59.999Z", Formats.timestamp(Instant.parse("2024-02-29T23:59:59.999Z").toEpochMilli()));
    assertEquals("2026-11-27T10:00:00.123Z", Formats.timestamp(Instant.parse("2026-11-27T10:00:00.123Z").toEpochMilli()));
  }

  @Test
  void uuidsAreCanonicalVersionFourAndLowerCase() {
    SplittableRandom random = new SplittableRandom(2);
    for (int i = 0; i < 10_000; i++) {
      String text = Formats.uuid(random.nextLong(), random.nextLong());
      UUID uuid = UUID.fromString(text);
      assertEquals(uuid.toString(), text);
      assertEquals(4, uuid.version());
      assertEquals(2, uuid.variant());
    }
  }

  @Test
  void hexHasFixedWidth() {
    assertEquals("000000000000000f", Formats.hexString(15, 16));
    assertEquals("ffffffff", Formats.hexString(-1, 8));
  }
}
