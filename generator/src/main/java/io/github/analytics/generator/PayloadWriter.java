package io.github.analytics.generator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Serializes events to the wire format with one long-lived streaming {@link JsonGenerator}. Field
 * order is fixed: {@code event_id, event_type, user_id, session_id, properties, client_timestamp,
 * server_timestamp, app_version, platform, client_ip, user_agent}. A page view's properties are {@code
 * page}, then {@code referrer} if any, then {@code utm_source, utm_medium, utm_campaign} if tagged.
 */
final class PayloadWriter {
  private static final SerializedString EVENT_ID = new SerializedString("event_id");
  private static final SerializedString EVENT_TYPE = new SerializedString("event_type");
  private static final SerializedString USER_ID = new SerializedString("user_id");
  private static final SerializedString SESSION_ID = new SerializedString("session_id");
  private static final SerializedString PROPERTIES = new SerializedString("properties");
  private static final SerializedString CLIENT_TIMESTAMP = new SerializedString("client_timestamp");
  private static final SerializedString SERVER_TIMESTAMP = new SerializedString("server_timestamp");
  private static final SerializedString APP_VERSION = new SerializedString("app_version");
  private static final SerializedString PLATFORM = new SerializedString("platform");
  private static final SerializedString CLIENT_IP = new SerializedString("client_ip");
  private static final SerializedString USER_AGENT = new SerializedString("user_agent");
  private static final SerializedString PAGE = new SerializedString("page");
  private static final SerializedString REFERRER = new SerializedString("referrer");
  private static final SerializedString UTM_SOURCE = new SerializedString("utm_source");
  private static final SerializedString UTM_MEDIUM = new SerializedString("utm_medium");
  private static final SerializedString UTM_CAMPAIGN = new SerializedString("utm_campaign");
  private static final SerializedString ELEMENT = new SerializedString("element");
  private static final SerializedString PRODUCT_ID = new SerializedString("product_id");
  private static final SerializedString QUANTITY = new SerializedString("quantity");
  private static final SerializedString PRICE = new SerializedString("price");
  private static final SerializedString CURRENCY = new SerializedString("currency");
  private static final SerializedString REVENUE = new SerializedString("revenue");
  private static final SerializedString ORDER_ID = new SerializedString("order_id");
  private static final SerializedString ITEMS = new SerializedString("items");
  private static final SerializedString ERROR_CODE = new SerializedString("error_code");
  private static final SerializedString MESSAGE = new SerializedString("message");

  /** What precedes the server timestamp's value in every payload this class writes. */
  private static final byte[] SERVER_TIMESTAMP_PREFIX =
      "\"server_timestamp\":\"".getBytes(StandardCharsets.US_ASCII);

  private final Buffer buffer = new Buffer();
  private final JsonGenerator generator;
  private final byte[] uuid = new byte[Formats.UUID_LENGTH];
  private final byte[] timestamp = new byte[Formats.TIMESTAMP_LENGTH];
  /** The epoch day whose date part is in {@link #timestamp}; consecutive events share it. */
  private long timestampDay = Long.MIN_VALUE;
  /**
   * Pre-encoded strings of the finite vocabulary (types, platforms, versions, user agents, pages,
   * elements, errors, currencies): escaping them once instead of per event is most of the speed.
   */
  private final Map<String, SerializedString> quoted = new HashMap<>();
  private final Map<String, SerializedString> internalReferrers = new HashMap<>();

