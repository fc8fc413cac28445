/**
 * The streaming sections of the benchmark suite: {@link
 * io.github.analytics.bench.streaming.StreamingThroughputBench} (a pre-loaded backlog through the
 * streaming pipeline on Flink, beside a plain-Java consumer) and {@link
 * io.github.analytics.bench.streaming.FreshnessBench} (produce-to-Redis delay at a fixed rate). Each is
 * a plain class with {@code run(Params)} returning a record of measured figures, and a {@code main}
 * to run it alone; writing results files is left to the suite's writers.
 */
package io.github.analytics.bench.streaming;
