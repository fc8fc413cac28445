package io.github.analytics.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite's entry point end to end at a tiny size, as CI runs it: the HLL section (seconds; the
 * streaming and batch sections start Kafka, Flink or Spark and take minutes, and the pipelines they
 * time are tested on their own by the pipelines module), every results file written with the
 * section's rows, and the sketches estimating small sets closely. Behaviour only: no timing is
 * asserted (performance is measured by the suite itself, on a quiet machine).
 */
class BenchSmokeTest {
  @TempDir static Path dir;
  private static Path out;
  private static int exitCode;
  private static String stdout;
  private static JsonNode json;
  private static Map<String, JsonNode> rows;

  @BeforeAll
  static void runTheSuiteTiny() throws Exception {
    out = dir.resolve("results");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    exitCode = Bench.execute(new PrintStream(printed, true, StandardCharsets.UTF_8), System.err,
        "--out", out.toString(), "--work-dir", dir.resolve("work").toString(),
        "--sections", "hll", "--hll-max-distinct", "10000", "--hll-seeds", "2");
    stdout = printed.toString(StandardCharsets.UTF_8);
    System.out.print(stdout); // into the surefire report, for whoever reads a CI failure
    json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    rows = new HashMap<>();
    for (JsonNode row : json.get("measurements")) {
      rows.put(row.get("section").asText() + "/" + row.get("measurement").asText(), row);
    }
  }

  @Test
  void theSectionRanAndWroteEveryFile() throws Exception {
    assertEquals(0, exitCode, "exit code; printed:\n" + stdout);
    for (String file : List.of("results.md", "results.json", "results.svg")) {
      assertTrue(Files.size(out.resolve(file)) > 0, file);
    }
    List<String> ran = new ArrayList<>();
    for (JsonNode section : json.get("sections")) {
      assertTrue(section.get("failure").isNull(), section.toString());
      ran.add(section.get("name").asText());
    }
    assertEquals(List.of("hll"), ran);
    assertTrue(json.get("machine").get("cores").asInt() >= 1);
  }

  @Test
  void theSectionHasRowsWithNumbers() {
    for (Section section : Sections.select(List.of("hll"))) {
      List<JsonNode> own = new ArrayList<>();
      json.get("measurements").forEach(row -> {
        if (row.get("section").asText().equals(section.name())) {
          own.add(row);
        }
      });
      assertFalse(own.isEmpty(), "rows of " + section.name());
      for (JsonNode row : own) {
        assertTrue(row.get("value").isNumber(), "a number in " + row);
      }
    }
  }

  @Test
  void hllEstimatesSmallSetsCloselyBesideRedis() {
    for (String size : List.of("1e3", "1e4")) {
      assertEquals(Double.parseDouble(size), row("hll/" + size + ": exact count").get("value").asDouble());
      for (String estimator : List.of("ZetaSketch p12", "ZetaSketch p13", "ZetaSketch p14",
          "ZetaSketch p15 (pipelines)", "Redis PFCOUNT")) {
        String prefix = "hll/" + size + ", " + estimator + ": ";
        // Sparse HLL++ is nearly exact here and Redis's 2^14 registers err about 0.8%; 5% catches an
        // estimator that was never fed, or fed twice.
        double max = row(prefix + "max |relative error|").get("value").asDouble();
        assertTrue(max < 0.05, prefix + max);
        assertTrue(row(prefix + "mean |relative error|").get("value").asDouble() <= max, prefix);
        assertTrue(row(prefix + "sketch bytes").get("value").asDouble() > 0, prefix);
      }
    }
  }

  @Test
  void markdownPrintsWhatItWritesAndTheChartSaysNoThroughputWasMeasured() throws Exception {
    String md = Files.readString(out.resolve("results.md"));
    assertEquals(md, stdout, "what is printed is what is written");
    assertTrue(md.contains("## " + new HllSection().title()), md);
    assertTrue(md.contains("Mode: **custom**"), "explicit sizes make a custom run");
    assertTrue(md.lines().anyMatch(line -> line.startsWith("| 1e4, Redis PFCOUNT: max")
        && line.matches(".* \\| [0-9.]+ \\| fraction \\| .*")), md);
    assertTrue(md.contains("| cores | "), "machine info");
    String svg = Files.readString(out.resolve("results.svg"));
    assertTrue(svg.contains("No throughput was measured"), svg);
  }

  @Test
  void everySectionOfTheIssueIsInTheSuiteInItsOrder() {
    assertEquals(List.of("streaming", "freshness", "batch", "hll", "collector", "serving", "warehouse"),
        Sections.all().stream().map(Section::name).toList());
  }

  @Test
  void anUnknownSectionIsAUsageErrorThatNamesTheKnownOnes() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Bench.execute(System.out, new PrintStream(err, true, StandardCharsets.UTF_8),
        "--sections", "batch,nope", "--out", dir.resolve("unused").toString());
    assertEquals(2, code);
    String message = err.toString(StandardCharsets.UTF_8);
    assertTrue(message.contains("Unknown section 'nope'") && message.contains("streaming, freshness, batch, hll"), message);
    assertFalse(Files.exists(dir.resolve("unused")), "nothing written on a usage error");
  }

  private static JsonNode row(String key) {
    JsonNode row = rows.get(key);
    if (row == null) {
      throw new AssertionError("no row " + key + " among " + rows.keySet());
    }
    return row;
  }
}
