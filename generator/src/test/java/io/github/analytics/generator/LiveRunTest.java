package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveRunTest {
  private final GeneratorConfig config =
      GeneratorConfig.forDay(LocalDate.of(2026, 11, 27)).withSeed(3).withEvents(10_000).withUsers(1_000);

  @Test
  void mapsTheStartOfTheWindowToNowAndKeepsOnlyTheWindow() {
    LiveRun live =
        LiveRun.start(
            config, LocalTime.of(13, 30), Duration.ofMinutes(45), 60,
            Instant.parse("2026-11-28T21:18:50.789Z"));

    // 2026-11-27 13:30 -> 2026-11-28 21:18:50: one day, 7 h 48 min 50 s.
    assertEquals(Instant.parse("2026-11-28T21:18:50Z"), live.start());
    assertEquals(Duration.parse("PT31H48M50S"), live.timeShift());
    assertEquals(Instant.parse("2026-11-28T22:03:50Z"), live.end());
    // 45 simulated minutes at 60x: 45 s of wall clock.
    assertEquals(Instant.parse("2026-11-28T21:19:35Z"), live.wallEnd());
    assertEquals(Instant.parse("2026-11-28T21:19:35Z"), live.pacer().dueAt(live.end().toEpochMilli()));

    long shift = 31 * 3_600_000L + 48 * 60_000L + 50_000L;
    long from = Instant.parse("2026-11-27T13:30:00Z").toEpochMilli();
    long to = Instant.parse("2026-11-27T14:15:00Z").toEpochMilli();
    List<GeneratedRecord> expected = new ArrayList<>();
    for (GeneratedRecord record : EventGenerator.of(config)) {
      if (record.receivedAtMillis() >= from && record.receivedAtMillis() < to) {
        expected.add(record);
      }
    }
    List<GeneratedRecord> actual = new ArrayList<>();
    live.records().forEachRemaining(actual::add);
    assertTrue(expected.size() > 100, "" + expected.size());
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).receivedAtMillis() + shift, actual.get(i).receivedAtMillis());
      assertTrue(actual.get(i).receivedAtMillis() >= live.start().toEpochMilli());
      assertTrue(actual.get(i).receivedAtMillis() < live.end().toEpochMilli());
    }

    // The same inputs, the same bytes.
    LiveRun again =
        LiveRun.start(
            config, LocalTime.of(13, 30), Duration.ofMinutes(45), 60,
            Instant.parse("2026-11-28T21:18:50.001Z"));
    List<GeneratedRecord> replay = new ArrayList<>();
    again.generator().forEach(replay::add);
    assertEquals(actual.size(), replay.size());
    for (int i = 0; i < actual.size(); i++) {
      assertArrayEquals(actual.get(i).payload(), replay.get(i).payload());
    }
  }

  @Test
  void rejectsASpeedupBelowOneAndABadWindow() {
    Instant now = Instant.parse("2026-11-28T21:18:50Z");
    IllegalArgumentException slow =
        assertThrows(
            IllegalArgumentException.class,
            () -> LiveRun.start(config, LocalTime.of(13, 30), Duration.ofHours(1), 0.5, now));
    assertTrue(slow.getMessage().contains("use 1 (real time) or more"), slow.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> LiveRun.start(config, LocalTime.of(13, 30), Duration.ZERO, 1, now));
  }
}
