package io.github.analytics.runners;

import io.github.analytics.stack.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code analytics stack}: a real Kafka broker and Redis server on loopback, until Ctrl-C. */
@Command(
    name = "stack",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the local stack: a single-node Kafka broker (KRaft, its own JVM) and redis-server, on"
          + " loopback and free ports, prints where they listen, and stops both on Ctrl-C."
          + " Needs redis-server (apt-get install -y redis-server)."
    })
final class StackCommand implements Callable<Integer> {
  /** The streaming pipeline's default topics, created up front so a job can start before a producer. */
  static final List<String> TOPICS =
      List.of("events", "events.dead_letters", "metrics.events_per_minute", "alerts.anomalies");

  @Option(names = "--dir", defaultValue = "data/stack",
      description = "Where the broker's log and Redis's files go (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(dir);
    long started = System.nanoTime();
    LocalStack stack = LocalStack.start(dir);
    stack.kafka().createTopics(TOPICS.toArray(String[]::new));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stack.close();
      stopped.countDown();
    }, "stop-local-stack"));
    System.out.printf(Locale.ROOT,
        "Local stack up in %.1f s (files under %s)%n  Kafka  --bootstrapServers=%s (topics %s)%n"
            + "  Redis  --redisUri=redis://%s:%d%n"
            + "Publish:  ./analytics generate --kafka %s --format NONE --live --speedup 60%n"
            + "Stream:   ./analytics stream --bootstrapServers=%s --redisUri=redis://%s:%d"
            + " --runner=FlinkRunner --flinkMaster=[local] --checkpointingInterval=10000%n"
            + "Ctrl-C stops both.%n",
        (System.nanoTime() - started) / 1e9, dir.toAbsolutePath(), stack.kafka().bootstrapServers(),
        String.join(", ", TOPICS), stack.redis().host(), stack.redis().port(),
        stack.kafka().bootstrapServers(), stack.kafka().bootstrapServers(), stack.redis().host(),
        stack.redis().port());
    stopped.await();
    return 0;
  }
}
