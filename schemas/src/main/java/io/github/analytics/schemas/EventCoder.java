package io.github.analytics.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.VarInt;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The binary form of an {@link Event} on every shuffle and in state: one frame (its length, then its
 * bytes, so a stream sees two calls per event, see {@link Frames}) holding a bit set of the optional
 * fields present, then each field in schema order (strings as varint length and UTF-8, instants as 8-byte
 * epoch milliseconds, a canonical {@code event_id} as its 16 UUID bytes).
 *
 * <p>Why not the schema coder Beam infers from {@link Event}: that one converts the AutoValue object
 * to a {@code Row} through generated getters and encodes the row field by field through a coder per
 * field, for every element on every hop; this writes the fields straight from the getters. The
 * schema stays the model of the warehouse tables, which the sinks derive from it.
 *
 * <pre>{@code
 * PCollection<Event> events = parsed.setCoder(EventCoder.of());
 * }</pre>
 */
public final class EventCoder extends AtomicCoder<Event> {
  private static final long serialVersionUID = 1L;
  private static final EventCoder INSTANCE = new EventCoder();

  // Bits of the header: which nullable fields follow, and how event_id is written.
  private static final int PACKED_ID = 1;
  private static final int SERVER_TIMESTAMP = 1 << 1;
  private static final int APP_VERSION = 1 << 2;
  private static final int CLIENT_IP = 1 << 3;
  private static final int USER_AGENT = 1 << 4;
  private static final int COUNTRY = 1 << 5;
  private static final int REGION = 1 << 6;
  private static final int CITY = 1 << 7;
  private static final int DEVICE_TYPE = 1 << 8;
  private static final int OS = 1 << 9;
  private static final int BROWSER = 1 << 10;
  private static final int KNOWN_BITS = (1 << 11) - 1;

  private EventCoder() {}

  public static EventCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(Event event, OutputStream out) throws IOException {
    if (event == null) {
      throw new CoderException("Cannot encode a null Event");
    }
    boolean packed = BinaryFields.isCanonicalUuid(event.getEventId());
    int header = (packed ? PACKED_ID : 0)
        | bit(event.getServerTimestamp(), SERVER_TIMESTAMP)
        | bit(event.getAppVersion(), APP_VERSION)
        | bit(event.getClientIp(), CLIENT_IP)
        | bit(event.getUserAgent(), USER_AGENT)
        | bit(event.getCountry(), COUNTRY)
        | bit(event.getRegion(), REGION)
        | bit(event.getCity(), CITY)
        | bit(event.getDeviceType(), DEVICE_TYPE)
        | bit(event.getOs(), OS)
        | bit(event.getBrowser(), BROWSER);
    Frames.Writer frame = Frames.writer();
    frame.varint(header);
    if (packed) {
      BinaryFields.writeUuid(event.getEventId(), frame);
    } else {
      frame.string(event.getEventId());
    }
    frame.string(event.getEventType());
    frame.string(event.getUserId());
    frame.string(event.getSessionId());
    frame.string(event.getProperties());
    frame.longValue(event.getClientTimestamp().getMillis());
    if (event.getServerTimestamp() != null) {
      frame.longValue(event.getServerTimestamp().getMillis());
    }
    frame.longValue(event.getEventTimestamp().getMillis());
    writeOptional(event.getAppVersion(), frame);
    frame.string(event.getPlatform());
    writeOptional(event.getClientIp(), frame);
    writeOptional(event.getUserAgent(), frame);
    frame.longValue(event.getReceivedAt().getMillis());
    writeOptional(event.getCountry(), frame);
    writeOptional(event.getRegion(), frame);
    writeOptional(event.getCity(), frame);
    writeOptional(event.getDeviceType(), frame);
    writeOptional(event.getOs(), frame);
    writeOptional(event.getBrowser(), frame);
    frame.writeTo(out);
  }

  @Override
  public Event decode(InputStream stream) throws IOException {
    Frames.Reader in = Frames.read(stream);
    int header = in.varint();
    if ((header & ~KNOWN_BITS) != 0) {
      throw new CoderException(
          "Unknown Event encoding header " + Integer.toBinaryString(header)
              + ": the data was written by a newer version of EventCoder");
    }
    Event.Builder event = Event.builder();
    event.setEventId(
        (header & PACKED_ID) != 0 ? BinaryFields.readUuid(in) : in.string());
    event.setEventType(in.string());
    event.setUserId(in.string());
    event.setSessionId(in.string());
    event.setProperties(in.string());
    event.setClientTimestamp(new Instant(in.longValue()));
    if ((header & SERVER_TIMESTAMP) != 0) {
      event.setServerTimestamp(new Instant(in.longValue()));
    }
    event.setEventTimestamp(new Instant(in.longValue()));
    event.setAppVersion(readOptional(header, APP_VERSION, in));
    event.setPlatform(in.string());
    event.setClientIp(readOptional(header, CLIENT_IP, in));
    event.setUserAgent(readOptional(header, USER_AGENT, in));
    event.setReceivedAt(new Instant(in.longValue()));
    event.setCountry(readOptional(header, COUNTRY, in));
    event.setRegion(readOptional(header, REGION, in));
    event.setCity(readOptional(header, CITY, in));
    event.setDeviceType(readOptional(header, DEVICE_TYPE, in));
    event.setOs(readOptional(header, OS, in));
    event.setBrowser(readOptional(header, BROWSER, in));
    in.end();
    return event.build();
  }

  /** Events are AutoValue objects: equal exactly when their encodings are. */
  @Override
  public boolean consistentWithEquals() {
    return true;
  }

  @Override
  public void verifyDeterministic() {}

  private static int bit(@Nullable Object value, int bit) {
    return value == null ? 0 : bit;
  }

  private static void writeOptional(@Nullable String value, Frames.Writer frame) {
    if (value != null) {
      frame.string(value);
    }
  }

  private static @Nullable String readOptional(int header, int bit, Frames.Reader in)
      throws IOException {
    return (header & bit) != 0 ? in.string() : null;
  }
}
