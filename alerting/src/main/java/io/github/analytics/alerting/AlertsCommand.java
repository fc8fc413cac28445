package io.github.analytics.alerting;

import io.github.analytics.serving.LiveMetrics;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** {@code analytics alerts}: the alerting service over the streaming layer's Redis, until Ctrl-C. */
@Command(
    name = "alerts",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluates alerting rules (a YAML file; deploy/alerting/rules.yaml is an example) over the anomaly"
          + " stream and the metrics the streaming job writes to Redis, and notifies a webhook as"
          + " Alertmanager does: grouped, deduplicated, repeated, resolved, silenced; retried with backoff"
          + " until delivered, with a notification log so a restart neither loses nor repeats one."
    })
public final class AlertsCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(AlertsCommand.class);

  @Option(names = "--rules", required = true, description = "The rules file (YAML).")
  Path rules;

  @Option(names = "--redis-uri", defaultValue = "redis://127.0.0.1:6379/0",
      description = "The Redis the streaming job writes, redis://host:port[/db] (default: ${DEFAULT-VALUE}).")
  String redisUri;

  @Option(names = "--state-dir", defaultValue = "data/alerting",
      description = "Where the notification log is kept; keep it across restarts (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--check", description = "Only check the rules file, print what it holds, and exit.")
  boolean check;

  @Override
  public Integer call() throws Exception {
    AlertingConfig config = AlertingConfig.load(rules);
    System.out.printf(Locale.ROOT, "%s: %d rules, %d silences, evaluated every %s; notifications to %s (%s)%n",
        rules, config.rules().size(), config.silences().size(), config.evaluationInterval(),
        config.receiver().url(), config.receiver().name());
    for (AlertingConfig.Rule rule : config.rules()) {
      System.out.printf(Locale.ROOT, "  %-24s %s, for %s, labels %s%n", rule.name(),
          rule.condition() instanceof AlertingConfig.Anomaly ? "anomaly" : "threshold", rule.forDuration(),
          rule.labels());
    }
    if (check) {
      return 0;
    }
    URI uri = URI.create(redisUri);
    if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("--redis-uri must look like redis://host:port[/db], got '" + redisUri + "'");
    }
    try (JedisPool pool = new JedisPool(uri);
        AlertingService service = AlertingService.open(config, new LiveMetrics(pool), stateDir, Clock.systemUTC())) {
      System.out.printf(Locale.ROOT, "Notification log: %s (%d undelivered taken back). Ctrl-C stops.%n",
          stateDir.resolve(NotificationLog.FILE), service.undelivered());
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      long every = config.evaluationInterval().toMillis();
      timer.scheduleAtFixedRate(() -> evaluate(service), 0, every, TimeUnit.MILLISECONDS);
      long deliverEvery = Math.min(1_000, config.receiver().initialBackoff().toMillis());
      timer.scheduleWithFixedDelay(() -> deliver(service), deliverEvery, deliverEvery, TimeUnit.MILLISECONDS);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        timer.shutdown();
        try {
          timer.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        stopped.countDown();
      }, "stop-alerting"));
      stopped.await();
    }
    return 0;
  }

  private static void evaluate(AlertingService service) {
    try {
      AlertingService.Tick tick = service.tick();
      if (tick.notified() > 0 || tick.undelivered() > 0) {
        System.out.printf(Locale.ROOT, "%s  active %d, firing %d (muted %d), notifications made %d, undelivered %d,"
                + " delivered so far %d%n", LocalTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS),
            tick.active(), tick.firing(), tick.muted(), tick.notified(), tick.undelivered(), service.delivered());
      }
    } catch (JedisConnectionException e) {
      LOG.warn("Redis does not answer ({}); the rules are evaluated again at the next interval", e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("Evaluating the rules failed; trying again at the next interval", e);
    }
  }

  private static void deliver(AlertingService service) {
    try {
      service.deliver();
    } catch (RuntimeException e) {
      LOG.error("Delivering notifications failed; trying again", e);
    }
  }
}
