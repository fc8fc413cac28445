package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LivePacerTest {
  private static final Instant SIMULATED = Instant.parse("2026-11-27T13:30:00Z");
  private static final Instant WALL = Instant.parse("2030-01-01T00:00:00Z");

  /** A wall clock that moves only when told to: by the pacer's sleeps, or by the test. */
  private static final class FakeTime {
    Instant now = WALL;
    final List<Long> sleeps = new ArrayList<>();

    LivePacer pacer(double speedup) {
      return LivePacer.of(SIMULATED, WALL, speedup, () -> now, nanos -> {
        sleeps.add(nanos);
        now = now.plusNanos(nanos);
      });
    }
  }

  private static long at(String simulated) {
    return Instant.parse(simulated).toEpochMilli();
  }

  @Test
  void releasesEachRecordWhenItsTimeComesAtTheSpeedup() {
    FakeTime time = new FakeTime();
    LivePacer pacer = time.pacer(60);
    pacer.acquire(at("2026-11-27T13:30:00Z")); // due at once
    pacer.acquire(at("2026-11-27T13:31:00Z")); // a simulated minute: 1 s
    pacer.acquire(at("2026-11-27T13:31:30Z")); // 30 s more: 0.5 s
    pacer.acquire(at("2026-11-27T13:31:30Z")); // same instant: no wait
    pacer.acquire(at("2026-11-27T13:32:30.500Z")); // 60.5 s more: 1.008333... s, rounded up
    assertEquals(List.of(1_000_000_000L, 500_000_000L, 1_008_333_334L), time.sleeps);
    // 150.5 simulated seconds / 60 = 2.508333... s after the wall-clock start
    assertEquals(Instant.parse("2030-01-01T00:00:02.508333334Z"), time.now);
  }

  @Test
  void atSpeedOneARecordGoesOutAtItsOwnTimestamp() {
    LivePacer pacer = LivePacer.of(SIMULATED, SIMULATED, 1);
    assertEquals(
        Instant.parse("2026-11-27T14:07:12.345Z"), pacer.dueAt(at("2026-11-27T14:07:12.345Z")));
    assertEquals(
        Instant.parse("2026-11-27T13:29:59.999Z"), pacer.dueAt(at("2026-11-27T13:29:59.999Z")));
  }

  @Test
  void aProducerThatFallsBehindDoesNotSleepAndIsNotRebased() {
    FakeTime time = new FakeTime();
    LivePacer pacer = time.pacer(2);
    pacer.acquire(at("2026-11-27T13:30:00Z"));
    time.now = WALL.plusSeconds(10); // ten seconds of work: twenty simulated seconds behind
    pacer.acquire(at("2026-11-27T13:30:04Z")); // was due at +2 s
    pacer.acquire(at("2026-11-27T13:30:20Z")); // due at +10 s: exactly now
    assertEquals(List.of(), time.sleeps);
    // Still anchored to the start: due at +11 s, not 1 s after the late record.
    pacer.acquire(at("2026-11-27T13:30:22Z"));
    assertEquals(List.of(1_000_000_000L), time.sleeps);
    assertEquals(WALL.plusSeconds(11), time.now);
  }

  @Test
  void aSleeperThatWakesEarlyIsCalledAgainUntilTheRecordIsDue() {
    List<Long> sleeps = new ArrayList<>();
    Instant[] now = {WALL};
    LivePacer pacer = LivePacer.of(SIMULATED, WALL, 1, () -> now[0], nanos -> {
      sleeps.add(nanos);
      now[0] = now[0].plusNanos(nanos / 2 + 1); // a spurious early wake-up every time
    });
    pacer.acquire(at("2026-11-27T13:30:00.004Z")); // due 4 ms = 4,000,000 ns after the start
    long slept = 0;
    for (long s : sleeps) {
      slept += s / 2 + 1;
    }
    assertTrue(sleeps.size() > 1, "" + sleeps);
    assertEquals(4_000_000L, sleeps.get(0));
    assertTrue(!now[0].isBefore(WALL.plusMillis(4)), now[0].toString());
    assertEquals(now[0], WALL.plusNanos(slept));
  }

  @Test
  void aSpeedupBelowOneIsRejected() {
    for (double speedup : new double[] {0.5, 0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> LivePacer.of(SIMULATED, WALL, speedup));
      assertTrue(e.getMessage().contains("use 1 (real time) or more"), e.getMessage());
    }
  }
}
