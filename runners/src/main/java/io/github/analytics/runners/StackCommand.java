package io.github.analytics.runners;

import io.github.analytics.stack.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
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
  @Option(names = "--dir", defaultValue = "data/stack",
      description = "Where the broker's log and Redis's files go (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(dir);
    long started = System.nanoTime();
    LocalStack stack = LocalStack.start(dir);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stack.close();
      stopped.countDown();
    }, "stop-local-stack"));
    System.out.printf(Locale.ROOT,
        "Local stack up in %.1f s (files under %s)%n  Kafka  --bootstrapServers=%s%n"
            + "  Redis  --redisHost=%s --redisPort=%d%nCtrl-C stops both.%n",
        (System.nanoTime() - started) / 1e9, dir.toAbsolutePath(), stack.kafka().bootstrapServers(),
        stack.redis().host(), stack.redis().port());
    stopped.await();
    return 0;
  }
}
