package io.github.analytics.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.stack.RedisServer;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.StreamEntryID;

/**
 * The dashboard page in a real browser (Debian's headless chromium through chromedriver) against the
 * API over a real redis-server filled by hand in the README's key layout: what the page draws must be
 * the hand-worked values and the API's, a change in Redis must reach the open page without a reload,
 * and a screenshot is kept in {@code target/dashboard.png}.
 */
class DashboardPageTest {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  private static final String RANGE = "from=2026-11-27T10:00:00Z&to=2026-11-27T10:10:00Z";
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static RedisServer redis;
  private static JedisPool pool;
  private static QueryServer server;
  private static WebDriver browser;

  @BeforeAll
  static void start() {
    if (!new File(CHROMIUM).canExecute() || !new File(CHROMEDRIVER).canExecute()) {
      throw new IllegalStateException("The dashboard's browser test needs Debian's chromium and chromedriver:"
          + " apt-get install -y chromium chromium-driver (.ci/run installs them)");
    }
    redis = RedisServer.start(dir);
    pool = new JedisPool(redis.host(), redis.port());
    try (Jedis jedis = pool.getResource()) {
      // 10:01: 7 events (2 errors); 10:02: 5 (1 error); nothing else yet.
      jedis.hset("event_counts_per_minute:2026-11-27T10:01:00Z", Map.of(
          "click|web|US", row("10:01", "click", "web", "US", 5),
          "error|ios|DE", row("10:01", "error", "ios", "DE", 2)));
      jedis.hset("event_counts_per_minute:2026-11-27T10:02:00Z", Map.of(
          "page_view|web|US", row("10:02", "page_view", "web", "US", 4),
          "error|web|US", row("10:02", "error", "web", "US", 1)));
      jedis.pfadd("hll:all:2026112710", "u1", "u2", "u3");
      jedis.hset("sessions:2026-11-27", Map.of("u1|2026-11-27T10:01:00Z", "{}", "u2|2026-11-27T10:02:00Z", "{}"));
      jedis.hset("funnel_conversion:2026-11-27T00:00:00Z", Map.of(
          "checkout|1", step("checkout", 1, "view_product", 3, 1.0),
          "checkout|2", step("checkout", 2, "add_to_cart", 2, 0.6667),
          "checkout|3", step("checkout", 3, "purchase", 1, 0.3333)));
      jedis.xadd("alerts:anomalies", StreamEntryID.NEW_ENTRY, Map.of("alert_id", "event_type|error|2026-11-27T10:02:00Z",
          "alert", "{\"series\":\"event_type\",\"series_key\":\"error\",\"window_start\":\"2026-11-27T10:02:00Z\","
              + "\"value\":40,\"mean\":2.5,\"z_score\":9.1,\"direction\":\"spike\"}"));
    }
    server = QueryServer.start(new LiveMetrics(pool), null, "127.0.0.1", 0, 4, Duration.ofMillis(300));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    // The flags this machine's closed network needs (no background connections), a fresh profile.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + dir.resolve("chromium"));
    browser = new ChromeDriver(new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build(), options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
    if (pool != null) {
      pool.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void drawsWhatTheApiAnswersAndFollowsRedisWithoutAReload() throws Exception {
    browser.get("http://127.0.0.1:" + server.port() + "/?" + RANGE);
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    wait.until(b -> b.findElement(By.tagName("body")).getAttribute("data-computed-at") != null);
    assertEquals("push", browser.findElement(By.tagName("body")).getAttribute("data-mode"));

    // Hand-worked: 12 events, 3 errors, 3 users, 2 sessions, 1 alert.
    assertEquals(12, shown("kpi-events"));
    assertEquals(3, shown("kpi-errors"));
    assertEquals(3, shown("kpi-users"));
    assertEquals(2, shown("kpi-sessions"));
    assertEquals(1, shown("kpi-alerts"));
    // And what the API answers for the same range.
    JsonNode api = api("/api/v1/dashboard?" + RANGE);
    assertEquals(api.get("events_per_minute").get("total").asLong(), shown("kpi-events"));
    assertEquals(api.get("distinct_users").get("distinct_users").asLong(), shown("kpi-users"));

    List<Long> funnel = new ArrayList<>();
    for (WebElement users : browser.findElements(By.cssSelector("[data-funnel='checkout'] .step .users"))) {
      funnel.add(Long.parseLong(users.getText().replace(",", "")));
    }
    assertEquals(List.of(3L, 2L, 1L), funnel);
    List<WebElement> alerts = browser.findElements(By.cssSelector("#alerts tbody tr"));
    assertEquals(1, alerts.size());
    assertEquals("event_type|error|2026-11-27T10:02:00Z", alerts.get(0).getAttribute("data-alert-id"));
    assertTrue(alerts.get(0).getText().contains("spike"), alerts.get(0).getText());
    // uPlot drew its canvas, with both series in its legend.
    assertTrue(browser.findElement(By.cssSelector("#chart-events canvas")).getSize().getWidth() > 300);
    String legend = browser.findElement(By.cssSelector("#chart-events .u-legend")).getText();
    assertTrue(legend.contains("events") && legend.contains("errors"), legend);
    assertTrue(browser.findElement(By.id("layers")).getText().contains("streaming: 10"),
        browser.findElement(By.id("layers")).getText());

    Path screenshot = Path.of("target", "dashboard.png");
    Files.createDirectories(screenshot.getParent());
    Files.write(screenshot, ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

    // The streaming job writes another minute: the open page shows it with no reload.
    try (Jedis jedis = pool.getResource()) {
      jedis.hset("event_counts_per_minute:2026-11-27T10:03:00Z", "click|web|US", row("10:03", "click", "web", "US", 30));
    }
    wait.until(b -> shown("kpi-events") == 42);
    assertTrue(browser.findElement(By.id("status")).getText().startsWith("live"));
  }

  @Test
  void pollsWhenAskedTo() {
    browser.get("http://127.0.0.1:" + server.port() + "/?poll=1&" + RANGE);
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(b -> b.findElement(By.tagName("body")).getAttribute("data-computed-at") != null);
    assertEquals("poll", browser.findElement(By.tagName("body")).getAttribute("data-mode"));
    assertEquals(3, shown("kpi-users"));
  }

  private static long shown(String id) {
    return Long.parseLong(browser.findElement(By.id(id)).getText().replace(",", ""));
  }

  private static JsonNode api(String pathAndQuery) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private static String row(String minute, String type, String platform, String country, long count) {
    return String.format("{\"window_start\":\"2026-11-27T%s:00Z\",\"event_type\":\"%s\",\"platform\":\"%s\","
        + "\"country\":\"%s\",\"event_count\":%d}", minute, type, platform, country, count);
  }

  private static String step(String funnel, int step, String name, long users, double overall) {
    return String.format(java.util.Locale.ROOT, "{\"funnel\":\"%s\",\"day\":\"2026-11-27T00:00:00Z\",\"step\":%d,"
        + "\"step_name\":\"%s\",\"users\":%d,\"overall_conversion\":%.4f}", funnel, step, name, users, overall);
  }
}
