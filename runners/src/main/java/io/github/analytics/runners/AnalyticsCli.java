package io.github.analytics.runners;

import io.github.analytics.alerting.AlertsCommand;
import io.github.analytics.collector.CollectorCommand;
import io.github.analytics.generator.GenerateCommand;
import io.github.analytics.serving.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code analytics}: the one command a user runs. Each subcommand prints its own {@code --help}. */
@Command(
    name = "analytics",
    mixinStandardHelpOptions = true,
    version = "analytics 0.1.0",
    description = "Product analytics on Apache Beam: collect and generate events, run the streaming and batch layers, query the warehouse.",
    subcommands = {
      DemoCommand.class,
      GenerateCommand.class,
      BatchCommand.class,
      BackfillCommand.class,
      StreamCommand.class,
      CollectorCommand.class,
      ServeCommand.class,
      AlertsCommand.class,
      ReplayDeadLettersCommand.class,
      SqlCommand.class,
      StackCommand.class,
      FlinkClusterCommand.class,
      CommandLine.HelpCommand.class
    })
public final class AnalyticsCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line, where an {@link IllegalArgumentException} (a bad option: its message says what
   * to change) prints as one line instead of a stack trace.
   */
  static CommandLine commandLine() {
    return new CommandLine(new AnalyticsCli())
        .setExecutionExceptionHandler(
            (e, command, parsed) -> {
              if (e instanceof IllegalArgumentException) {
                command.getErr().println("analytics " + command.getCommandName() + ": " + e.getMessage());
                return 2;
              }
              throw e;
            });
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
