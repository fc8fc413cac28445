package io.github.analytics.runners;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns on Flink's object reuse ({@code --objectReuse=true}) for jobs the CLI starts on Flink. Without
 * it Flink copies every element handed from one chained operator to the next, which Beam's runner does
 * by encoding and decoding it with its coder; Beam's model forbids changing an element once output,
 * and the direct runner's immutability checks catch that in this project's tests.
 *
 * <p>Why not Beam's {@code --fasterCopy}, which removes the same copies: it also makes the state
 * serializers' {@code copy()} return the object itself, and Flink's heap state backend relies on that
 * copy to keep an asynchronous snapshot apart from the task, which changes accumulators (counts,
 * sketches, per-user state) in place. Object reuse leaves state alone, so heap checkpoints stay exact.
 * An explicit {@code --objectReuse} or {@code --fasterCopy} is left alone.
 */
final class FlinkObjectReuse {
  static final String OPTION = "--objectReuse=true";

  private FlinkObjectReuse() {}

  /** {@code args} plus {@code --objectReuse=true} when they run on Flink and choose no copying mode. */
  static List<String> withObjectReuse(List<String> args) {
    boolean chosen =
        args.stream().anyMatch(a -> a.startsWith("--objectReuse") || a.startsWith("--fasterCopy"));
    if (!EmbeddedFlinkCheckpoints.runsOnFlink(args) || chosen) {
      return args;
    }
    List<String> out = new ArrayList<>(args);
    out.add(OPTION);
    return out;
  }
}
