package io.github.analytics.transforms.warehouse;

import io.github.analytics.transforms.PipelineCounters;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The first day each user sent each event type, and any event ({@value UserHistory#ANY}), over all
 * runs: who is new on a day, for retention cohorts and lifecycle.
 *
 * <p>Out: {@link #SCHEMA}, one row per (user, event type) whose first day lies in the run's days or
 * the {@value #MOVES} after them. A first day before the run was recorded by the run of that day and
 * stays; a user seen for the first time gets their rows from this run; a user the run finds before
 * the day recorded for them, up to {@value #MOVES} days later, gets the earlier row and loses the later
 * one. A move of more days leaves the later row (its day is not rewritten), counted in {@link
 * PipelineCounters#FIRST_SEEN_MOVED_EARLIER}: readers take the earliest row per (user, event type), as
 * {@link UserHistories} does.
 */
public final class FirstSeen extends WarehouseMetric {
  private static final long serialVersionUID = 1L;

  public static final String NAME = "user_first_seen";

  public static final Schema SCHEMA =
      Schema.builder()
          .addStringField("user_id")
          .addStringField("event_type")
          .addDateTimeField("first_seen_day")
          .build();

  public static final List<String> KEY_COLUMNS = List.of("first_seen_day", "user_id", "event_type");

  /**
   * How many days after its own a run rewrites the metrics that depend on users' first days, so that
   * a user found earlier than recorded (late arrivals, a backfill of the days before) moves out of
   * the later day's rows within the same run. Moves of more days are counted in {@link
   * PipelineCounters#FIRST_SEEN_MOVED_EARLIER} and corrected when those days run again.
   */
  public static final int MOVES = 30;

  private FirstSeen(@Nullable DayRange run) {
    super(run);
  }

  public static FirstSeen of(@Nullable DayRange run) {
    return new FirstSeen(run);
  }

  @Override
  public Schema outputSchema() {
    return SCHEMA;
  }

  @Override
  public List<String> keyColumns() {
    return KEY_COLUMNS;
  }

  /**
   * The run's days and the {@value #MOVES} after them: a user the run finds before the first day the
   * warehouse recorded for them, up to {@value #MOVES} days later, loses that row here.
   */
  @Override
  public DayRange replacedDays(DayRange run) {
    return DayRange.of(run.from(), run.to().plusDays(MOVES));
  }

  @Override
  public DayRange readDays(DayRange run) {
    return replacedDays(run);
  }

  @Override
  public PCollection<Row> expand(PCollection<UserHistory> histories) {
    return histories.apply("FirstDays", ParDo.of(new FirstDaysFn(replaced()))).setRowSchema(SCHEMA);
  }

  private static final class FirstDaysFn extends DoFn<UserHistory, Row> {
    private static final long serialVersionUID = 1L;
    private final DayRange days;
    private final Counter moved = PipelineCounters.counter(PipelineCounters.FIRST_SEEN_MOVED_EARLIER);

    FirstDaysFn(DayRange days) {
      this.days = days;
    }

    @ProcessElement
    public void process(@Element UserHistory user, OutputReceiver<Row> out) {
      for (Map.Entry<String, Long> first : user.firstSeen().entrySet()) {
        if (days.contains(first.getValue())) {
          out.output(Row.withSchema(SCHEMA).attachValues(
              user.userId(), first.getKey(), new Instant(first.getValue() * Periods.DAY_MILLIS)));
        }
      }
      long recorded = user.recordedFirstSeen();
      if (recorded != UserHistory.NONE && recorded > days.toEpochDay()
          && days.contains(user.firstSeen(UserHistory.ANY))) {
        // Recorded after the days this run rewrites: that row stays until its day runs again.
        moved.inc();
      }
    }
  }
}
