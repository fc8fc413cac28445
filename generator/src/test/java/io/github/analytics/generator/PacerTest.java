package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacerTest {
  /** A clock that only moves when the pacer sleeps: the waits are exactly what it asked for. */
  private static final class FakeTime {
    long now = 1_000;
    final List<Long> sleeps = new ArrayList<>();
  }

  @Test
  void spacesRecordsAtTheRate() {
    FakeTime time = new FakeTime();
    Pacer pacer = Pacer.of(4, () -> time.now, nanos -> {
      time.sleeps.add(nanos);
      time.now += nanos;
    });
    for (int i = 0; i < 5; i++) {
      pacer.acquire();
    }
    // 4 records/s: the first goes at once, each next one 250 ms later.
    assertEquals(List.of(250_000_000L, 250_000_000L, 250_000_000L, 250_000_000L), time.sleeps);
    assertEquals(1_000 + 1_000_000_000L, time.now);
  }

  @Test
  void aSlowProducerIsNotMadeToWaitAndZeroMeansUnlimited() {
    FakeTime time = new FakeTime();
    Pacer pacer = Pacer.of(10, () -> time.now, nanos -> time.sleeps.add(nanos));
    pacer.acquire();
    time.now += 500_000_000L; // half a second of work: five records' worth
    pacer.acquire();
    assertEquals(List.of(), time.sleeps);

    Pacer unlimited = Pacer.of(0, () -> time.now, nanos -> time.sleeps.add(nanos));
    for (int i = 0; i < 1000; i++) {
      unlimited.acquire();
    }
    assertEquals(List.of(), time.sleeps);
    assertThrows(IllegalArgumentException.class, () -> Pacer.of(-1));
  }
}
