package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.RawEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The generator's output, checked on a default 200k-event day generated once for the class. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventGeneratorTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 27);
  private static final Pattern LOWER_UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  private static final Pattern TIMESTAMP =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
  private static final List<String> WIRE_FIELDS =
      List.of("event_id", "event_type", "user_id", "session_id", "properties", "client_timestamp",
          "server_timestamp", "app_version", "platform", "client_ip", "user_agent");
  private static final long MINUTE = 60_000L;
  private static final long HOUR = 3_600_000L;

  private final ObjectMapper mapper = new ObjectMapper();
  private final ReferenceValidator validator = new ReferenceValidator();
  private List<GeneratedRecord> day;
  /** The main fields of each record of {@link #day}, parsed once; null for malformed records. */
  private List<Fields> fields;
  private GenerationSummary summary;

  /** The fields the tests look at. */
  private record Fields(
      String eventId,
      String eventType,
      String userId,
      String sessionId,
      long clientMillis,
      String platform,
      String appVersion,
      String clientIp,
      String userAgent) {}

  @BeforeAll
  void generateDefaultDay() {
    day = new ArrayList<>();
    summary = EventGenerator.of(GeneratorConfig.forDay(DAY)).generate(day::add);
    fields = new ArrayList<>(day.size());
    for (GeneratedRecord record : day) {
      if (record.kind() == RecordKind.MALFORMED) {
        fields.add(null);
        continue;
      }
      JsonNode event = parse(record.payload());
      fields.add(
          new Fields(
              event.get("event_id").asText(),
              event.get("event_type").asText(),
              event.get("user_id").asText(),
              event.get("session_id").asText(),
              Instant.parse(event.get("client_timestamp").asText()).toEpochMilli(),
              event.get("platform").asText(),
              event.get("app_version").asText(),
              event.get("client_ip").asText(),
              event.get("user_agent").asText()));
    }
  }

  @Test
  void sameSeedGivesByteIdenticalOutputAndAnotherSeedDoesNot() {
    GeneratorConfig config = GeneratorConfig.forDay(DAY).withEvents(20_000).withUsers(2_000);
    List<GeneratedRecord> first = collect(EventGenerator.of(config).iterator());
    List<GeneratedRecord> second = collect(EventGenerator.of(config).iterator());
    assertEquals(first.size(), second.size());
    for (int i = 0; i < first.size(); i++) {
      assertArrayEquals(first.get(i).payload(), second.get(i).payload(), "record " + i);
      assertEquals(first.get(i).receivedAtMillis(), second.get(i).receivedAtMillis(), "record " + i);
    }
    Iterator<RawEvent> raw = EventGenerator.of(config).rawEvents();
    for (GeneratedRecord record : first) {
      RawEvent event = raw.next();
      assertArrayEquals(record.payload(), event.getPayload());
      assertEquals(record.receivedAtMillis(), event.getReceivedAt().getMillis());
      assertEquals("generator", event.getSource());
    }
    assertFalse(raw.hasNext());

    List<GeneratedRecord> other = collect(EventGenerator.of(config.withSeed(43)).iterator());
    int same = 0;
    for (int i = 0; i < Math.min(100, other.size()); i++) {
      if (java.util.Arrays.equals(first.get(i).payload(), other.get(i).payload())) {
        same++;
      }
    }
    assertEquals(0, same, "a different seed must give different payloads");
  }

  @Test
  void everyDeadLetterReasonAppearsInA200kDay() {
    Map<DeadLetterReason, Integer> seen = new EnumMap<>(DeadLetterReason.class);
    for (GeneratedRecord record : day) {
      record.intendedReason().ifPresent(reason -> seen.merge(reason, 1, Integer::sum));
    }
    for (DeadLetterReason reason : DeadLetterReason.RECORD_CHECKS) {
      // Every reason the factory makes; INVALID_IDENTIFIER came later and is never made.
      assertEquals(
          MalformedFactory.REASONS.contains(reason),
          seen.getOrDefault(reason, 0) > 0,
          reason + ": " + seen);
      assertEquals(
          (long) seen.getOrDefault(reason, 0), summary.malformedByReason().get(reason), reason.name());
    }
    assertEquals(DeadLetterReason.RECORD_CHECKS.size() - 1, MalformedFactory.REASONS.size());
    // Payloads over the limit are rare: about one in 5000 malformed, plus the guaranteed one.
    assertTrue(seen.get(DeadLetterReason.PAYLOAD_TOO_LARGE) <= 5, seen.toString());
  }

  @Test
  void eachMalformedRecordFailsForItsIntendedReasonOnly() {
    int checked = 0;
    for (GeneratedRecord record : day) {
      if (record.kind() == RecordKind.MALFORMED) {
        assertEquals(
            record.intendedReason(),
            validator.check(record.payload(), record.receivedAtMillis()),
            () -> "payload: " + preview(record.payload()));
        checked++;
      }
    }
    assertTrue(checked > 1_000, "only " + checked + " malformed records");
  }

  @Test
  void malformedPayloadsAreStructurallyBroken() {
    for (GeneratedRecord record : day) {
      Optional<DeadLetterReason> reason = record.intendedReason();
      if (reason.isEmpty()) {
        continue;
      }
      byte[] payload = record.payload();
      switch (reason.get()) {
        case INVALID_UTF8:
          assertThrows(
              CharacterCodingException.class,
              () ->
                  StandardCharsets.UTF_8
                      .newDecoder()
                      .onMalformedInput(CodingErrorAction.REPORT)
                      .decode(ByteBuffer.wrap(payload)));
          assertTrue(payload.length <= PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES);
          break;
        case PAYLOAD_TOO_LARGE:
          assertTrue(payload.length > 65_536, "only " + payload.length + " bytes");
          break;
        case MALFORMED_JSON:
          assertThrows(Exception.class, () -> mapper.readValue(payload, ObjectNode.class));
          break;
        case PROPERTIES_TOO_LARGE:
          assertTrue(payload.length > PayloadLimits.DEFAULT_MAX_PROPERTIES_BYTES);
          assertTrue(payload.length <= PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES);
          break;
        case INVALID_PROPERTIES:
          assertFalse(parse(payload).get("properties").isObject());
          break;
        default:
          break;
      }
    }
  }

  @Test
  void validPayloadsHaveEveryFieldWithTheRightType() {
    int checked = 0;
    for (GeneratedRecord record : day) {
      if (record.kind() == RecordKind.MALFORMED) {
        continue;
      }
      byte[] payload = record.payload();
      assertTrue(payload.length < PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES);
      boolean printableAscii = true;
      for (byte b : payload) {
        printableAscii &= b >= 0x20; // bytes >= 0x80 are negative
      }
      assertTrue(printableAscii, "valid payloads are printable ASCII, hence valid UTF-8");
      JsonNode event = parse(payload);
      assertEquals(Optional.empty(), validator.checkObject(event, record.receivedAtMillis()));
      List<String> fields = new ArrayList<>();
      event.fieldNames().forEachRemaining(fields::add);
      assertEquals(WIRE_FIELDS, fields);
      assertTrue(LOWER_UUID.matcher(event.get("event_id").asText()).matches());
      assertTrue(event.get("user_id").asText().matches("u\\d{6}"));
      assertTrue(TIMESTAMP.matcher(event.get("client_timestamp").asText()).matches());
      assertTrue(TIMESTAMP.matcher(event.get("server_timestamp").asText()).matches());
      assertEquals(record.receivedAtMillis(), Instant.parse(event.get("server_timestamp").asText()).toEpochMilli());
      assertEquals(record.eventType().orElseThrow(), event.get("event_type").asText());
      JsonNode properties = event.get("properties");
      switch (event.get("event_type").asText()) {
        case "page_view":
          assertTrue(properties.get("page").asText().startsWith("/"));
          break;
        case "click":
          assertTrue(properties.get("element").isTextual());
          break;
        case "add_to_cart":
          assertTrue(properties.get("price").isNumber());
          assertTrue(properties.get("product_id").isTextual());
          break;
        case "purchase":
          assertTrue(properties.get("revenue").isNumber());
          assertTrue(properties.get("revenue").asDouble() > 0);
          assertTrue(properties.get("currency").asText().matches("[A-Z]{3}"));
          assertTrue(properties.get("order_id").isTextual());
          assertTrue(properties.get("items").asInt() >= 1);
          break;
        case "error":
          assertTrue(properties.get("error_code").isTextual());
          assertTrue(properties.get("message").isTextual());
          break;
        default:
          fail("unexpected event type " + event.get("event_type"));
      }
      checked++;
    }
    assertEquals(summary.validEvents() + summary.duplicates(), checked);
  }

  @Test
  void mostUsersDropOutOfTheFunnel() {
    Map<String, Set<String>> usersByType = new HashMap<>();
    Map<String, Set<String>> sessionsByType = new HashMap<>();
    for (int i = 0; i < day.size(); i++) {
      RecordKind kind = day.get(i).kind();
      if (kind == RecordKind.ON_TIME || kind == RecordKind.LATE) {
        Fields event = fields.get(i);
        usersByType.computeIfAbsent(event.eventType(), k -> new HashSet<>()).add(event.userId());
        sessionsByType.computeIfAbsent(event.eventType(), k -> new HashSet<>()).add(event.sessionId());
      }
    }
    int viewers = usersByType.get("page_view").size();
    int carters = usersByType.get("add_to_cart").size();
    int buyers = usersByType.get("purchase").size();
    assertTrue(carters < viewers && buyers < carters, viewers + " > " + carters + " > " + buyers);
    double cartRate = sessionsByType.get("add_to_cart").size() / (double) sessionsByType.get("page_view").size();
    double purchaseRate =
        sessionsByType.get("purchase").size() / (double) sessionsByType.get("add_to_cart").size();
    assertTrue(cartRate > 0.2 && cartRate < 0.3, "cart rate " + cartRate);
    assertTrue(purchaseRate > 0.24 && purchaseRate < 0.36, "purchase rate " + purchaseRate);
  }

  @Test
  void duplicatesRepeatAnEarlierEventExceptForTheServerTimestamp() {
    Map<String, GeneratedRecord> originals = new HashMap<>();
    int duplicates = 0;
    for (int i = 0; i < day.size(); i++) {
      GeneratedRecord record = day.get(i);
      if (record.kind() == RecordKind.MALFORMED) {
        continue;
      }
      String eventId = fields.get(i).eventId();
      if (record.kind() == RecordKind.DUPLICATE) {
        GeneratedRecord original = originals.get(eventId);
        assertNotNull(original, "duplicate of an event not seen before: " + eventId);
        long delay = record.receivedAtMillis() - original.receivedAtMillis();
        assertTrue(delay >= 1_000 && delay <= 30_000, "retry after " + delay + " ms");
        ObjectNode a = (ObjectNode) parse(original.payload());
        ObjectNode b = (ObjectNode) parse(record.payload());
        a.remove("server_timestamp");
        b.remove("server_timestamp");
        assertEquals(a, b);
        duplicates++;
      } else {
        assertTrue(originals.put(eventId, record) == null, "event_id reused: " + eventId);
      }
    }
    double share = duplicates / (double) summary.validEvents();
    assertTrue(share > 0.015 && share < 0.025, "duplicate share " + share);
  }

  @Test
  void arrivalDelaysLateShareAndMalformedShareFollowTheConfig() {
    int skewed = 0;
    int onTime = 0;
    for (int i = 0; i < day.size(); i++) {
      GeneratedRecord record = day.get(i);
      if (record.kind() != RecordKind.ON_TIME && record.kind() != RecordKind.LATE) {
        continue;
      }
      long client = fields.get(i).clientMillis();
      long delay = record.receivedAtMillis() - client;
      if (record.kind() == RecordKind.ON_TIME) {
        onTime++;
        if (delay < 50 || delay > 2_000) {
          skewed++;
          assertTrue(Math.abs(delay) <= 10 * MINUTE + 2_000, "delay " + delay);
        }
      } else {
        assertTrue(delay >= HOUR - 10 * MINUTE && delay <= 6 * HOUR + 10 * MINUTE, "late by " + delay);
      }
    }
    double skewShare = skewed / (double) onTime;
    assertTrue(skewShare > 0.005 && skewShare < 0.06, "skewed share " + skewShare);
    double lateShare = summary.lateEvents() / (double) summary.validEvents();
    assertTrue(lateShare > 0.007 && lateShare < 0.013, "late share " + lateShare);
    double malformedShare = summary.malformed() / (double) summary.totalRecords();
    assertTrue(malformedShare > 0.009 && malformedShare < 0.011, "malformed share " + malformedShare);
    long valid = summary.validEvents();
    assertTrue(valid > 195_000 && valid < 205_000, "valid events " + valid);
  }

  @Test
  void recordsComeInOrderOfArrivalAndLateOnesSpillPastMidnight() {
    long previous = Long.MIN_VALUE;
    for (GeneratedRecord record : day) {
      assertTrue(record.receivedAtMillis() >= previous, "out of order at " + record);
      previous = record.receivedAtMillis();
    }
    long midnight = DAY.plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
    assertTrue(previous > midnight, "no late record after midnight");
    TreeMap<Instant, Long> perHour = new TreeMap<>();
    for (GeneratedRecord record : day) {
      perHour.merge(Instant.ofEpochMilli(Math.floorDiv(record.receivedAtMillis(), HOUR) * HOUR), 1L, Long::sum);
    }
    assertEquals(perHour, summary.recordsPerHour());
    assertEquals(day.size(), summary.totalRecords());
  }

  @Test
  void usersKeepTheirAttributesAndLiveInTheGeoFixture() {
    Map<String, String> identity = new HashMap<>();
    for (Fields event : fields) {
      if (event == null) {
        continue;
      }
      String platform = event.platform();
      String agent = event.userAgent();
      String version = event.appVersion();
      String ip = event.clientIp();
      String key = platform + "|" + version + "|" + agent + "|" + ip;
      String before = identity.putIfAbsent(event.userId(), key);
      assertTrue(before == null || before.equals(key), before + " vs " + key);
      assertTrue(GeoFixture.locate(ip).isPresent(), ip);
      assertTrue(version.matches("\\d+\\.\\d+\\.\\d+"), version);
      switch (platform) {
        case "web":
          assertTrue(agent.startsWith("Mozilla/5.0 ("), agent);
          break;
        case "ios":
          assertTrue(agent.startsWith("ShopApp/" + version + " ("), agent);
          break;
        case "android":
          assertTrue(agent.startsWith("Dalvik/2.1.0 (Linux; U; Android") || agent.startsWith("okhttp/"), agent);
          break;
        default:
          fail("platform " + platform);
      }
    }
    Set<String> platforms = new HashSet<>();
    identity.values().forEach(v -> platforms.add(v.substring(0, v.indexOf('|'))));
    assertEquals(Set.of("web", "ios", "android"), platforms);
  }

  @Test
  void sessionsAreBusyInsideAndSeparatedByMoreThanThirtyMinutes() {
    Map<String, TreeMap<Long, String>> timeline = new HashMap<>();
    Map<String, String> sessionOwner = new HashMap<>();
    for (int i = 0; i < day.size(); i++) {
      RecordKind kind = day.get(i).kind();
      if (kind != RecordKind.ON_TIME && kind != RecordKind.LATE) {
        continue;
      }
      Fields event = fields.get(i);
      String user = event.userId();
      String session = event.sessionId();
      String owner = sessionOwner.putIfAbsent(session, user);
      assertTrue(owner == null || owner.equals(user), "session " + session + " shared");
      long client = event.clientMillis();
      String clash = timeline.computeIfAbsent(user, k -> new TreeMap<>()).put(client, session);
      assertTrue(clash == null || clash.equals(session), "two sessions at one instant");
    }
    int multiSessionUsers = 0;
    for (TreeMap<Long, String> events : timeline.values()) {
      Map.Entry<Long, String> previous = null;
      Set<String> sessions = new HashSet<>();
      for (Map.Entry<Long, String> event : events.entrySet()) {
        if (previous != null) {
          long gap = event.getKey() - previous.getKey();
          if (event.getValue().equals(previous.getValue())) {
            assertTrue(gap < 30 * MINUTE, "gap of " + gap + " ms inside a session");
          } else {
            assertTrue(gap > 30 * MINUTE, "sessions only " + gap + " ms apart");
            assertFalse(sessions.contains(event.getValue()), "a session resumed after another");
          }
        }
        sessions.add(event.getValue());
        previous = event;
      }
      if (sessions.size() > 1) {
        multiSessionUsers++;
      }
    }
    assertTrue(multiSessionUsers > 1_000, multiSessionUsers + " users with several sessions");
  }

  @Test
  void anomalyRunsErrorsAtAboutTwentyTimesTheNormalRate() {
    GeneratorConfig quiet = GeneratorConfig.forDay(DAY);
    GeneratorConfig burst = quiet.withAnomalyAt(LocalTime.of(14, 0));
    long start = DAY.atTime(14, 0).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
    long end = start + 10 * MINUTE;

    long[] baseline = new long[1];
    // The class's day is the quiet run of the same config.
    assertEquals(GeneratorConfig.forDay(DAY), quiet);
    day.forEach(
        record -> {
          long t = errorTime(record);
          if (t >= start - HOUR && t < start + HOUR) {
            baseline[0]++;
          }
        });
    long[] inBurst = new long[1];
    Set<String> users = new HashSet<>();
    GenerationSummary burstSummary =
        EventGenerator.of(burst)
            .generate(
                record -> {
                  long t = errorTime(record);
                  if (t >= start && t < end) {
                    inBurst[0]++;
                    users.add(parse(record.payload()).get("user_id").asText());
                  }
                });
    double normalPerMinute = baseline[0] / 120.0;
    double burstPerMinute = inBurst[0] / 10.0;
    double ratio = burstPerMinute / normalPerMinute;
    assertTrue(ratio > 14 && ratio < 28, "burst ratio " + ratio + " (" + burstPerMinute + "/" + normalPerMinute + ")");
    assertTrue(users.size() > 100, "burst from only " + users.size() + " users");
    assertTrue(burstSummary.anomalyErrors() > 0);
    assertEquals(0, summary.anomalyErrors());
  }

  @Test
  void aMillionEventDayStreams() {
    GeneratorConfig config = GeneratorConfig.forDay(DAY).withEvents(1_000_000).withUsers(50_000);
    long begin = System.nanoTime();
    GenerationSummary big = GenerationSummary.of(EventGenerator.of(config).iterator());
    double seconds = (System.nanoTime() - begin) / 1e9;
    System.out.printf("1M-event day: %,d records in %.2f s (%,.0f records/s)%n",
        big.totalRecords(), seconds, big.totalRecords() / seconds);
    assertTrue(big.validEvents() > 990_000 && big.validEvents() < 1_010_000, "" + big.validEvents());
  }

  @Test
  void invalidConfigIsRejectedBeforeGenerating() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> EventGenerator.of(GeneratorConfig.forDay(DAY).withEvents(1_000_000).withUsers(100)));
    assertTrue(e.getMessage().contains("raise users to at least 20000"), e.getMessage());
  }

  /** Client time of an error event, or Long.MIN_VALUE for anything else. */
  private long errorTime(GeneratedRecord record) {
    if (record.kind() == RecordKind.DUPLICATE || !"error".equals(record.eventType().orElse(""))) {
      return Long.MIN_VALUE;
    }
    return Instant.parse(parse(record.payload()).get("client_timestamp").asText()).toEpochMilli();
  }

  private JsonNode parse(byte[] payload) {
    try {
      return mapper.readTree(payload);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + preview(payload), e);
    }
  }

  private static String preview(byte[] payload) {
    String text = new String(payload, StandardCharsets.UTF_8);
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }

  private static List<GeneratedRecord> collect(Iterator<GeneratedRecord> records) {
    List<GeneratedRecord> out = new ArrayList<>();
    records.forEachRemaining(out::add);
    return out;
  }
}
