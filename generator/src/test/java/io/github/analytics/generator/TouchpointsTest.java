package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Campaign touchpoints: checked on a 20,000-event, 1,500-user day generated with the default share and
 * with none, parsed with Jackson.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TouchpointsTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 27);
  private static final GeneratorConfig CONFIG =
      GeneratorConfig.forDay(DAY).withEvents(20_000).withUsers(1_500);
  private static final Set<String> UTM_KEYS = Set.of("utm_source", "utm_medium", "utm_campaign");
  private static final Set<String> TOUCHPOINT_KEYS =
      Set.of("referrer", "utm_source", "utm_medium", "utm_campaign");
  private static final byte[] PROPERTIES_END =
      "},\"client_timestamp\":".getBytes(StandardCharsets.US_ASCII);

  private final ObjectMapper mapper = new ObjectMapper();
  private List<GeneratedRecord> touched;
  private List<GeneratedRecord> untouched;

  @BeforeAll
  void generate() {
    assertEquals(0.35, CONFIG.touchpointShare());
    touched = collect(CONFIG);
    untouched = collect(CONFIG.withTouchpointShare(0));
  }

  @Test
  void withoutTouchpointsTheDayIsTheOneWithTheKeysTakenOut() {
    // Event for event: the same records in the same order, and each payload either byte-identical or
    // the same bytes with a run of touchpoint keys inserted at the end of `properties`. So touchpoints
    // change no user, session, event time, id, count or order: no existing random draw moved.
    assertEquals(untouched.size(), touched.size());
    int changed = 0;
    for (int i = 0; i < touched.size(); i++) {
      GeneratedRecord a = untouched.get(i);
      GeneratedRecord b = touched.get(i);
      assertEquals(a.receivedAtMillis(), b.receivedAtMillis(), "record " + i);
      assertEquals(a.runArrivalMillis(), b.runArrivalMillis(), "record " + i);
      assertEquals(a.sequence(), b.sequence(), "record " + i);
      assertEquals(a.kind(), b.kind(), "record " + i);
      assertEquals(a.eventType(), b.eventType(), "record " + i);
      assertEquals(a.intendedReason(), b.intendedReason(), "record " + i);
      if (Arrays.equals(a.payload(), b.payload())) {
        continue;
      }
      changed++;
      assertTrue(b.kind() != RecordKind.MALFORMED, "a malformed record changed: " + text(b));
      assertEquals(Optional.of("page_view"), b.eventType(), text(b));
      byte[] before = a.payload();
      byte[] after = b.payload();
      int at = indexOf(before, PROPERTIES_END);
      int inserted = after.length - before.length;
      assertTrue(at > 0 && inserted > 0, text(b));
      assertEquals(at + inserted, indexOf(after, PROPERTIES_END), text(b));
      assertArrayEquals(Arrays.copyOfRange(before, 0, at), Arrays.copyOfRange(after, 0, at), text(b));
      assertArrayEquals(
          Arrays.copyOfRange(before, at, before.length),
          Arrays.copyOfRange(after, at + inserted, after.length),
          text(b));
      assertEquals(',', after[at], text(b));
      String addedText = new String(after, at + 1, inserted - 1, StandardCharsets.US_ASCII);
      JsonNode added = parse(("{" + addedText + "}").getBytes(StandardCharsets.US_ASCII));
      Set<String> keys = keys(added);
      assertTrue(TOUCHPOINT_KEYS.containsAll(keys), keys.toString());
      if (keys.contains("referrer")) {
        assertFalse(parse(before).get("properties").has("referrer"), "a referrer was replaced: " + text(b));
      }
    }
    assertTrue(changed > 1_000, "only " + changed + " payloads gained touchpoint keys");
  }

  @Test
  void shareOfSessionsWithATouchpointIsTheConfiguredOne() {
    Map<String, JsonNode> direct = landingProperties(untouched);
    for (double share : new double[] {0.1, CONFIG.touchpointShare(), 0.8}) {
      List<GeneratedRecord> records =
          share == CONFIG.touchpointShare() ? touched : collect(CONFIG.withTouchpointShare(share));
      Map<String, JsonNode> landing = landingProperties(records);
      assertTrue(direct.keySet().equals(landing.keySet()), "share " + share + " changed the sessions");
      int n = landing.size();
      long hits = landing.keySet().stream().filter(s -> isTouched(landing.get(s), direct.get(s))).count();
      double observed = hits / (double) n;
      // Each session is touched independently with probability `share` (the purchase lift shifts the
      // chance between buying and other sessions, not the mean), so the count is binomial: five
      // standard deviations (about 0.037 at 0.35 for the ~4,000 sessions here) leave room for any seed
      // while catching a share that is off by a few points.
      double tolerance = 5 * Math.sqrt(share * (1 - share) / n);
      assertTrue(
          Math.abs(observed - share) < tolerance,
          "share " + share + ": " + hits + " of " + n + " sessions = " + observed + " +- " + tolerance);
    }
    Map<String, JsonNode> all = landingProperties(collect(CONFIG.withTouchpointShare(1)));
    assertTrue(all.keySet().stream().allMatch(s -> isTouched(all.get(s), direct.get(s))), "share 1");
  }

  @Test
  void onlyTheFirstPageViewOfASessionCarriesTouchpoints() {
    Map<String, String> firstPageView = new HashMap<>();
    Map<String, Long> firstTime = new HashMap<>();
    for (GeneratedRecord record : touched) {
      if (record.kind() == RecordKind.MALFORMED) {
        continue;
      }
      JsonNode event = parse(record.payload());
      if (event.get("event_type").asText().equals("page_view")) {
        String session = event.get("session_id").asText();
        long time = Instant.parse(event.get("client_timestamp").asText()).toEpochMilli();
        Long earliest = firstTime.get(session);
        if (earliest == null || time < earliest) {
          firstTime.put(session, time);
          firstPageView.put(session, event.get("event_id").asText());
        }
      }
    }
    int tagged = 0;
    for (GeneratedRecord record : touched) {
      if (record.kind() == RecordKind.MALFORMED) {
        continue;
      }
      JsonNode event = parse(record.payload());
      JsonNode properties = event.get("properties");
      boolean utm = UTM_KEYS.stream().anyMatch(properties::has);
      if (!event.get("event_type").asText().equals("page_view")) {
        for (String key : TOUCHPOINT_KEYS) {
          assertFalse(properties.has(key), key + " on " + event);
        }
      } else if (utm) {
        tagged++;
        assertEquals(
            firstPageView.get(event.get("session_id").asText()),
            event.get("event_id").asText(),
            event.toString());
      } else if (properties.has("referrer")
          && !firstPageView.get(event.get("session_id").asText()).equals(event.get("event_id").asText())) {
        // Later page views keep their internal referrer: the previous page of the shop.
        assertTrue(properties.get("referrer").asText().startsWith(Catalog.SHOP_ORIGIN), event.toString());
      }
    }
    assertTrue(tagged > 500, tagged + " tagged page views");
  }

  @Test
  void utmTagsComeTogetherFromASmallFixedSet() {
    Map<String, String> mediumBySource = new HashMap<>();
    Map<String, Set<String>> campaignsBySource = new HashMap<>();
    for (GeneratedRecord record : touched) {
      if (record.kind() == RecordKind.MALFORMED) {
        continue;
      }
      JsonNode properties = parse(record.payload()).get("properties");
      long present = UTM_KEYS.stream().filter(properties::has).count();
      assertTrue(present == 0 || present == 3, "utm tags come all together: " + properties);
      if (present == 0) {
        continue;
      }
      for (String key : UTM_KEYS) {
        JsonNode value = properties.get(key);
        assertTrue(value.isTextual() && value.asText().matches("[a-z0-9_]+"), properties.toString());
      }
      String source = properties.get("utm_source").asText();
      String medium = mediumBySource.putIfAbsent(source, properties.get("utm_medium").asText());
      assertTrue(
          medium == null || medium.equals(properties.get("utm_medium").asText()), properties.toString());
      campaignsBySource
          .computeIfAbsent(source, k -> new TreeSet<>())
          .add(properties.get("utm_campaign").asText());
    }
    assertTrue(
        mediumBySource.keySet().containsAll(Set.of("google", "facebook", "newsletter", "twitter", "partner")),
        mediumBySource.toString());
    assertTrue(mediumBySource.size() <= 8, mediumBySource.toString());
    campaignsBySource.forEach(
        (source, campaigns) ->
            assertTrue(campaigns.size() >= 2 && campaigns.size() <= 3, source + ": " + campaigns));
    assertEquals("cpc", mediumBySource.get("google"));
    assertEquals("email", mediumBySource.get("newsletter"));
    assertEquals("affiliate", mediumBySource.get("partner"));
  }

  @Test
  void referrersAreAbsoluteUrlsWrittenLikeTheOthers() {
    int touchpointReferrers = 0;
    for (int i = 0; i < touched.size(); i++) {
      GeneratedRecord record = touched.get(i);
      if (record.kind() == RecordKind.MALFORMED) {
        continue;
      }
      String text = text(record);
      // Jackson's default: slashes are not escaped (no PHP-style \/), as in every other referrer.
      assertFalse(text.contains("\\"), text);
      JsonNode properties = parse(record.payload()).get("properties");
      if (!properties.has("referrer")) {
        continue;
      }
      String referrer = properties.get("referrer").asText();
      URI uri = URI.create(referrer);
      assertTrue(uri.isAbsolute() && "https".equals(uri.getScheme()) && uri.getHost() != null, referrer);
      assertTrue(text.contains("\"referrer\":\"" + referrer + "\""), text);
      if (!parse(untouched.get(i).payload()).get("properties").has("referrer")) {
        touchpointReferrers++;
        assertFalse(referrer.startsWith(Catalog.SHOP_ORIGIN), referrer);
      }
    }
    assertTrue(touchpointReferrers > 100, touchpointReferrers + " touchpoint referrers");
  }

  @Test
  void purchasesKeepTheirRevenue() {
    Map<String, Double> revenueBySession = new HashMap<>();
    for (GeneratedRecord record : touched) {
      if (record.kind() != RecordKind.ON_TIME && record.kind() != RecordKind.LATE) {
        continue;
      }
      JsonNode event = parse(record.payload());
      if (event.get("event_type").asText().equals("purchase")) {
        JsonNode revenue = event.get("properties").get("revenue");
        assertNotNull(revenue, event.toString());
        assertTrue(revenue.isNumber() && revenue.asDouble() > 0, event.toString());
        revenueBySession.merge(event.get("session_id").asText(), revenue.asDouble(), Double::sum);
      }
    }
    assertTrue(revenueBySession.size() > 100, revenueBySession.size() + " sessions with a purchase");
    assertTrue(revenueBySession.values().stream().allMatch(v -> v > 0));
  }

  @Test
  void campaignSessionsBuySomewhatMoreOften() {
    // A larger day, for enough purchases (about 3,000): the touched sessions' purchase rate over the
    // others' is the odds ratio, 1.5, give or take about 0.05.
    GeneratorConfig config = GeneratorConfig.forDay(DAY);
    List<GeneratedRecord> without = collect(config.withTouchpointShare(0));
    Map<String, JsonNode> landing = landingProperties(collect(config));
    Map<String, JsonNode> direct = landingProperties(without);
    Set<String> buyers = new HashSet<>();
    for (GeneratedRecord record : without) {
      if (record.kind() != RecordKind.MALFORMED && record.eventType().orElse("").equals("purchase")) {
        buyers.add(parse(record.payload()).get("session_id").asText());
      }
    }
    long[] counts = new long[4]; // touched, touched buyers, untouched, untouched buyers
    for (String session : landing.keySet()) {
      int base = isTouched(landing.get(session), direct.get(session)) ? 0 : 2;
      counts[base]++;
      if (buyers.contains(session)) {
        counts[base + 1]++;
      }
    }
    double ratio = (counts[1] / (double) counts[0]) / (counts[3] / (double) counts[2]);
    assertTrue(ratio > 1.3 && ratio < 1.7, "purchase rate ratio " + ratio + " " + Arrays.toString(counts));
    double share = counts[0] / (double) (counts[0] + counts[2]);
    assertTrue(Math.abs(share - 0.35) < 0.02, "share " + share);
  }

  @Test
  void aHigherShareKeepsTheSessionsALowerOneTouches() {
    Map<String, JsonNode> low = landingProperties(collect(CONFIG.withTouchpointShare(0.1)));
    Map<String, JsonNode> high = landingProperties(touched);
    Map<String, JsonNode> direct = landingProperties(untouched);
    for (String session : low.keySet()) {
      if (isTouched(low.get(session), direct.get(session))) {
        assertEquals(low.get(session), high.get(session), session);
      }
    }
  }

  @Test
  void everyExternalReferrerHasCampaignsOfItsOwnSource() {
    for (String referrer : Catalog.EXTERNAL_REFERRERS.values()) {
      if (referrer.isEmpty()) {
        continue;
      }
      Weighted<Catalog.UtmTags> campaigns = Catalog.CAMPAIGNS_BY_REFERRER.get(referrer);
      assertNotNull(campaigns, referrer);
      Set<String> sources = new HashSet<>();
      campaigns.values().forEach(tags -> sources.add(tags.source() + "/" + tags.medium()));
      assertEquals(1, sources.size(), referrer + ": " + sources);
      assertTrue(campaigns.values().size() >= 2 && campaigns.values().size() <= 3, referrer);
    }
    for (String referrer : Catalog.TOUCHPOINT_REFERRERS.values()) {
      URI uri = URI.create(referrer);
      assertTrue(uri.isAbsolute() && uri.getHost() != null, referrer);
    }
    assertNull(new Touchpoints(42, 0, 0.075).next("https://www.google.com/", true));
  }

  /** Whether a landing page view's properties gained touchpoint keys over those of the day without. */
  private static boolean isTouched(JsonNode properties, JsonNode withoutTouchpoints) {
    return UTM_KEYS.stream().anyMatch(properties::has)
        || (properties.has("referrer") && !withoutTouchpoints.has("referrer"));
  }

  /** The properties of each session's first page view (by client time), by session id. */
  private Map<String, JsonNode> landingProperties(List<GeneratedRecord> records) {
    Map<String, JsonNode> properties = new HashMap<>();
    Map<String, Long> times = new HashMap<>();
    for (GeneratedRecord record : records) {
      if (record.kind() != RecordKind.ON_TIME && record.kind() != RecordKind.LATE) {
        continue;
      }
      if (!record.eventType().orElse("").equals("page_view")) {
        continue;
      }
      JsonNode event = parse(record.payload());
      String session = event.get("session_id").asText();
      long time = Instant.parse(event.get("client_timestamp").asText()).toEpochMilli();
      Long earliest = times.get(session);
      if (earliest == null || time < earliest) {
        times.put(session, time);
        properties.put(session, event.get("properties"));
      }
    }
    return properties;
  }

  private static List<GeneratedRecord> collect(GeneratorConfig config) {
    List<GeneratedRecord> out = new ArrayList<>();
    Iterator<GeneratedRecord> records = EventGenerator.of(config).iterator();
    records.forEachRemaining(out::add);
    return out;
  }

  private JsonNode parse(byte[] payload) {
    try {
      return mapper.readTree(payload);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + new String(payload, StandardCharsets.UTF_8), e);
    }
  }

  private static Set<String> keys(JsonNode object) {
    Set<String> keys = new TreeSet<>();
    object.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  private static String text(GeneratedRecord record) {
    return new String(record.payload(), StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
