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
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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
  void touchpointShareReachesTheGenerator() throws Exception {
    int exit =
        run("--date", "2026-11-27", "--events", "2000", "--users", "200", "--touchpoint-share", "0",
            "--format", "JSONL", "--out", dir.toString());
    assertEquals(0, exit, err.toString());
    GeneratorConfig config =
        GeneratorConfig.forDay(LocalDate.of(2026, 11, 27)).withEvents(2000).withUsers(200).withTouchpointShare(0);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (JsonLinesWriter lines = JsonLinesWriter.to(expected)) {
      EventGenerator.of(config).generate(record -> lines.write(record.raw()));
    }
    byte[] written = Files.readAllBytes(dir.resolve("events-2026-11-27.jsonl"));
    assertArrayEquals(expected.toByteArray(), written);
    assertFalse(new String(written, java.nio.charset.StandardCharsets.UTF_8).contains("utm_source"));
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

  /** Days of one run are different days: no event id repeats, and the users come back. */
  @Test
  void consecutiveDaysShareUsersButNoEventIds() throws Exception {
    int exit = run("--date", "2026-03-01", "--days", "2", "--events", "500", "--users", "100",
        "--format", "JSONL", "--out", dir.toString());
    assertEquals(0, exit, err.toString());
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    java.util.List<java.util.Set<String>> ids = new java.util.ArrayList<>();
    java.util.List<java.util.Set<String>> users = new java.util.ArrayList<>();
    for (String day : java.util.List.of("2026-03-01", "2026-03-02")) {
      java.util.Set<String> dayIds = new java.util.HashSet<>();
      java.util.Set<String> dayUsers = new java.util.HashSet<>();
      // Latin-1 reads every byte (the invalid UTF-8 records too); ids and user ids are ASCII.
      for (String line : Files.readAllLines(dir.resolve("events-" + day + ".jsonl"),
          java.nio.charset.StandardCharsets.ISO_8859_1)) {
        try {
          com.fasterxml.jackson.databind.JsonNode node = json.readTree(line);
          if (node != null && node.hasNonNull("event_id") && node.hasNonNull("user_id")) {
            dayIds.add(node.get("event_id").asText());
            dayUsers.add(node.get("user_id").asText());
          }
        } catch (java.io.IOException malformed) {
          // The generator's malformed records: not events.
        }
      }
      ids.add(dayIds);
      users.add(dayUsers);
    }
    java.util.Set<String> repeated = new java.util.HashSet<>(ids.get(0));
    repeated.retainAll(ids.get(1));
    assertTrue(repeated.isEmpty(), "event ids on both days: " + repeated.size());
    java.util.Set<String> returning = new java.util.HashSet<>(users.get(0));
    returning.retainAll(users.get(1));
    assertFalse(returning.isEmpty(), "no user came back");
  }

  @Test
  void badOptionsExitWithUsageErrorsThatSayWhatToDo() {
    assertEquals(2, run("--malformed-share", "2", "--out", dir.toString()));
    assertTrue(err.toString().contains("malformedShare is 2.0"), err.toString());
    assertEquals(2, run("--events", "1000000", "--users", "10", "--out", dir.toString()));
    assertTrue(err.toString().contains("raise users to at least 20000"), err.toString());
    assertEquals(2, run("--touchpoint-share", "1.5", "--out", dir.toString()));
    assertTrue(err.toString().contains("touchpointShare is 1.5"), err.toString());
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
  void liveReplaysTheWindowShiftedToNow() throws Exception {
    // "Now" is in the past for the system clock that paces the records, so every record is already
    // due and nothing waits; LivePacerTest covers the waiting.
    Clock clock = Clock.fixed(Instant.parse("2024-05-10T10:15:42.500Z"), ZoneOffset.UTC);
    int exit =
        run(clock, "--date", "2024-05-09", "--live", "--live-from", "13:30", "--duration", "30m",
            "--speedup", "3600", "--events", "3000", "--users", "300", "--format", "JSONL",
            "--out", dir.toString());
    assertEquals(0, exit, err.toString());

    // 2024-05-09T13:30:00Z -> 2024-05-10T10:15:42Z (now, to the second): 20 h 45 min 42 s.
    long shift = 20 * 3_600_000L + 45 * 60_000L + 42_000L;
    long from = Instant.parse("2024-05-09T13:30:00Z").toEpochMilli();
    long to = Instant.parse("2024-05-09T14:00:00Z").toEpochMilli();
    List<GeneratedRecord> expected = new ArrayList<>();
    for (GeneratedRecord record :
        EventGenerator.of(
            GeneratorConfig.forDay(LocalDate.of(2024, 5, 9)).withEvents(3000).withUsers(300))) {
      if (record.receivedAtMillis() >= from && record.receivedAtMillis() < to) {
        expected.add(record);
      }
    }
    List<String> lines = Files.readAllLines(dir.resolve("events-2024-05-10.jsonl"));
    assertTrue(expected.size() > 20, "" + expected.size());
    assertEquals(expected.size(), lines.size());
    ObjectMapper mapper = new ObjectMapper();
    for (int i = 0; i < lines.size(); i++) {
      GeneratedRecord record = expected.get(i);
      if (record.kind() == RecordKind.MALFORMED) {
        continue;
      }
      JsonNode before = mapper.readTree(record.payload());
      JsonNode after = mapper.readTree(lines.get(i));
      assertEquals(before.get("event_id"), after.get("event_id"));
      assertEquals(
          Instant.ofEpochMilli(record.receivedAtMillis() + shift),
          Instant.parse(after.get("server_timestamp").asText()));
      assertEquals(
          Instant.parse(before.get("client_timestamp").asText()).plusMillis(shift),
          Instant.parse(after.get("client_timestamp").asText()));
    }
    String printed = out.toString();
    assertTrue(printed.contains("replayed from 2024-05-10T10:15:42Z (shifted by PT20H45M42S)"), printed);
  }

  @Test
  void liveOptionsThatDoNotFitAreRejectedBeforeAnythingIsWritten() {
    assertEquals(2, run("--live", "--rate", "5", "--out", dir.toString()));
    assertTrue(err.toString().contains("--live paces records by their timestamps"), err.toString());
    assertTrue(err.toString().contains("drop --rate"), err.toString());
    assertEquals(2, run("--live", "--speedup", "0.5", "--out", dir.toString()));
    assertTrue(err.toString().contains("The speedup is 0.5: use 1 (real time) or more"), err.toString());
    assertEquals(2, run("--speedup", "60", "--out", dir.toString()));
    assertTrue(err.toString().contains("--speedup only applies to a live replay: add --live"), err.toString());
    assertEquals(2, run("--live", "--duration", "an hour", "--out", dir.toString()));
    assertTrue(err.toString().contains("use ISO-8601 like PT1H"), err.toString());
    assertEquals(2, run("--live", "--duration", "PT0S", "--out", dir.toString()));
    assertEquals(2, run("--live", "--days", "2", "--out", dir.toString()));
    assertTrue(err.toString().contains("drop --days"), err.toString());
    assertEquals(2, run("--live", "--time-compression", "96", "--out", dir.toString()));
    assertTrue(err.toString().contains("--time-compression does not apply to a live replay"),
        err.toString());
    assertEquals(2, run("--time-compression", "0", "--out", dir.toString()));
    assertTrue(err.toString().contains("timeCompression is 0"), err.toString());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count(), "nothing may be written when the options are wrong");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void durationsAreIsoOrShort() {
    DurationConverter converter = new DurationConverter();
    assertEquals(Duration.ofMinutes(60), converter.convert("60m"));
    assertEquals(Duration.ofMinutes(90), converter.convert("1h30m"));
    assertEquals(Duration.ofSeconds(45), converter.convert("45s"));
    assertEquals(Duration.ofHours(2), converter.convert("PT2H"));
    assertEquals(Duration.ofMinutes(90), converter.convert("PT90M"));
  }

  @Test
  void helpShowsEveryOptionWithItsDefault() {
    assertEquals(0, run("--help"));
    String help = out.toString();
    for (String option :
        new String[] {"--date", "--days", "--seed", "--events", "--users", "--malformed-share",
            "--duplicate-share", "--late-share", "--anomaly-at", "--out", "--format", "--geo-db",
            "--live", "--live-from", "--duration", "--speedup", "--time-compression",
            "--touchpoint-share"}) {
      assertTrue(help.contains(option), option + " missing from\n" + help);
    }
    assertTrue(help.contains("Default: 42"), help);
    assertTrue(help.contains("Default: 0.35"), help);
    assertTrue(help.contains("PARQUET, JSONL, BOTH"), help);
    assertTrue(help.contains("Default: 13:30"), help);
    assertTrue(help.contains("Default: PT1H"), help);
    assertTrue(help.contains("a simulated hour per"), help);
  }
}
