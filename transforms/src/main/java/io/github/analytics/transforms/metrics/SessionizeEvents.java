package io.github.analytics.transforms.metrics;

import java.util.List;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Groups each user's events into sessions of activity separated by at least {@code gap} of
 * inactivity, in event time, and summarizes each session.
 *
 * <p>In: enriched {@link Event}s, timestamped at event time ({@code event_timestamp}). Out: one row
 * per session and firing, {@link #SCHEMA}.
 *
 * <p>Windowing: Beam's {@link Sessions#withGapDuration session windows} per {@code user_id}, through
 * the injected {@link WindowPolicy}. Each event opens the window {@code [t, t + gap)} and windows that
 * overlap merge, so two events exactly {@code gap} apart are in different sessions and events closer
 * than that are in one. Under a streaming policy a session's row is emitted again, whole, at every
 * early, on-time and late firing. An event that arrives later and bridges two sessions merges them:
 * the merged session has the {@code session_id} of the earlier one, and rows already emitted for the
 * later one are not retracted (Beam has no retractions), so a sink keyed by {@code session_id} keeps
 * that stale row. An event later than the allowed lateness is dropped and changes nothing.
 *
 * <p>Columns:
 *
 * <ul>
 *   <li>{@code session_id}: computed, deterministic: {@code user_id + "-" + session_start} in epoch
 *       milliseconds. An event that arrives late, earlier than the session's first event, changes the
 *       start and so the id, with the same consequence as a merge.
 *   <li>{@code session_start}, {@code session_end}: event times of the first and the last event. The
 *       end is not {@code last + gap}, where Beam's window ends; {@code duration_seconds} is
 *       end - start in whole seconds (rounded down), 0 for a one-event session.
 *   <li>{@code page_views}: events of type {@code page_view}.
 *   <li>{@code first_event_type}, {@code last_event_type}: by event time; among events at the same
 *       millisecond the smallest (first) or largest (last) {@code event_id} decides.
 *   <li>{@code revenue}: the sum of the numeric {@code revenue} property of {@code purchase} events. A
 *       purchase whose properties have no numeric revenue (missing, a string, not JSON) adds 0 and is
 *       counted in {@link PipelineCounters#PURCHASE_REVENUE_INVALID}.
 *   <li>{@code client_session_id}: the session id the client sent on most of the session's events,
 *       the smallest one on a tie; {@code client_session_ids}: how many distinct ones it sent.
 * </ul>
 *
 * <p>Client and computed sessions: the client's {@code session_id} is what the app believed; the
 * computed session, from the gap in event time, is authoritative here, because it is the same for every
 * client and survives app restarts and clock changes. The two usually agree. A computed session whose
 * events carry more than one client id (the app rotated its id mid-activity, or two app sessions fall
 * within one gap) is counted in {@link PipelineCounters#SESSIONS_WITH_SEVERAL_CLIENT_IDS}, once per
 * computed session. Rule: a small per-user step counts a session at the first pane that shows several
 * ids, ignores its later panes, and, when counted sessions merge into one, takes back all but one. So
 * once every pane has fired the counter is the number of final sessions with several client ids, in
 * batch and in streaming alike. (A rule on pane timing alone cannot do this: under the streaming policy
 * a session whose last event fired early gets no on-time pane, as empty on-time panes are skipped.)
 * Limit: the step forgets a user 2 x (gap + allowed lateness) after the end of the user's latest
 * session it has seen; a merged pane that reaches it later than that, possible only when the
 * watermark jumps that far ahead of a session the step has not seen yet, is counted again. A client
 * id spanning two computed sessions is not counted; it shows as one {@code client_session_id} on two
 * rows.
 *
 * <pre>{@code
 * PCollection<Row> sessions =
 *     events.apply(SessionizeEvents.of(WindowPolicy.batch(), Duration.standardMinutes(30)));
 * }</pre>
 */
public final class SessionizeEvents extends MetricTransform<Event> {
  private static final long serialVersionUID = 1L;

  public static final Schema SCHEMA =
      Schema.builder()
          .addStringField("user_id")
          .addStringField("session_id")
          .addDateTimeField("session_start")
          .addDateTimeField("session_end")
          .addInt64Field("duration_seconds")
          .addInt64Field("event_count")
          .addInt64Field("page_views")
          .addStringField("first_event_type")
          .addStringField("last_event_type")
          .addDoubleField("revenue")
          .addStringField("client_session_id")
          .addInt64Field("client_session_ids")
          .build();

  /** The columns that identify a row: a later row with the same values replaces it. */
  public static final List<String> KEY_COLUMNS = List.of("user_id", "session_start");

  static final String PAGE_VIEW = "page_view";
  static final String PURCHASE = "purchase";
  static final String REVENUE = "revenue";

  /** Thread-safe once built; the parser has already checked that properties is a JSON object. */
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final WindowPolicy policy;
  private final Duration gap;

  private SessionizeEvents(WindowPolicy policy, Duration gap) {
    if (policy == null) {
      throw new IllegalArgumentException("SessionizeEvents needs a WindowPolicy, got null");
    }
    if (gap == null || !gap.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "The session gap must be positive, got " + gap + "; the default is "
              + MetricConfig.DEFAULT_SESSION_GAP);
    }
    this.policy = policy;
    this.gap = gap;
  }

  /** Sessions closed by {@code gap} of inactivity, emitted as {@code policy} says. */
  public static SessionizeEvents of(WindowPolicy policy, Duration gap) {
    return new SessionizeEvents(policy, gap);
  }

  /** A copy with another inactivity gap. */
  public SessionizeEvents withGap(Duration value) {
    return new SessionizeEvents(policy, value);
  }

  public Duration gap() {
    return gap;
  }

  @Override
  public Schema outputSchema() {
    return SCHEMA;
  }

  @Override
  public List<String> keyColumns() {
    return KEY_COLUMNS;
  }

  @Override
  public PCollection<Row> expand(PCollection<Event> events) {
    PCollection<Row> sessions =
        events
            .apply("Summarize", ParDo.of(new SummarizeEventFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), SessionSummary.CODER))
            .apply("IntoSessions",
                policy.<KV<String, SessionSummary>>window(Sessions.withGapDuration(gap)))
            .apply("CombineSessions", Combine.perKey(new SessionFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), SessionSummary.CODER))
            .apply("ToRows", ParDo.of(new SessionRowFn()))
            .setRowSchema(SCHEMA);
    sessions
        .apply("WithSeveralClientIds", Filter.by((Row r) -> r.getInt64("client_session_ids") > 1))
        .apply("KeyByUser",
            WithKeys.of((Row r) -> r.getString("user_id")).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), sessions.getCoder()))
        .apply("IntoGlobalWindow", Window.<KV<String, Row>>into(new GlobalWindows()))
        .apply("CountSeveralClientIds",
            ParDo.of(new SeveralClientIdsFn(
                gap.plus(policy.allowedLateness()).multipliedBy(2))));
    return sessions;
  }

  /**
   * The revenue of a purchase: the {@code revenue} property of the JSON object {@code properties}, if
   * it is a finite JSON number; empty otherwise.
   */
  static OptionalDouble revenue(String properties) {
    JsonNode root;
    try {
      root = JSON.readTree(properties);
    } catch (JsonProcessingException e) {
      return OptionalDouble.empty();
    }
    // get() is null for a missing field and for a root that is not an object.
    JsonNode value = root == null ? null : root.get(REVENUE);
    if (value != null && value.isNumber() && Double.isFinite(value.doubleValue())) {
      return OptionalDouble.of(value.doubleValue());
    }
    return OptionalDouble.empty();
  }

  /** Keys each event by user and reduces it to a one-event summary, with its revenue parsed once. */
  static final class SummarizeEventFn extends DoFn<Event, KV<String, SessionSummary>> {
    private static final long serialVersionUID = 1L;

    private final Counter invalidRevenue =
        PipelineCounters.counter(PipelineCounters.PURCHASE_REVENUE_INVALID);

    @ProcessElement
    public void process(@Element Event event, OutputReceiver<KV<String, SessionSummary>> out) {
      double revenue = 0;
      if (PURCHASE.equals(event.getEventType())) {
        OptionalDouble parsed = revenue(event.getProperties());
        if (parsed.isPresent()) {
          revenue = parsed.getAsDouble();
        } else {
          invalidRevenue.inc();
        }
      }
      out.output(
          KV.of(
              event.getUserId(),
              SessionSummary.ofEvent(
                  event.getEventId(),
                  event.getEventType(),
                  event.getEventTimestamp().getMillis(),
                  event.getSessionId(),
                  revenue)));
    }
  }

  /** Merges one-event summaries into a session's; works with merging windows and any pane order. */
  static final class SessionFn extends CombineFn<SessionSummary, SessionSummary, SessionSummary> {
    private static final long serialVersionUID = 1L;

    @Override
    public SessionSummary createAccumulator() {
      return new SessionSummary();
    }

    @Override
    public SessionSummary addInput(SessionSummary accumulator, SessionSummary input) {
      return accumulator.add(input);
    }

    @Override
    public SessionSummary mergeAccumulators(Iterable<SessionSummary> accumulators) {
      SessionSummary merged = new SessionSummary();
      for (SessionSummary accumulator : accumulators) {
        merged.add(accumulator);
      }
      return merged;
    }

    @Override
    public SessionSummary extractOutput(SessionSummary accumulator) {
      // A copy: in accumulating mode the runner keeps adding to the accumulator after a firing.
      return accumulator.copy();
    }

    @Override
    public Coder<SessionSummary> getAccumulatorCoder(
        CoderRegistry registry, Coder<SessionSummary> inputCoder) {
      return SessionSummary.CODER;
    }

    @Override
    public Coder<SessionSummary> getDefaultOutputCoder(
        CoderRegistry registry, Coder<SessionSummary> inputCoder) {
      return SessionSummary.CODER;
    }
  }

  /** One output row per session and pane. */
  static final class SessionRowFn extends DoFn<KV<String, SessionSummary>, Row> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<String, SessionSummary> session, OutputReceiver<Row> out) {
      String user = session.getKey();
      SessionSummary summary = session.getValue();
      if (summary.isEmpty()) {
        return; // Cannot happen: a session window holds at least one event.
      }
      long start = summary.firstMillis();
      long end = summary.lastMillis();
      out.output(
          Row.withSchema(SCHEMA)
              .addValues(
                  user,
                  user + "-" + start,
                  new Instant(start),
                  new Instant(end),
                  (end - start) / 1000,
                  summary.eventCount(),
                  summary.pageViews(),
                  summary.firstEventType(),
                  summary.lastEventType(),
                  summary.revenue(),
                  summary.mainClientSessionId(),
                  (long) summary.distinctClientSessionIds())
              .build());
    }
  }

  /**
   * Counts each computed session with several client ids once, across its panes and merges. Per user
   * it remembers the [start, end] of the sessions it has counted. Session windows only grow by
   * merging, so a pane whose session lies within a counted one is a repeat (or a stale pane of a
   * merged-away part) and is ignored, and a pane whose session contains k counted ones is their
   * merge: it replaces them, and the counter gives back k - 1.
   *
   * <p>The memory of a user is dropped once the watermark is {@code keepFor} past the end of the
   * latest session seen, not each session's own expiry: a merged session's pane is timestamped at
   * the end of the merged window, so it can reach this step after the watermark has passed the expiry
   * of the parts it absorbed.
   */
  static final class SeveralClientIdsFn extends DoFn<KV<String, Row>, Void> {
    private static final long serialVersionUID = 1L;

    private final Duration keepFor;

    private final Counter sessions =
        PipelineCounters.counter(PipelineCounters.SESSIONS_WITH_SEVERAL_CLIENT_IDS);

    @StateId("counted")
    private final StateSpec<ValueState<Map<Long, Long>>> countedSpec =
        StateSpecs.value(MapCoder.of(VarLongCoder.of(), VarLongCoder.of()));

    @TimerId("forget")
    private final TimerSpec forgetSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    /** {@code keepFor}: how long after the end of a user's latest session to remember the user. */
    SeveralClientIdsFn(Duration keepFor) {
      this.keepFor = keepFor;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Row> session,
        @Timestamp Instant timestamp,
        @StateId("counted") ValueState<Map<Long, Long>> counted,
        @TimerId("forget") Timer forget) {
      long start = session.getValue().getDateTime("session_start").getMillis();
      long end = session.getValue().getDateTime("session_end").getMillis();
      Map<Long, Long> stored = counted.read();
      TreeMap<Long, Long> endByStart = stored == null ? new TreeMap<>() : new TreeMap<>(stored);
      int contained = 0;
      for (Iterator<Map.Entry<Long, Long>> it = endByStart.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Long, Long> known = it.next();
        if (known.getKey() <= start && end <= known.getValue()) {
          return; // Already counted: a later pane of this session or a stale pane of a merged part.
        }
        if (start <= known.getKey() && known.getValue() <= end) {
          it.remove();
          contained++;
        }
      }
      if (contained == 0) {
        sessions.inc();
      } else if (contained > 1) {
        sessions.dec(contained - 1);
      }
      endByStart.put(start, end);
      counted.write(endByStart);
      long latestEnd = Collections.max(endByStart.values());
      forget.set(new Instant(Math.max(latestEnd + keepFor.getMillis(), timestamp.getMillis())));
    }

    @OnTimer("forget")
    public void onForget(@StateId("counted") ValueState<Map<Long, Long>> counted) {
      counted.clear();
    }
  }
}
