package io.github.analytics.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands a new user runs, run as they would run them. */
class AnalyticsCliTest {
  private record Run(int exitCode, String out) {}

  private static Run run(String... args) {
    return run(new ByteArrayOutputStream(), args);
  }

  /** Runs a command, printing into {@code captured}, which another thread may read meanwhile. */
  private static Run run(ByteArrayOutputStream captured, String... args) {
    PrintStream original = System.out;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setOut(out);
      int code = AnalyticsCli.commandLine().execute(args);
      return new Run(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }

  @Test
  void demoPrintsAReadableSummaryAndTheWarehouseAnswersQueries(@TempDir Path dir) {
    Run demo = run("demo", "--batch-only", "--runner", "FLINK", "--events", "3000", "--users", "300",
        "--days", "3", "--date", "2026-11-27", "--data-dir", dir.toString());
    assertEquals(0, demo.exitCode(), demo.out());
    for (String section : new String[] {
        "Records read", "Duplicates dropped", "Every record is accounted for", "Events by type",
        "page_view", "Dead letters by reason", "Warehouse:", "./analytics sql", "DAU", "Sessions",
        "Funnel conversion", "checkout", "Anomalies", "Retention of new users", "Lifecycle by ISO week",
        "Revenue attribution", "every model credits the same total"}) {
      assertTrue(demo.out().contains(section), "summary lacks '" + section + "':\n" + demo.out());
    }
    assertTrue(Files.exists(dir.resolve("warehouse.duckdb")));

    Run sql = run("sql", "--db", dir.resolve("warehouse.duckdb").toString(),
        "SELECT count(*) AS n FROM events WHERE event_type = 'purchase'");
    assertEquals(0, sql.exitCode(), sql.out());
    assertTrue(sql.out().contains("(1 rows)"), sql.out());

    // Every metric of the catalog has its table, and the funnel's first step has users.
    Run funnel = run("sql", "--db", dir.resolve("warehouse.duckdb").toString(),
        "SELECT count(*) AS days_with_checkouts FROM funnel_conversion"
            + " WHERE funnel = 'checkout' AND step = 1 AND users > 0");
    assertEquals(0, funnel.exitCode(), funnel.out());
    assertTrue(funnel.out().contains("3 "), "the three days have checkouts: " + funnel.out());
  }

  @Test
  void theLambdaDemoStreamsThenReconcilesWithTheBatchLayer(@TempDir Path dir) {
    // Forty simulated minutes at 60x: about 40 s of streaming, then the batch layer on Flink. The
    // window holds the day's error burst (14:00) after 35 minutes of history, so both layers judge it.
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    DashboardWatcher dashboard = new DashboardWatcher(captured);
    PrintStream originalErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Run demo;
    try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setErr(e);
      demo = run(captured, "demo", "--events", "100000", "--users", "5000", "--date", "2026-11-27",
          "--live-from", "13:25", "--duration", "PT40M", "--report-every", "PT10S",
          "--data-dir", dir.toString(), "--dashboard-port", "0", "--no-serve");
    } finally {
      System.setErr(originalErr);
    }
    dashboard.close();
    assertEquals(0, demo.exitCode(), demo.out() + err.toString(StandardCharsets.UTF_8));
    // The demo cancels its streaming job at the end: that must not print a stack trace.
    String log = err.toString(StandardCharsets.UTF_8);
    assertTrue(!log.contains("\tat ") && !log.contains("Exception"), "the demo's log:\n" + log);
    // The dashboard printed at the start of the stream followed it live: its API answered, and the
    // events it counted grew while the demo streamed.
    assertTrue(dashboard.answers.get() > 1 && dashboard.lastTotal.get() > 0,
        dashboard.answers.get() + " answers, last total " + dashboard.lastTotal.get() + ", failure "
            + dashboard.failure.get() + "\n" + demo.out());
    assertTrue(dashboard.distinctTotals.size() > 1, "the totals never moved: " + dashboard.distinctTotals);
    for (String section : new String[] {
        "[2/5] Starting the local stack", "[3/5] Starting the streaming pipeline", "through a collector",
        "At the collector", "counted",
        "Dashboards were at most", "records archived", "Reconciliation of the two layers",
        "sessions started in the window", "anomaly alerts"}) {
      assertTrue(demo.out().contains(section), "demo output lacks '" + section + "':\n" + demo.out());
    }
    // Both layers counted the same events in the streamed window's minutes, row for row.
    Matcher counted = Pattern
        .compile("events counted, minutes of the window\\s+([\\d,]+)\\s+([\\d,]+)")
        .matcher(demo.out());
    assertTrue(counted.find(), demo.out());
    assertEquals(counted.group(2), counted.group(1), "streaming vs batch events counted");
    Matcher rows = Pattern
        .compile("per-minute rows identical\\s+([\\d,]+) of ([\\d,]+)").matcher(demo.out());
    assertTrue(rows.find(), demo.out());
    assertEquals(rows.group(2), rows.group(1), "identical per-minute rows");
    // Streaming's distinct users of the day: at least those of the events on time (less the HLL++
    // error), at most those of all events, late arrivals included (plus the error).
    Matcher users = Pattern.compile("distinct users on \\S+ \\(HLL\\+\\+\\)\\s+([\\d,]+)\\s+[\\d,]+"
        + ".*?exact \\(SQL over the events table\\)\\s+([\\d,]+)"
        + ".*?exact without the late arrivals\\s+([\\d,]+)", Pattern.DOTALL).matcher(demo.out());
    assertTrue(users.find(), demo.out());
    long streamedUsers = number(users.group(1));
    assertTrue(streamedUsers >= 0.98 * number(users.group(3))
        && streamedUsers <= 1.02 * number(users.group(2)), "streaming distinct users:\n" + demo.out());
    // The funnel moves live: streaming shows the first step's users of open attempts too, nearly
    // all of batch's (which also has the late arrivals).
    Matcher funnel = Pattern.compile("funnel \\S+ checkout step 1 page_view\\s+([\\d,]+)\\s+([\\d,]+)")
        .matcher(demo.out());
    assertTrue(funnel.find(), demo.out());
    assertTrue(number(funnel.group(1)) >= 0.9 * number(funnel.group(2))
        && number(funnel.group(1)) <= number(funnel.group(2)), "live funnel step 1:\n" + demo.out());
    // The planted error burst alerts live, in the streaming layer, as it does in batch.
    Matcher alerts = Pattern.compile("anomaly alerts after 30 min of history\\s+([\\d,]+)\\s+([\\d,]+)")
        .matcher(demo.out());
    assertTrue(alerts.find(), demo.out());
    assertTrue(Integer.parseInt(alerts.group(2)) > 0, "batch finds the burst:\n" + demo.out());
    assertEquals(alerts.group(2), alerts.group(1), "streaming vs batch anomaly alerts:\n" + demo.out());
  }