  PayloadWriter() {
    try {
      generator = new JsonFactory().createGenerator(buffer);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    generator.setRootValueSeparator(null);
  }

  /** The payload of {@code draft} by {@code user}. */
  byte[] write(
      EventDraft draft,
      User user,
      byte[] sessionId,
      long eventIdMost,
      long eventIdLeast,
      long clientTimestampMillis,
      long serverTimestampMillis) {
    try {
      JsonGenerator g = generator;
      g.writeStartObject();
      g.writeFieldName(EVENT_ID);
      Formats.uuid(eventIdMost, eventIdLeast, uuid);
      g.writeRawUTF8String(uuid, 0, uuid.length);
      g.writeFieldName(EVENT_TYPE);
      g.writeString(quoted(draft.type));
      g.writeFieldName(USER_ID);
      g.writeRawUTF8String(user.idBytes, 0, user.idBytes.length);
      g.writeFieldName(SESSION_ID);
      g.writeRawUTF8String(sessionId, 0, sessionId.length);
      g.writeFieldName(PROPERTIES);
      writeProperties(g, draft, user);
      g.writeFieldName(CLIENT_TIMESTAMP);
      writeTimestamp(g, clientTimestampMillis);
      g.writeFieldName(SERVER_TIMESTAMP);
      writeTimestamp(g, serverTimestampMillis);
      g.writeFieldName(APP_VERSION);
      g.writeString(quoted(user.appVersion));
      g.writeFieldName(PLATFORM);
      g.writeString(quoted(user.platform));
      g.writeFieldName(CLIENT_IP);
      g.writeRawUTF8String(user.ipBytes, 0, user.ipBytes.length);
      g.writeFieldName(USER_AGENT);
      g.writeString(quoted(user.userAgent));
      g.writeEndObject();
      g.flush();
      return buffer.take();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot serialize an event to memory", e);
    }
  }

  private void writeTimestamp(JsonGenerator g, long epochMillis) throws IOException {
    long day = Math.floorDiv(epochMillis, 86_400_000L);
    if (day != timestampDay) {
      Formats.date(day, timestamp, 0);
      timestampDay = day;
    }
    Formats.time((int) Math.floorMod(epochMillis, 86_400_000L), timestamp, 0);
    g.writeRawUTF8String(timestamp, 0, timestamp.length);
  }

  private SerializedString quoted(String value) {
    SerializedString s = quoted.get(value);
    if (s == null) {
      s = new SerializedString(value);
      quoted.put(value, s);
    }
    return s;
  }

  private void writeProperties(JsonGenerator g, EventDraft draft, User user) throws IOException {
    g.writeStartObject();
    switch (draft.type) {
      case Catalog.PAGE_VIEW:
        g.writeFieldName(PAGE);
        g.writeString(quoted(draft.page));
        if (draft.referrerPage != null) {
          SerializedString referrer = internalReferrers.get(draft.referrerPage);
          if (referrer == null) {
            referrer = new SerializedString(Catalog.SHOP_ORIGIN + draft.referrerPage);
            internalReferrers.put(draft.referrerPage, referrer);
          }
          g.writeFieldName(REFERRER);
          g.writeString(referrer);
        } else if (draft.referrer != null && !draft.referrer.isEmpty()) {
          g.writeFieldName(REFERRER);
          g.writeString(quoted(draft.referrer));
        }
        if (draft.utm != null) {
          g.writeFieldName(UTM_SOURCE);
          g.writeString(quoted(draft.utm.source()));
          g.writeFieldName(UTM_MEDIUM);
          g.writeString(quoted(draft.utm.medium()));
          g.writeFieldName(UTM_CAMPAIGN);
          g.writeString(quoted(draft.utm.campaign()));
        }
        break;
      case Catalog.CLICK:
        g.writeFieldName(ELEMENT);
        g.writeString(quoted(draft.element));
        g.writeFieldName(PAGE);
        g.writeString(quoted(draft.page));
        break;
      case Catalog.ADD_TO_CART:
        g.writeFieldName(PRODUCT_ID);
        g.writeString(draft.productId);
        g.writeFieldName(QUANTITY);
        g.writeNumber(draft.quantity);
        g.writeFieldName(PRICE);
        g.writeNumber(Catalog.money(draft.amountUsdCents, user.currency));
        g.writeFieldName(CURRENCY);
        g.writeString(quoted(user.currency.code()));
        break;
      case Catalog.PURCHASE:
        g.writeFieldName(REVENUE);
        g.writeNumber(Catalog.money(draft.amountUsdCents, user.currency));
        g.writeFieldName(CURRENCY);
        g.writeString(quoted(user.currency.code()));
        g.writeFieldName(ORDER_ID);
        g.writeString(draft.orderId);
        g.writeFieldName(ITEMS);
        g.writeNumber(draft.items);
        break;
      case Catalog.ERROR:
        g.writeFieldName(ERROR_CODE);
        g.writeString(quoted(draft.error.code()));
        g.writeFieldName(MESSAGE);
        g.writeString(quoted(draft.error.message()));
        g.writeFieldName(PAGE);
        g.writeString(quoted(draft.page));
        break;
      default:
        throw new IllegalStateException("Unknown event type " + draft.type);
    }
    g.writeEndObject();
  }

  /**
   * A copy of {@code payload} (written by this class) with another {@code server_timestamp}: what a
   * client retry of the same event looks like.
   */
  static byte[] withServerTimestamp(byte[] payload, long serverTimestampMillis) {
    int at = indexOf(payload, SERVER_TIMESTAMP_PREFIX);
    if (at < 0) {
      throw new IllegalArgumentException("The payload has no server_timestamp to replace");
    }
    byte[] copy = Arrays.copyOf(payload, payload.length);
    Formats.timestamp(serverTimestampMillis, copy, at + SERVER_TIMESTAMP_PREFIX.length);
    return copy;
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

  /** A byte buffer whose content can be taken and cleared in one step. */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer() {
      super(1024);
    }

    byte[] take() {
      byte[] bytes = Arrays.copyOf(buf, count);
      count = 0;
      return bytes;
    }
  }
}
