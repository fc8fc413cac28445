package io.github.analytics.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultsModelTest {
  @Test
  void targetsAreMetOnTheirOwnSideOnlyAndNeverByNaN() {
    assertTrue(Target.atLeast(150_000).metBy(150_000));
    assertFalse(Target.atLeast(150_000).metBy(149_999));
    assertTrue(Target.atMost(0.01).metBy(0.0099));
    assertFalse(Target.atMost(0.01).metBy(0.0101));
    assertFalse(Target.atMost(0.01).metBy(Double.NaN));
    assertEquals(">= 150,000", Target.atLeast(150_000).describe());
  }

  @Test
  void aMeasurementWithoutTargetHasNoVerdict() {
    Measurement m = Measurement.of("batch", "x", 1, Measurement.SECONDS);
    assertTrue(m.met().isEmpty());
    assertEquals("", m.verdict());
    assertEquals("MISSED", m.withTarget(Target.atLeast(2)).verdict());
  }

  @Test
  void valuesAreFormattedForPeople() {
    assertEquals("1,234,568", Measurement.format(1_234_567.8));
    assertEquals("12.3", Measurement.format(12.34));
    assertEquals("0.57", Measurement.format(0.5678));
    assertEquals("0.00567", Measurement.format(0.005671));
    assertEquals("n/a", Measurement.format(Double.NaN));
  }

  @Test
  void settingsRefuseNonsenseWithTheOptionToFix() {
    BenchSettings d = BenchSettings.defaults(true);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BenchSettings(
        true, d.batchEvents(), d.batchUsers(), d.batchRunners(), false, d.hllMaxDistinct(), 0, d.hllPrecisions(),
        d.streamEvents(), d.freshnessRate(), d.freshnessSeconds(), d.collectorSeconds()));
    assertTrue(e.getMessage().contains("--hll-seeds"), e.getMessage());
    assertEquals(List.of(1_000L, 10_000L, 100_000L, 1_000_000L), d.hllSizes());
  }

  @Test
  void aFailedSectionIsReportedAndTheChartSaysWhenNothingWasMeasured() {
    MachineInfo machine = new MachineInfo(2, "cpu", "jvm", "os", 1L << 30, Instant.EPOCH, "abc", "0.5 0.4 0.3");
    BenchReport report = new BenchReport(machine, BenchSettings.defaults(true), List.of(
        new SectionResult("hll", "HLL", "d", List.of(), 1.0, "IllegalStateException: redis-server is not installed")));
    assertTrue(report.anyFailed());
    assertTrue(MarkdownReport.render(report, "results.svg")
        .contains("**FAILED:** IllegalStateException: redis-server is not installed"));
    assertTrue(SvgChart.render(report).contains("No throughput was measured"));
    assertTrue(JsonReport.render(report).contains("\"failure\" : \"IllegalStateException"));
  }
}
