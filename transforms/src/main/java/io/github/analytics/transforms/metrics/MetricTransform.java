package io.github.analytics.transforms.metrics;

import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * A metric: a transform from its input (events, or another metric's rows) to rows of a fixed schema.
 * The schema is known before any pipeline is built, so warehouses can create tables from it and the
 * catalog test can pin it.
 *
 * @param <InputT> {@link io.github.analytics.schemas.Event} for metrics over events, {@link Row} for
 *     metrics derived from another metric's output
 */
public abstract class MetricTransform<InputT>
    extends PTransform<PCollection<InputT>, PCollection<Row>> {
  private static final long serialVersionUID = 1L;

  /** The schema of every row this metric emits. */
  public abstract Schema outputSchema();

  /**
   * The columns whose values identify a row, the day column among them. Panes of the same window, and
   * replays, emit rows with the same key values: sinks write them as absolute values under that key,
   * so a later row replaces an earlier one and nothing is counted twice.
   */
  public abstract List<String> keyColumns();
}
