/**
 * The benchmark suite of issue 6: {@link io.github.analytics.bench.Bench} runs {@link
 * io.github.analytics.bench.Section}s (batch on Flink and Spark beside DuckDB SQL, HLL accuracy beside
 * Redis) and writes their {@link io.github.analytics.bench.Measurement}s, each beside its target, as
 * results.md, results.json and results.svg. Performance is measured here, never asserted in tests.
 */
package io.github.analytics.bench;
