package io.github.analytics.runners.dataflow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Beam arguments for a Dataflow launch: the bundle has no other runner, so it is the default. */
final class DataflowArgs {
  private DataflowArgs() {}

  /** {@code args} with {@code --runner=DataflowRunner} first unless they name a runner. */
  static String[] withDataflowRunner(String[] args) {
    if (Arrays.stream(args).anyMatch(a -> a.startsWith("--runner=") || a.equals("--runner"))) {
      return args.clone();
    }
    List<String> all = new ArrayList<>();
    all.add("--runner=DataflowRunner");
    all.addAll(Arrays.asList(args));
    return all.toArray(String[]::new);
  }
}
