package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.time.LocalTime;
import org.junit.jupiter.api.Test;

class GeneratorConfigTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 27);

  @Test
  void defaultsAreTheDocumentedOnes() {
    GeneratorConfig config = GeneratorConfig.forDay(DAY);
    assertEquals(DAY, config.day());
    assertEquals(42L, config.seed());
    assertEquals(200_000L, config.events());
    assertEquals(10_000, config.users());
    assertEquals(0.01, config.malformedShare());
    assertEquals(0.02, config.duplicateShare());
    assertEquals(0.01, config.lateShare());
    assertEquals(0.35, config.touchpointShare());
    assertNull(config.anomalyAt());
    assertSame(config, config.validate());
  }

  @Test
  void withReturnsAChangedCopyAndLeavesTheOriginal() {
    GeneratorConfig original = GeneratorConfig.forDay(DAY);
    GeneratorConfig changed =
        original
            .withSeed(7)
            .withEvents(1_000)
            .withUsers(100)
            .withMalformedShare(0.05)
            .withDuplicateShare(0.1)
            .withLateShare(0.2)
            .withTouchpointShare(0.8)
            .withAnomalyAt(LocalTime.of(14, 0))
            .withDay(DAY.plusDays(1));
    assertEquals(42L, original.seed());
    assertNull(original.anomalyAt());
    assertEquals(7L, changed.seed());
    assertEquals(1_000L, changed.events());
    assertEquals(100, changed.users());
    assertEquals(0.05, changed.malformedShare());
    assertEquals(0.1, changed.duplicateShare());
    assertEquals(0.2, changed.lateShare());
    assertEquals(0.8, changed.touchpointShare());
    assertEquals(0.8, changed.withTimeCompression(10).withoutWindow().withDay(DAY).touchpointShare());
    assertEquals(LocalTime.of(14, 0), changed.anomalyAt());
    assertEquals(DAY.plusDays(1), changed.day());
    assertNotEquals(original, changed);
    assertEquals(changed, changed.withSeed(7));
    assertEquals(changed.hashCode(), changed.withSeed(7).hashCode());
    assertNotEquals(changed, changed.withTouchpointShare(0));
    assertEquals(changed, changed.withTouchpointShare(0).withTouchpointShare(0.8));
    assertTrue(original.toString().contains(", touchpointShare=0.35,"), original.toString());
    assertTrue(changed.withTouchpointShare(0).toString().contains(", touchpointShare=0.0,"));
  }

  @Test
  void validationSaysWhatToChange() {
    GeneratorConfig config = GeneratorConfig.forDay(DAY);
    assertMessage(config.withEvents(0), "set it to at least 1");
    assertMessage(config.withUsers(0), "users is 0");
    assertMessage(config.withEvents(1_000_000).withUsers(10), "raise users to at least 20000");
    assertMessage(config.withMalformedShare(1.5), "malformedShare is 1.5");
    assertMessage(config.withDuplicateShare(-0.1), "duplicateShare");
    assertMessage(config.withLateShare(Double.NaN), "lateShare");
    assertMessage(config.withTouchpointShare(1.5), "touchpointShare is 1.5");
    assertMessage(config.withTouchpointShare(-0.1), "touchpointShare");
    assertMessage(config.withTouchpointShare(Double.NaN), "touchpointShare");
    config.withTouchpointShare(0).validate();
    config.withTouchpointShare(1).validate();
    assertMessage(config.withAnomalyAt(LocalTime.of(23, 55)), "no later than 23:50");
    assertMessage(GeneratorConfig.forDay(LocalDate.of(2099, 1, 1)), "2000-2097");
    config.withAnomalyAt(LocalTime.of(23, 50)).validate();
  }

  private static void assertMessage(GeneratorConfig config, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, config::validate);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
