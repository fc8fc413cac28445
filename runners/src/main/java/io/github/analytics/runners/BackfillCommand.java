package io.github.analytics.runners;

import io.github.analytics.pipelines.options.S3Settings;
import io.github.analytics.pipelines.BackfillOptions;
import io.github.analytics.pipelines.backfill.Backfill;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code analytics backfill --from 2026-11-01 --to 2026-11-07 [beam options]}: the batch layer one day
 * at a time, skipping days already complete, with a summary and a non-zero exit if a day failed.
 */
@Command(
    name = "backfill",
    description = {
      "Runs the batch layer over a range of days, one job per day, and can be run again safely:",
      "days already complete (a completion marker, and the archive unchanged since) are skipped,",
      "each day's rows are replaced rather than added, and the exit code is 1 if any day failed.",
      "  analytics backfill --from 2026-11-01 --to 2026-11-07 --runner=FlinkRunner",
      "  analytics backfill --from 2026-11-01 --to 2026-11-07 --force      (re-run every day)",
      "Every option of `analytics batch` applies; `analytics backfill --help` lists them."
    },
    mixinStandardHelpOptions = false)
final class BackfillCommand implements Callable<Integer> {
  /** Everything after {@code backfill}: Beam parses it, after --from/--to are renamed. */
  @Unmatched List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    PipelineOptionsFactory.register(BackfillOptions.class);
    if (args.contains("--help") || args.contains("-h")) {
      System.out.println("analytics backfill --from YYYY-MM-DD --to YYYY-MM-DD [options]\n"
          + "  --from and --to are --fromDate and --toDate below (inclusive UTC days).\n"
          + "  Without --runner: --runner=FlinkRunner --flinkMaster=[local] (embedded Flink).\n");
      PipelineOptionsFactory.printHelp(System.out, BackfillOptions.class);
      return 0;
    }
    BackfillOptions options =
        PipelineOptionsFactory.fromArgs(
                S3Settings.withoutRegionProbe(
                        SparkDefaults.batch(FlinkDefaults.batch(BatchCommand.withDefaultRunner(beamArgs(args)))))
                    .toArray(String[]::new))
            .withValidation()
            .as(BackfillOptions.class);
    return Backfill.succeeded(Backfill.run(options, System.out)) ? 0 : 1;
  }

  /** {@code --from X}, {@code --from=X}, {@code --to X}, {@code --to=X} as Beam's --fromDate/--toDate. */
  static List<String> beamArgs(List<String> args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String renamed = rename(arg);
      if (renamed != null && !arg.contains("=")) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(arg + " needs a date, e.g. " + arg + " 2026-11-01");
        }
        out.add(renamed + "=" + args.get(++i));
      } else if (renamed != null) {
        out.add(renamed + arg.substring(arg.indexOf('=')));
      } else {
        out.add(arg);
      }
    }
    return out;
  }

  private static String rename(String arg) {
    String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
    switch (name) {
      case "--from":
        return "--fromDate";
      case "--to":
        return "--toDate";
      default:
        return null;
    }
  }
}
