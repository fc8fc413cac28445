/**
 * The serving layer: {@link io.github.analytics.serving.QueryServer}, the HTTP/JSON query API over the
 * streaming layer's Redis ({@link io.github.analytics.serving.LiveMetrics}), started by {@code analytics
 * serve}. No Beam: it reads the key layout the README documents.
 */
package io.github.analytics.serving;
