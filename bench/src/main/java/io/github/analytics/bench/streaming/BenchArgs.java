package io.github.analytics.bench.streaming;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name=value} arguments of the sections' {@code main}s. Unknown names are refused with the
 * list of known ones; {@code --pipelineArg=--x=y} (repeatable) passes an option to the pipeline.
 */
final class BenchArgs {
  private final Map<String, String> values = new LinkedHashMap<>();
  private final List<String> pipelineArgs = new ArrayList<>();

  private BenchArgs() {}

  static BenchArgs parse(String[] args, Set<String> known, String usage) {
    BenchArgs parsed = new BenchArgs();
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(usage);
        System.exit(0);
      }
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("Arguments are --name=value; got '" + arg + "'.\n" + usage);
      }
      String name = arg.substring(2, eq);
      String value = arg.substring(eq + 1);
      if (name.equals("pipelineArg")) {
        parsed.pipelineArgs.add(value);
      } else if (known.contains(name)) {
        parsed.values.put(name, value);
      } else {
        throw new IllegalArgumentException("Unknown argument --" + name + "; known: " + known + "\n" + usage);
      }
    }
    return parsed;
  }

  List<String> pipelineArgs() {
    return pipelineArgs;
  }

  long getLong(String name, long otherwise) {
    String v = values.get(name);
    return v == null ? otherwise : Long.parseLong(v.replace("_", "").replace(",", ""));
  }

  int getInt(String name, int otherwise) {
    return Math.toIntExact(getLong(name, otherwise));
  }

  boolean getBoolean(String name, boolean otherwise) {
    String v = values.get(name);
    return v == null ? otherwise : Boolean.parseBoolean(v);
  }

  String getString(String name, String otherwise) {
    return values.getOrDefault(name, otherwise);
  }

  Path getPath(String name, Path otherwise) {
    String v = values.get(name);
    return v == null ? otherwise : Path.of(v);
  }

  /** A duration as ISO-8601 ({@code PT60S}) or a number of seconds. */
  Duration getDuration(String name, Duration otherwise) {
    String v = values.get(name);
    if (v == null) {
      return otherwise;
    }
    return v.startsWith("P") || v.startsWith("p") ? Duration.parse(v) : Duration.ofSeconds(Long.parseLong(v));
  }
}
