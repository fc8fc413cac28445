package io.github.analytics.transforms.ingest;

import io.github.analytics.transforms.AnySkew;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.EventCoder;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.transforms.PipelineCounters;
import java.util.EnumMap;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.schemas.NoSuchSchemaException;
import org.apache.beam.sdk.schemas.SchemaRegistry;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;

/**
 * Parses raw JSON records into {@link Event}s; every record that fails validation becomes a {@link
 * DeadLetter} with its original payload, a {@link DeadLetterReason}, a message and the step. Valid
 * events plus dead letters always equal the input, and each outcome is counted (see {@link
 * PipelineCounters}).
 *
 * <p>Input: {@link RawEvent}s in any windowing. Output: events timestamped with their event time
 * ({@link Event#getEventTimestamp()}), and dead letters timestamped with their arrival time.
 *
 * <p>Event time is {@code client_timestamp}, bounded by the collector's clock ({@code server_timestamp},
 * or the arrival time when the collector did not set one): a client clock running fast is capped at the
 * collector's time, and a timestamp more than {@link #withMaxPast maxPast} before or {@link
 * #withMaxFuture maxFuture} after it is dead-lettered as {@link DeadLetterReason#TIMESTAMP_OUT_OF_RANGE}.
 *
 * <pre>{@code
 * WithFailures.Result<PCollection<Event>, DeadLetter> parsed =
 *     raw.apply("ParseEvents", ParseEvents.of().withMaxPayloadBytes(32 * 1024));
 * PCollection<Event> events = parsed.output();
 * PCollection<DeadLetter> deadLetters = parsed.failures();
 * }</pre>
 */
public final class ParseEvents
    extends PTransform<PCollection<RawEvent>, WithFailures.Result<PCollection<Event>, DeadLetter>> {
  private static final long serialVersionUID = 1L;

  /** Larger payloads are dead-lettered; the collector's limit should be the same. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
  /** Larger {@code properties} objects (compact JSON, UTF-8) are dead-lettered. */
  public static final int DEFAULT_MAX_PROPERTIES_BYTES = 16 * 1024;
  /** How far before its arrival an event may claim to have happened (offline clients buffer). */
  public static final Duration DEFAULT_MAX_PAST = Duration.standardDays(30);
  /** How far after its arrival an event may claim to have happened before it is absurd. */
  public static final Duration DEFAULT_MAX_FUTURE = Duration.standardDays(1);

  private static final TupleTag<Event> EVENTS = new TupleTag<Event>() {};
  private static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  private final int maxPayloadBytes;
  private final int maxPropertiesBytes;
  private final Duration maxPast;
  private final Duration maxFuture;

  private ParseEvents(
      int maxPayloadBytes, int maxPropertiesBytes, Duration maxPast, Duration maxFuture) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxPropertiesBytes = maxPropertiesBytes;
    this.maxPast = maxPast;
    this.maxFuture = maxFuture;
  }

  /** Parses with the default limits. */
  public static ParseEvents of() {
    return new ParseEvents(
        DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_PROPERTIES_BYTES, DEFAULT_MAX_PAST, DEFAULT_MAX_FUTURE);
  }

  public ParseEvents withMaxPayloadBytes(int bytes) {
    return new ParseEvents(bytes, maxPropertiesBytes, maxPast, maxFuture);
  }

  public ParseEvents withMaxPropertiesBytes(int bytes) {
    return new ParseEvents(maxPayloadBytes, bytes, maxPast, maxFuture);
  }

  public ParseEvents withMaxPast(Duration maxPast) {
    return new ParseEvents(maxPayloadBytes, maxPropertiesBytes, maxPast, maxFuture);
  }

  public ParseEvents withMaxFuture(Duration maxFuture) {
    return new ParseEvents(maxPayloadBytes, maxPropertiesBytes, maxPast, maxFuture);
  }

  /**
   * This transform's parser for one record at a time, outside a pipeline, with the same limits: for
   * a tool that must decide as the pipelines do ({@link RecordParser}).
   */
  public RecordParser recordParser() {
    validate();
    return new RecordParser(new EventParser(maxPayloadBytes, maxPropertiesBytes, maxPast, maxFuture));
  }

  @Override
  public WithFailures.Result<PCollection<Event>, DeadLetter> expand(PCollection<RawEvent> input) {
    validate();
    PCollectionTuple results =
        input.apply(
            "ParseJson",
            ParDo.of(
                    new ParseFn(
                        new EventParser(maxPayloadBytes, maxPropertiesBytes, maxPast, maxFuture)))
                .withOutputTags(EVENTS, TupleTagList.of(DEAD_LETTERS)));
    // Events cross every shuffle, so they get their own coder; a sink that needs the schema (the
    // warehouse) sets it at the edge. Dead letters are few: their schema coder suits any sink.
    SchemaRegistry schemas = input.getPipeline().getSchemaRegistry();
    try {
      return WithFailures.Result.of(
          results.get(EVENTS).setCoder(EventCoder.of()),
          results.get(DEAD_LETTERS).setCoder(schemas.getSchemaCoder(DeadLetter.class)));
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException("DeadLetter must have a Beam schema", e);
    }
  }

  private void validate() {
    if (maxPayloadBytes <= 0 || maxPropertiesBytes <= 0) {
      throw new IllegalArgumentException(
          "ParseEvents needs positive size limits; got maxPayloadBytes="
              + maxPayloadBytes
              + ", maxPropertiesBytes="
              + maxPropertiesBytes);
    }
    if (maxPast.isShorterThan(Duration.ZERO) || maxFuture.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "ParseEvents needs non-negative clock bounds; got maxPast="
              + maxPast
              + ", maxFuture="
              + maxFuture);
    }
  }

  /** Applies {@link EventParser} to each record and counts the outcome. */
  static final class ParseFn extends DoFn<RawEvent, Event> {
    private static final long serialVersionUID = 1L;

    private final EventParser parser;
    private final Counter input = PipelineCounters.counter(PipelineCounters.PARSE_INPUT);
    private final Counter valid = PipelineCounters.counter(PipelineCounters.PARSE_VALID);
    private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);

    ParseFn(EventParser parser) {
      this.parser = parser;
      for (DeadLetterReason reason : DeadLetterReason.values()) {
        deadLetters.put(
            reason, PipelineCounters.counter(PipelineCounters.deadLetterCounterName(reason)));
      }
    }

    @ProcessElement
    public void processElement(@Element RawEvent raw, MultiOutputReceiver out) {
      input.inc();
      EventParser.Outcome outcome = parser.parseGuarded(raw);
      if (outcome.event != null) {
        valid.inc();
        out.get(EVENTS).outputWithTimestamp(outcome.event, outcome.event.getEventTimestamp());
      } else {
        DeadLetter deadLetter = outcome.deadLetter;
        deadLetters.get(deadLetter.getReasonCode()).inc();
        out.get(DEAD_LETTERS).outputWithTimestamp(deadLetter, raw.getReceivedAt());
      }
    }

    /**
     * In streaming, a record's timestamp is its arrival time, and its event time is at most {@code
     * maxPast} before the collector's clock, its {@code server_timestamp}. That clock is the
     * arrival when the collector stamps it, but a record written to Kafka by another producer may
     * carry any {@code server_timestamp}: one an hour before its arrival, with a {@code
     * client_timestamp} 30 days before that, is valid and lies beyond {@code maxPast}. Any skew is
     * allowed, or such a record would fail the step (on a stream, again on every retry); it is then
     * late downstream, as any old event is.
     */
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return AnySkew.DURATION;
    }
  }
}
