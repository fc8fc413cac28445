package io.github.analytics.transforms;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.ingest.Identifiers;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.beam.sdk.metrics.Counter;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The poison-pill guard: what becomes of an event that makes a step after the parser throw. Such an
 * event would fail its bundle, and a streaming job would restart from its checkpoint onto the same
 * event, again and again. Instead the step leaves the event out, counts it as {@code
 * dead_letter_STEP_FAILED} and emits a {@link DeadLetterReason#STEP_FAILED} dead letter: the event
 * as parsed (in the ingest format, so it reads back through the parser), the step, and the
 * exception. The job runs on, and every other step counts the event.
 *
 * <p>Where the guard runs: each per-user metric's {@code onEvent} in the per-user stage, and each
 * metric's per-event functions written with {@code MetricTransform.perEvent}. Errors ({@link
 * Error}: out of memory, stack overflow) are not caught: they are the worker's, not the event's.
 */
public final class StepFailures {
  private static final JsonFactory JSON = new JsonFactory();

  private StepFailures() {}

  /** The counter of events left out of a step. */
  public static Counter counter() {
    return PipelineCounters.counter(
        PipelineCounters.deadLetterCounterName(DeadLetterReason.STEP_FAILED));
  }

  /** The coder of dead letters in {@code pipeline}: their schema's, as the parser's. */
  public static org.apache.beam.sdk.coders.Coder<DeadLetter> coder(org.apache.beam.sdk.Pipeline pipeline) {
    try {
      return pipeline.getSchemaRegistry().getSchemaCoder(DeadLetter.class);
    } catch (org.apache.beam.sdk.schemas.NoSuchSchemaException e) {
      throw new IllegalStateException("DeadLetter must have a Beam schema", e);
    }
  }

  /** The dead letter of {@code event}, on which {@code step} threw {@code error}. */
  public static DeadLetter deadLetter(Event event, String step, Exception error) {
    String message =
        step + " threw " + Identifiers.printable(error) + " on event " + Identifiers.printable(event.getEventId())
            + "; the event is left out of " + step + " and counted by every other step";
    return DeadLetter.of(
        json(event), DeadLetterReason.STEP_FAILED, message, step, event.getReceivedAt(), null);
  }

  /**
   * The event in the ingest format: every field the parser reads, timestamps as ISO-8601 instants,
   * {@code properties} as the JSON object it holds. Parsing it gives the same event before
   * enrichment, as the steps after the first shuffle see it (a lone surrogate becomes {@code ?}).
   */
  public static byte[] json(Event event) {
    java.io.StringWriter text = new java.io.StringWriter(256 + event.getProperties().length());
    try (JsonGenerator out = JSON.createGenerator(text)) {
      out.writeStartObject();
      out.writeStringField("event_id", event.getEventId());
      out.writeStringField("event_type", event.getEventType());
      out.writeStringField("user_id", event.getUserId());
      out.writeStringField("session_id", event.getSessionId());
      out.writeStringField("platform", event.getPlatform());
      writeNullable(out, "app_version", event.getAppVersion());
      writeNullable(out, "client_ip", event.getClientIp());
      writeNullable(out, "user_agent", event.getUserAgent());
      out.writeStringField("client_timestamp", iso(event.getClientTimestamp()));
      if (event.getServerTimestamp() != null) {
        out.writeStringField("server_timestamp", iso(event.getServerTimestamp()));
      }
      out.writeFieldName("properties");
      out.writeRawValue(event.getProperties());
      out.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("Writing an event as JSON in memory", e);
    }
    // A lone surrogate (which a JSON escape can make) has no UTF-8 form: it is written '?', as the
    // event coder writes it at the first shuffle.
    return text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void writeNullable(JsonGenerator out, String name, @Nullable String value)
      throws IOException {
    if (value != null) {
      out.writeStringField(name, value);
    }
  }

  private static String iso(Instant instant) {
    return java.time.Instant.ofEpochMilli(instant.getMillis()).toString();
  }
}
