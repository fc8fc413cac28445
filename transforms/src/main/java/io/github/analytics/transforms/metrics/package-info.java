/**
 * The metrics both layers compute, and their catalog. Each metric is a {@link
 * io.github.analytics.transforms.metrics.MetricTransform} from events (or another metric's rows) to
 * rows of a fixed schema, listed once in {@link io.github.analytics.transforms.metrics.MetricCatalog};
 * the layer that runs it injects the {@link io.github.analytics.transforms.metrics.WindowPolicy}.
 */
package io.github.analytics.transforms.metrics;
