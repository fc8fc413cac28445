package io.github.analytics.generator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.schemas.DeadLetterReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Turns a valid payload into one that fails validation for exactly one {@link DeadLetterReason}, given
 * the check order documented in {@link PayloadLimits}. Malformed records are about one in a hundred, so
 * this side uses a plain {@link ObjectMapper} over maps rather than the streaming fast path.
 */
final class MalformedFactory {
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};
  private static final char[] FILLER =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

  /**
   * The reasons this factory makes records for, in the enum's order (the order a day draws their
   * guaranteed minutes in). Reasons added to the enum later, such as {@link
   * DeadLetterReason#INVALID_IDENTIFIER}, are not made: a generated day stays byte-identical to what
   * it was, and tests and benchmarks compare against it.
   */
  static final Set<DeadLetterReason> REASONS =
      EnumSet.of(
          DeadLetterReason.PAYLOAD_TOO_LARGE,
          DeadLetterReason.INVALID_UTF8,
          DeadLetterReason.MALFORMED_JSON,
          DeadLetterReason.MISSING_FIELD,
          DeadLetterReason.WRONG_TYPE,
          DeadLetterReason.INVALID_EVENT_ID,
          DeadLetterReason.INVALID_TIMESTAMP,
          DeadLetterReason.TIMESTAMP_OUT_OF_RANGE,
          DeadLetterReason.INVALID_PROPERTIES,
          DeadLetterReason.PROPERTIES_TOO_LARGE);

  /** Share of malformed records that are too large as a whole: about one in five thousand. */
  static final double PAYLOAD_TOO_LARGE_SHARE = 1.0 / 5000;

  /** Relative weights of the other reasons. */
  private static final Weighted<DeadLetterReason> OTHER_REASONS =
      Weighted.<DeadLetterReason>builder()
          .add(20, DeadLetterReason.MALFORMED_JSON)
          .add(16, DeadLetterReason.MISSING_FIELD)
          .add(11, DeadLetterReason.WRONG_TYPE)
          .add(10, DeadLetterReason.INVALID_EVENT_ID)
          .add(10, DeadLetterReason.INVALID_TIMESTAMP)
          .add(9, DeadLetterReason.TIMESTAMP_OUT_OF_RANGE)
          .add(9, DeadLetterReason.INVALID_PROPERTIES)
          .add(6, DeadLetterReason.PROPERTIES_TOO_LARGE)
          .add(9, DeadLetterReason.INVALID_UTF8)
          .build();

  private static final List<String> PLAIN_TEXT =
      List.of(
          "OK",
          "undefined",
          "GET /v1/collect?event=page_view&uid={user} HTTP/1.1",
          "<html><body><h1>502 Bad Gateway</h1></body></html>",
          "event_type=click;user_id={user}",
          "\"page_view\"");

  private static final List<String> BAD_EVENT_IDS =
      List.of("not-a-uuid", "12345", "evt-{hex}", "{{uuid}}", "zzzzzzzz-{tail}");

  private static final List<String> BAD_TIMESTAMPS =
      List.of("yesterday", "2026-13-45T99:00:00Z", "27/11/2026 10:00:00", "not a date", "now");

  private final ObjectMapper mapper =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  static DeadLetterReason pickReason(SplittableRandom random) {
    if (random.nextDouble() < PAYLOAD_TOO_LARGE_SHARE) {
      return DeadLetterReason.PAYLOAD_TOO_LARGE;
    }
    return OTHER_REASONS.pick(random);
  }

  /** A payload failing for {@code reason} only, derived from the valid {@code payload}. */
  byte[] create(DeadLetterReason reason, byte[] payload, SplittableRandom random) {
    switch (reason) {
      case PAYLOAD_TOO_LARGE:
        {
          Map<String, Object> event = parse(payload);
          int length = PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES + 512 + random.nextInt(14_000);
          event.put("debug_log", filler(length, random));
          return write(event);
        }
      case INVALID_UTF8:
        return invalidUtf8(payload);
      case MALFORMED_JSON:
        return malformedJson(payload, random);
      case MISSING_FIELD:
        {
          Map<String, Object> event = parse(payload);
          String field = pick(PayloadLimits.REQUIRED_FIELDS, random);
          switch (random.nextInt(3)) {
            case 0:
              event.remove(field);
              break;
            case 1:
              event.put(field, "");
              break;
            default:
              event.put(field, null);
              break;
          }
          return write(event);
        }
      case WRONG_TYPE:
        {
          Map<String, Object> event = parse(payload);
          String field = pick(PayloadLimits.REQUIRED_FIELDS, random);
          Object original = event.get(field);
          // A parser may accept epoch milliseconds for a timestamp, so a timestamp gets an object.
          if (random.nextBoolean() || field.equals("client_timestamp")) {
            event.put(field, Map.of("value", original));
          } else {
            event.put(field, 10_000 + random.nextInt(90_000));
          }
          return write(event);
        }
      case INVALID_EVENT_ID:
        {
          Map<String, Object> event = parse(payload);
          String id = (String) event.get("event_id");
          String bad =
              pick(BAD_EVENT_IDS, random)
                  .replace("{hex}", Formats.hexString(random.nextLong(), 8))
                  .replace("{uuid}", id)
                  .replace("{tail}", id.substring(9));
          event.put("event_id", bad);
          return write(event);
        }
      case INVALID_TIMESTAMP:
        {
          Map<String, Object> event = parse(payload);
          event.put("client_timestamp", pick(BAD_TIMESTAMPS, random));
          return write(event);
        }
      case TIMESTAMP_OUT_OF_RANGE:
        {
          Map<String, Object> event = parse(payload);
          long yearMillis = 365L * 86_400_000L;
          long instant =
              random.nextBoolean()
                  ? random.nextLong(yearMillis) // some time in 1970
                  : java.time.Instant.parse("2099-01-01T00:00:00Z").toEpochMilli()
                      + random.nextLong(yearMillis);
          event.put("client_timestamp", Formats.timestamp(instant));
          return write(event);
        }
      case INVALID_PROPERTIES:
        {
          Map<String, Object> event = parse(payload);
          Object properties = event.get("properties");
          if (random.nextBoolean()) {
            event.put("properties", List.of(properties));
          } else {
            event.put("properties", "page=/products/" + (1 + random.nextInt(Catalog.PRODUCTS)));
          }
          return write(event);
        }
      case PROPERTIES_TOO_LARGE:
        {
          Map<String, Object> event = parse(payload);
          @SuppressWarnings("unchecked")
          Map<String, Object> properties = (Map<String, Object>) event.get("properties");
          int length = PayloadLimits.DEFAULT_MAX_PROPERTIES_BYTES + 1024 + random.nextInt(14_000);
          properties.put("cart_snapshot", filler(length, random));
          return write(event);
        }
    }
    throw new IllegalArgumentException("No malformed form for " + reason);
  }

  private byte[] malformedJson(byte[] payload, SplittableRandom random) {
    switch (random.nextInt(4)) {
      case 0:
      case 1:
        {
          // Truncated in transit: every proper prefix of an object is invalid JSON.
          int keep = payload.length / 4 + random.nextInt(payload.length - payload.length / 4 - 1);
          byte[] cut = new byte[keep];
          System.arraycopy(payload, 0, cut, 0, keep);
          return cut;
        }
      case 2:
        {
          byte[] array = new byte[payload.length + 2];
          array[0] = '[';
          System.arraycopy(payload, 0, array, 1, payload.length);
          array[array.length - 1] = ']';
          return array;
        }
      default:
        {
          String user = (String) parse(payload).get("user_id");
          return pick(PLAIN_TEXT, random).replace("{user}", user).getBytes(StandardCharsets.UTF_8);
        }
    }
  }

  /** Inserts the invalid sequence 0xC3 0x28 at the start of the {@code user_agent} value. */
  private static byte[] invalidUtf8(byte[] payload) {
    byte[] marker = "\"user_agent\":\"".getBytes(StandardCharsets.US_ASCII);
    int at = -1;
    outer:
    for (int i = 0; i <= payload.length - marker.length; i++) {
      for (int j = 0; j < marker.length; j++) {
        if (payload[i + j] != marker[j]) {
          continue outer;
        }
      }
      at = i + marker.length;
      break;
    }
    if (at < 0) {
      throw new IllegalStateException("The base payload has no user_agent");
    }
    byte[] out = new byte[payload.length + 2];
    System.arraycopy(payload, 0, out, 0, at);
    out[at] = (byte) 0xC3;
    out[at + 1] = (byte) 0x28;
    System.arraycopy(payload, at, out, at + 2, payload.length - at);
    return out;
  }

  private LinkedHashMap<String, Object> parse(byte[] payload) {
    try {
      return mapper.readValue(payload, MAP);
    } catch (IOException e) {
      throw new UncheckedIOException("The base payload of a malformed record does not parse", e);
    }
  }

  private byte[] write(Map<String, Object> event) {
    try {
      return mapper.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("Cannot serialize a malformed record", e);
    }
  }

  private static String filler(int length, SplittableRandom random) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = FILLER[random.nextInt(FILLER.length)];
    }
    return new String(chars);
  }

  private static <T> T pick(List<T> values, SplittableRandom random) {
    return values.get(random.nextInt(values.size()));
  }
}
