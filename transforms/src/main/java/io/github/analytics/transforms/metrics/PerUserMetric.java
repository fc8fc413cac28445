package io.github.analytics.transforms.metrics;

import io.github.analytics.transforms.users.UserMetric;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * A metric computed in the shared per-user stage ({@link io.github.analytics.transforms.users
 * .UserStage}): its per-user part, and the step that turns that part's values into the metric's rows.
 * {@link ApplyMetricCatalog} runs the per-user parts of every such metric in one stage, so the events
 * are shuffled by user once for all of them; applied on its own, the metric runs a stage of its own.
 *
 * @param <OutputT> what the per-user part emits
 */
public interface PerUserMetric<OutputT> {
  /** The per-user part, for a stage that runs it with others. */
  UserMetric<?, OutputT> userMetric();

  /** The metric's rows, from the values its per-user part emitted. */
  PCollection<Row> rows(PCollection<OutputT> values);
}
