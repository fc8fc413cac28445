package io.github.analytics.transforms.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.util.VarInt;

/**
 * What {@link SessionTracker} keeps of one user: the sessions that may still change, in start order,
 * and the end of the gap after the latest session it has let go of ({@code closedBefore}), before which
 * an event can only belong to a session that is gone and is dropped as too late.
 */
final class UserSessions {
  /** One session: what it holds so far, and whether its on-time row has gone out since it changed. */
  static final class Session {
    final SessionSummary summary;
    boolean closed;

    Session(SessionSummary summary, boolean closed) {
      this.summary = summary;
      this.closed = closed;
    }

    long start() {
      return summary.firstMillis();
    }

    long last() {
      return summary.lastMillis();
    }
  }

  static final Coder CODER = new Coder();

  final List<Session> sessions = new ArrayList<>(2);
  long closedBefore = Long.MIN_VALUE;

  static final class Coder extends CustomCoder<UserSessions> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(UserSessions value, OutputStream out) throws IOException {
      VarLongCoder.of().encode(value.closedBefore, out);
      VarInt.encode(value.sessions.size(), out);
      for (Session session : value.sessions) {
        out.write(session.closed ? 1 : 0);
        SessionSummary.CODER.encode(session.summary, out);
      }
    }

    @Override
    public UserSessions decode(InputStream in) throws IOException {
      UserSessions value = new UserSessions();
      value.closedBefore = VarLongCoder.of().decode(in);
      int n = VarInt.decodeInt(in);
      for (int i = 0; i < n; i++) {
        int closed = in.read();
        if (closed != 0 && closed != 1) {
          throw new CoderException("Corrupt session state: flag " + closed);
        }
        value.sessions.add(new Session(SessionSummary.CODER.decode(in), closed == 1));
      }
      return value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Coder;
    }

    @Override
    public int hashCode() {
      return Coder.class.hashCode();
    }
  }
}
