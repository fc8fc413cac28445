package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GenerateCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Clock clock, String... args) {
    CommandLine command = new CommandLine(new GenerateCommand(clock));
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    return command.execute(args);
  }

  private int run(String... args) {
    return run(Clock.systemUTC(), args);
  }

  @Test
  void writesArchiveJsonLinesAndGeoDatabaseThatMatchTheLibrary() throws Exception {
    int exit =
        run("--date", "2026-11-27", "--events", "3000", "--users", "300", "--seed", "7",
            "--format", "BOTH", "--out", dir.toString(), "--anomaly-at", "14:00");
    assertEquals(0, exit, err.toString());

    GeneratorConfig config =
        GeneratorConfig.forDay(LocalDate.of(2026, 11, 27))
            .withEvents(3000)
            .withUsers(300)
            .withSeed(7)
            .withAnomalyAt(java.time.LocalTime.of(14, 0));
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    long[] records = new long[1];
    try (JsonLinesWriter lines = JsonLinesWriter.to(expected)) {
      EventGenerator.of(config).generate(record -> {
        lines.write(record.raw());
        records[0]++;
      });
    }
    assertArrayEquals(expected.toByteArray(), Files.readAllBytes(dir.resolve("events-2026-11-27.jsonl")));

    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement();
        ResultSet rows =
            sql.executeQuery("SELECT count(*) FROM read_parquet('" + dir.resolve("archive") + "/**/*.parquet')")) {
      rows.next();
      assertEquals(records[0], rows.getLong(1));
    }
    assertTrue(Files.exists(dir.resolve("archive/dt=2026-11-27/hour=14/part-7-00000.parquet")));
    assertTrue(Files.size(dir.resolve("geo/GeoIP2-City-synthetic.mmdb")) > 100);

    String printed = out.toString();
    assertTrue(printed.contains("dt=2026-11-27 hour=00"), printed);
    assertTrue(printed.contains("records/s"), printed);
    assertTrue(printed.contains("INVALID_UTF8"), printed);
    assertTrue(printed.contains("burst errors"), printed);
  }

  @Test
  void defaultDateIsYesterdayUtcAndDaysRunConsecutively() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-03-02T00:30:00Z"), ZoneOffset.UTC);
    int exit =
        run(clock, "--days", "2", "--events", "500", "--users", "100", "--format", "JSONL",
            "--out", dir.toString(), "--geo-db", dir.resolve("elsewhere.mmdb").toString());
    assertEquals(0, exit, err.toString());
    assertTrue(Files.exists(dir.resolve("events-2026-03-01.jsonl")));
    assertTrue(Files.exists(dir.resolve("events-2026-03-02.jsonl")));
    assertFalse(Files.exists(dir.resolve("archive")));
    assertTrue(Files.exists(dir.resolve("elsewhere.mmdb")));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(3, files.count());
    }
  }

  @Test
  void badOptionsExitWithUsageErrorsThatSayWhatToDo() {
    assertEquals(2, run("--malformed-share", "2", "--out", dir.toString()));
    assertTrue(err.toString().contains("malformedShare is 2.0"), err.toString());
    assertEquals(2, run("--events", "1000000", "--users", "10", "--out", dir.toString()));
    assertTrue(err.toString().contains("raise users to at least 20000"), err.toString());
    assertEquals(2, run("--format", "CSV"));
    assertEquals(2, run("--anomaly-at", "25:00"));
    assertEquals(2, run("--days", "0", "--out", dir.toString()));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count(), "nothing may be written when the options are wrong");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void helpShowsEveryOptionWithItsDefault() {
    assertEquals(0, run("--help"));
    String help = out.toString();
    for (String option :
        new String[] {"--date", "--days", "--seed", "--events", "--users", "--malformed-share",
            "--duplicate-share", "--late-share", "--anomaly-at", "--out", "--format", "--geo-db"}) {
      assertTrue(help.contains(option), option + " missing from\n" + help);
    }
    assertTrue(help.contains("Default: 42"), help);
    assertTrue(help.contains("PARQUET, JSONL, BOTH"), help);
  }
}
