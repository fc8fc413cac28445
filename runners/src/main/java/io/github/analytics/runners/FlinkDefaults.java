package io.github.analytics.runners;

import io.github.analytics.pipelines.options.FlinkBatchSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * The Flink options the CLI adds to the jobs it starts on Flink, unless the command line chooses them.
 *
 * <p><b>Object reuse</b> ({@code --objectReuse=true}, every job). Without it Flink copies every element
 * handed from one chained operator to the next, which Beam's runner does by encoding and decoding it
 * with its coder; Beam's model forbids changing an element once output, and the direct runner's
 * immutability checks catch that in this project's tests. Why not Beam's {@code --fasterCopy}, which
 * removes the same copies: it also makes the state serializers' {@code copy()} return the object
 * itself, and Flink's heap state backend relies on that copy to keep an asynchronous snapshot apart
 * from the task, which changes accumulators (counts, sketches, per-user state) in place. Object reuse
 * leaves state alone, so heap checkpoints stay exact. An explicit {@code --objectReuse} or {@code
 * --fasterCopy} is left alone.
 *
 * <p><b>The DataStream translation of batch jobs</b> ({@code --useDataStreamForBatch=true}, batch
 * only). Beam's older translation of bounded pipelines to Flink's DataSet API chains no operator to
 * a collection that more than one transform reads: every such collection (the parsed events, the
 * unique enriched events each metric reads, every output of a multi-output step) is encoded once and
 * decoded once per reader. The DataStream translation chains them, so the events are encoded only for
 * the shuffle by user; it is also the only translation Flink 2 keeps. A 1M-event day took 63 s
 * instead of 71 s in the bench. An explicit {@code --useDataStreamForBatch} is left alone.
 *
 * <p><b>Every step at the job's parallelism</b> (batch on embedded Flink, {@link FlinkBatchSettings}):
 * Flink's adaptive batch scheduler otherwise gives the step that reads the archive one task.
 */
final class FlinkDefaults {
  static final String OBJECT_REUSE = "--objectReuse=true";
  static final String DATA_STREAM_FOR_BATCH = "--useDataStreamForBatch=true";

  private FlinkDefaults() {}

  /** {@code args} of a streaming job, plus object reuse when they run on Flink and choose no copying mode. */
  static List<String> streaming(List<String> args) {
    boolean chosen =
        args.stream().anyMatch(a -> a.startsWith("--objectReuse") || a.startsWith("--fasterCopy"));
    if (!EmbeddedFlinkCheckpoints.runsOnFlink(args) || chosen) {
      return args;
    }
    List<String> out = new ArrayList<>(args);
    out.add(OBJECT_REUSE);
    return out;
  }

  /**
   * {@code args} of a batch job, plus object reuse (as {@link #streaming}) and the DataStream
   * translation when they run on Flink and do not choose a translation, and on embedded Flink every
   * step at the job's parallelism ({@link FlinkBatchSettings}).
   */
  static List<String> batch(List<String> args) {
    List<String> out = streaming(args);
    if (EmbeddedFlinkCheckpoints.runsOnFlink(args)
        && args.stream().noneMatch(a -> a.startsWith("--useDataStreamForBatch"))) {
      out = new ArrayList<>(out);
      out.add(DATA_STREAM_FOR_BATCH);
    }
    return FlinkBatchSettings.withEveryStepAtFullParallelism(out);
  }
}