  @Test
  void streamHelpExplainsEveryPipelineOption() {
    Run help = run("stream", "--help");
    assertEquals(0, help.exitCode());
    for (String option : new String[] {
        "--bootstrapServers", "--inputTopic", "--consumerGroup", "--maxOutOfOrdernessSeconds",
        "--deadLetterTopic", "--rollupTopic", "--alertTopic", "--redisUri", "--redisTtlHours",
        "--redisDailyTtlDays", "--writeArchive", "--archiveRoot", "--archiveWindowMinutes",
        "--archiveShards", "--archiveFlushSeconds", "--archiveAllowedLatenessMinutes", "--writeMetrics",
        "--earlyFiringSeconds", "--allowedLatenessMinutes", "--geoDatabase", "--sessionGapMinutes",
        "--awsRegion", "--s3ClientFactoryClass"}) {
      assertTrue(help.out().contains(option), "--help lacks " + option + ":\n" + help.out());
    }
  }

  @Test
  void stackHelpSaysWhatItStartsAndWhatItNeeds() {
    Run help = run("stack", "--help");
    assertEquals(0, help.exitCode());
    assertTrue(help.out().contains("Kafka") && help.out().contains("apt-get install -y redis-server"),
        help.out());
  }

  @Test
  void flinkClusterHelpPointsToTheDeployReadme() {
    Run help = run("flink-cluster", "--help");
    assertEquals(0, help.exitCode());
    assertTrue(help.out().contains("StandaloneSession") || help.out().contains("bin/start-cluster.sh"), help.out());
    assertTrue(help.out().contains("deploy/flink/README.md"), help.out());
  }

  @Test
  void streamHelpExplainsWaitUntilFinish() {
    Run help = run("stream", "--help");
    assertEquals(0, help.exitCode());
    assertTrue(help.out().contains("--waitUntilFinish"), help.out());
  }

  @Test
  void batchHelpExplainsEveryPipelineOption() {
    Run help = run("batch", "--help");
    assertEquals(0, help.exitCode());
    for (String option : new String[] {
        "--archiveRoot", "--fromDate", "--toDate", "--maxPayloadBytes", "--maxPropertiesBytes",
        "--maxClientClockPastHours", "--maxClientClockFutureHours", "--dedupeHorizonHours",
        "--geoDatabase", "--userAgentCacheSize", "--warehouse", "--duckDbPath", "--stagingDirectory",
        "--bigQueryDataset", "--bigQueryTempLocation",
        "--lateArrivalDays", "--sessionGapMinutes", "--hllPrecision", "--funnelsFile",
        "--anomalyHistoryWindows", "--anomalyMinHistoryWindows", "--anomalyThreshold",
        "--awsRegion", "--endpoint", "--awsCredentialsProvider", "--s3ClientFactoryClass"}) {
      assertTrue(help.out().contains(option), "--help lacks " + option + ":\n" + help.out());
    }
  }

