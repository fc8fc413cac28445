package io.github.analytics.runners;

import io.github.analytics.stack.FlinkCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code analytics flink-cluster}: a local Flink 1.19 session cluster (a JobManager and a TaskManager
 * in JVMs of their own, from Maven's Flink jars) until Ctrl-C, for trying {@code flink run} with the
 * Flink bundle without a Flink distribution.
 */
@Command(
    name = "flink-cluster",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a local Flink 1.19 session cluster on loopback (JobManager and one TaskManager with "
          + FlinkCluster.SLOTS + " slots, each in its own JVM, the entry points bin/start-cluster.sh"
          + " uses), prints its REST address and the `flink run` command that submits the Flink bundle"
          + " to it, and stops it on Ctrl-C. See deploy/flink/README.md."
    })
final class FlinkClusterCommand implements Callable<Integer> {
  @Option(names = "--dir", defaultValue = "data/flink-cluster",
      description = "Where the configuration (conf/), logs (log/) and temporary files go (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(dir);
    long started = System.nanoTime();
    FlinkCluster cluster = FlinkCluster.start(dir);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      cluster.close();
      stopped.countDown();
    }, "stop-flink-cluster"));
    Path flink = cluster.cliScript();
    System.out.printf(Locale.ROOT,
        "Flink session cluster up in %.1f s: REST API at http://%s (no web UI: flink-runtime-web is not on its classpath), config %s, logs %s%n"
            + "Flink's command line against it (like a distribution's bin/flink): %s%n"
            + "Submit the streaming job from the Flink bundle (mvn -B package -pl runners/flink -am"
            + " -DskipTests builds it), with `./analytics stack` for Kafka and Redis:%n"
            + "  %s run -d -c io.github.analytics.runners.AnalyticsCli"
            + " runners/flink/target/analytics-flink-0.1.0-SNAPSHOT.jar stream --runner=FlinkRunner"
            + " --attachedMode=false --waitUntilFinish=false --checkpointingInterval=10000"
            + " --bootstrapServers=127.0.0.1:PORT --redisUri=redis://127.0.0.1:PORT%n"
            + "List and cancel:  %s list   %s cancel <job id>%n"
            + "Ctrl-C stops the cluster.%n",
        (System.nanoTime() - started) / 1e9, cluster.restAddress(), cluster.confDir(), cluster.logDir(),
        flink, flink, flink, flink);
    stopped.await();
    return 0;
  }
}
