package io.github.analytics.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.joda.time.Instant;

/**
 * The binary form of a {@link RawEvent}: the payload behind its length, the arrival time as 8-byte
 * epoch milliseconds, and the source when there is one. Every record crosses at least one shuffle as
 * a raw event (the streaming archive groups them into files), so it gets a coder of its own rather
 * than the schema coder's row conversion (see {@link EventCoder}).
 */
public final class RawEventCoder extends AtomicCoder<RawEvent> {
  private static final long serialVersionUID = 1L;
  private static final RawEventCoder INSTANCE = new RawEventCoder();

  private RawEventCoder() {}

  public static RawEventCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(RawEvent raw, OutputStream out) throws IOException {
    if (raw == null) {
      throw new CoderException("Cannot encode a null RawEvent");
    }
    BinaryFields.writeBytes(raw.getPayload(), out);
    BinaryFields.writeLong(raw.getReceivedAt().getMillis(), out);
    if (raw.getSource() == null) {
      out.write(0);
    } else {
      out.write(1);
      BinaryFields.writeString(raw.getSource(), out);
    }
  }

  @Override
  public RawEvent decode(InputStream in) throws IOException {
    byte[] payload = BinaryFields.readBytes(in);
    Instant receivedAt = new Instant(BinaryFields.readLong(in));
    int hasSource = in.read();
    if (hasSource < 0 || hasSource > 1) {
      throw new CoderException("Corrupt RawEvent encoding: source flag " + hasSource);
    }
    return RawEvent.of(payload, receivedAt, hasSource == 1 ? BinaryFields.readString(in) : null);
  }

  @Override
  public void verifyDeterministic() {}
}
