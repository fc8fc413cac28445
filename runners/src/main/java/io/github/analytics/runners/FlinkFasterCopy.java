package io.github.analytics.runners;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns on Beam's {@code --fasterCopy} for jobs the CLI starts on Flink. Without it the Flink runner
 * copies every element handed from one chained operator to the next by encoding and decoding it with
 * its coder, to protect a step that changes its input or output in place. Beam's model forbids that,
 * and the direct runner's immutability checks catch it in this project's tests. The streaming job's
 * events fan out to every metric of the catalog, so the copies were about a quarter of its ingest
 * work (see {@code bench/}). An explicit {@code --fasterCopy=false} is left alone.
 */
final class FlinkFasterCopy {
  static final String OPTION = "--fasterCopy=true";

  private FlinkFasterCopy() {}

  /** {@code args} plus {@code --fasterCopy=true} when they run on Flink and say nothing of it. */
  static List<String> withFasterCopy(List<String> args) {
    boolean chosen = args.stream().anyMatch(a -> a.startsWith("--fasterCopy"));
    if (!EmbeddedFlinkCheckpoints.runsOnFlink(args) || chosen) {
      return args;
    }
    List<String> out = new ArrayList<>(args);
    out.add(OPTION);
    return out;
  }
}