  @Test
  void sqlOnAMissingWarehouseSaysWhatToDo(@TempDir Path dir) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setErr(e);
      int code = new CommandLine(new AnalyticsCli())
          .execute("sql", "--db", dir.resolve("none.duckdb").toString(), "SELECT 1");
      assertEquals(2, code);
    } finally {
      System.setErr(original);
    }
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("./analytics demo"));
  }

  @Test
  void sqlWithABadQuerySaysWhatIsWrongAndWhatTablesThereAre(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("w.duckdb");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + db);
        java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE TABLE events (event_type VARCHAR)");
      s.execute("CREATE TABLE sessions (user_id VARCHAR)");
    }
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setErr(e);
      assertEquals(2, run("sql", "--db", db.toString(), "SELECT nope FROM events").exitCode());
    } finally {
      System.setErr(original);
    }
    String message = err.toString(StandardCharsets.UTF_8);
    assertTrue(message.contains("the query failed") && message.contains("nope"), message);
    assertTrue(message.contains("Tables in " + db + ": events, sessions"), message);
    assertTrue(!message.contains("\tat "), "no stack trace:\n" + message);
  }

  @Test
  void backfillReportsEveryDayAndExitsNonZeroWhenOneFails(@TempDir Path dir) throws Exception {
    Path archive = Files.createDirectories(dir.resolve("archive"));
    Run backfill = run("backfill", "--from", "2026-11-01", "--to=2026-11-02",
        "--archiveRoot=" + archive, "--duckDbPath=" + dir.resolve("w.duckdb"));
    assertEquals(1, backfill.exitCode(), backfill.out());
    for (String expected : new String[] {
        "[1/2] 2026-11-01: FAILED", "[2/2] 2026-11-02: FAILED", "has no Parquet file for 2026-11-02",
        "2 days: 0 run, 0 skipped (already complete), 2 failed.", "run the same command again"}) {
      assertTrue(backfill.out().contains(expected), "lacks '" + expected + "':\n" + backfill.out());
    }
    // A range that ends before it starts is a usage error, not a failed day.
    assertEquals(2, run("backfill", "--from", "2026-11-05", "--to", "2026-11-01",
        "--archiveRoot=" + archive).exitCode());

    Run help = run("backfill", "--help");
    assertEquals(0, help.exitCode());
    for (String option : new String[] {"--from", "--force", "--markerRoot", "--lateArrivalDays", "--warehouse"}) {
      assertTrue(help.out().contains(option), "--help lacks " + option + ":\n" + help.out());
    }
  }

  /**
   * A dashboard client of the demo: finds the dashboard URL the demo prints, then reads the page's
   * answer from the API every 500 ms, as the page does, keeping the totals it saw.
   */
  private static final class DashboardWatcher implements AutoCloseable {
    private static final Pattern URL = Pattern.compile("Live dashboard[^:]*: (http://\\S+)/\\?(\\S+)");
    final AtomicInteger answers = new AtomicInteger();
    final AtomicLong lastTotal = new AtomicLong(-1);
    final Set<Long> distinctTotals = ConcurrentHashMap.newKeySet();
    final AtomicReference<String> failure = new AtomicReference<>();
    private final ByteArrayOutputStream captured;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private volatile String api;

    DashboardWatcher(ByteArrayOutputStream captured) {
      this.captured = captured;
      timer.scheduleWithFixedDelay(this::poll, 0, 500, TimeUnit.MILLISECONDS);
    }

    private void poll() {
      if (api == null) {
        Matcher url = URL.matcher(captured.toString(StandardCharsets.UTF_8));
        if (url.find()) {
          api = url.group(1) + "/api/v1/dashboard?" + url.group(2);
        }
        return;
      }
      try {
        HttpResponse<String> response =
            http.send(HttpRequest.newBuilder(URI.create(api)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          long total = json.readTree(response.body()).get("events_per_minute").get("total").asLong();
          lastTotal.set(total);
          distinctTotals.add(total);
          answers.incrementAndGet();
        } else {
          failure.set(response.statusCode() + " " + response.body());
        }
      } catch (IOException e) {
        failure.set(e.toString()); // after the demo stopped its dashboard
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }

  /** A number as the demo prints it, with thousands separators. */
  private static long number(String printed) {
    return Long.parseLong(printed.replace(",", ""));
  }
}
