package io.github.analytics.bench;

import java.util.List;

/**
 * One section of the benchmark suite: it measures something and returns its rows. {@link Bench}
 * runs the sections the user asks for, one after the other in one JVM, and writes every section's
 * rows to the results files; a section never writes files of its own outside its work directory.
 *
 * <p>Adding a section: implement this interface (public, with a public no-argument constructor) and
 * add it to {@link Sections#all()}. Its rows are {@link Measurement}s whose {@code section} is {@link
 * #name()}; throughput rows in {@link Measurement#EVENTS_PER_SECOND_PER_CORE} are drawn in the chart.
 * Read sizes from {@link BenchContext#settings()}, keep scratch files under {@link
 * BenchContext#workDir()}, and print progress with {@link BenchContext#log}. A failure is an
 * exception whose message says what to do; {@link Bench} records it in the results and goes on with
 * the next section.
 */
public interface Section {
  /** The name used in {@code --sections} and in every row, lower case: {@code batch}, {@code hll}. */
  String name();

  /** The heading of the section in results.md. */
  String title();

  /** One paragraph under the heading: what is measured, how, and against which baseline. */
  String description();

  /** Measures, and returns the rows in the order they are to be printed. */
  List<Measurement> run(BenchContext context) throws Exception;
}
