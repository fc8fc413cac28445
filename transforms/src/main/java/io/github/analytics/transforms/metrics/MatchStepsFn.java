package io.github.analytics.transforms.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Turns each event into a {@link FunnelMark} per funnel it matters to, keyed by (user_id, funnel):
 * funnels where it matches a step, and every strict funnel (where any event of the user breaks an
 * attempt). The properties JSON is parsed at most once per event, and only when a step with property
 * matches has the event's type. Output timestamps are the input's (event time).
 */
final class MatchStepsFn extends DoFn<Event, KV<Row, FunnelMark>> {
  private static final long serialVersionUID = 1L;

  private final List<FunnelDefinition> funnels;
  private final Counter unreadable =
      PipelineCounters.counter(PipelineCounters.FUNNEL_PROPERTIES_UNREADABLE);
  private transient @Nullable ObjectMapper mapper;

  MatchStepsFn(List<FunnelDefinition> funnels) {
    this.funnels = List.copyOf(funnels);
  }

  @Setup
  public void setup() {
    mapper = new ObjectMapper();
  }

  @ProcessElement
  public void process(
      @Element Event event, @Timestamp Instant timestamp, OutputReceiver<KV<Row, FunnelMark>> out) {
    JsonNode properties = null;
    boolean parsed = false;
    for (FunnelDefinition funnel : funnels) {
      int steps = 0;
      List<FunnelStep> funnelSteps = funnel.steps();
      for (int i = 0; i < funnelSteps.size(); i++) {
        FunnelStep step = funnelSteps.get(i);
        if (!step.eventType().equals(event.getEventType())) {
          continue;
        }
        if (!step.properties().isEmpty() && !parsed) {
          properties = parse(event.getProperties());
          parsed = true;
        }
        if (step.matchesProperties(properties)) {
          steps |= 1 << i;
        }
      }
      if (steps != 0 || funnel.order() == FunnelOrder.STRICT) {
        out.output(
            KV.of(
                Keys.row(event.getUserId(), funnel.name()),
                new FunnelMark(timestamp.getMillis(), event.getEventId(), steps)));
      }
    }
  }

  private @Nullable JsonNode parse(@Nullable String json) {
    try {
      JsonNode node = json == null ? null : mapper.readTree(json);
      if (node != null && node.isObject()) {
        return node;
      }
    } catch (JsonProcessingException e) {
      // Counted below: parsing validated the properties, so this means a changed upstream.
    }
    unreadable.inc();
    return null;
  }
}
