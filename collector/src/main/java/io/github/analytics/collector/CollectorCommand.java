package io.github.analytics.collector;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code analytics collector}: the HTTP collector, until Ctrl-C. */
@Command(
    name = "collector",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the HTTP collector apps send events to: Segment's tracking API (POST /v1/batch, /v1/import,"
          + " /v1/track, /v1/page, /v1/screen, /v1/identify, /v1/alias, /v1/group), so Segment's SDKs"
          + " send to it unchanged, and the native format (POST /v1/native). Each event is published to"
          + " Kafka keyed by user_id; a request is answered 200 once the broker has acknowledged all of"
          + " it, 503 with Retry-After while Kafka does not answer. GET /healthz says whether Kafka"
          + " answers. Write keys come from --write-keys or the environment variable "
          + WriteKeys.ENV + " (key=source, comma-separated)."
    })
public final class CollectorCommand implements Callable<Integer> {
  @Option(names = "--bootstrap-servers", required = true,
      description = "Kafka's bootstrap servers, host:port[,host:port] (./analytics stack prints them).")
  String bootstrapServers;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8088", description = "Port (0: a free one; default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--topic", defaultValue = "events", description = "Events topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--dead-letter-topic", defaultValue = "events.dead_letters",
      description = "Where rejected messages go, with their reason in headers (default: ${DEFAULT-VALUE}).")
  String deadLetterTopic;

  @Option(names = "--write-keys",
      description = "File of key=source lines; without it, the environment variable " + WriteKeys.ENV + "."
          + " A source written source:replay marks a key for trusted imports and replays: its native events"
          + " keep their own server_timestamp, which also stamps their Kafka record.")
  Path writeKeys;

  @Option(names = "--max-event-bytes", defaultValue = "32768",
      description = "Largest message, compact JSON; larger ones go to the dead letters (default: ${DEFAULT-VALUE}).")
  int maxEventBytes;

  @Option(names = "--max-request-bytes", defaultValue = "512000",
      description = "Largest request body after decompression; larger requests get 413 (default: ${DEFAULT-VALUE}).")
  int maxRequestBytes;

  @Option(names = "--max-in-flight-mb", defaultValue = "64",
      description = "Request bytes waiting for Kafka, past which requests get 503 (default: ${DEFAULT-VALUE}).")
  long maxInFlightMb;

  @Option(names = "--delivery-timeout-seconds", defaultValue = "15",
      description = "How long a request waits for Kafka's acknowledgement before 503 (default: ${DEFAULT-VALUE}).")
  long deliveryTimeoutSeconds;

  @Option(names = "--worker-threads", defaultValue = "64",
      description = "Threads reading bodies and waiting for Kafka (default: ${DEFAULT-VALUE}).")
  int workerThreads;

  @Override
  public Integer call() throws Exception {
    WriteKeys keys;
    if (writeKeys != null) {
      keys = WriteKeys.fromFile(writeKeys);
    } else {
      String value = System.getenv(WriteKeys.ENV);
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("No write keys: give --write-keys FILE (key=source lines) or set "
            + WriteKeys.ENV + "=key=source[,key=source]");
      }
      keys = WriteKeys.fromEnvironmentValue(value);
    }
    CollectorSettings settings = new CollectorSettings(host, port, topic, deadLetterTopic, maxEventBytes,
        maxRequestBytes, maxInFlightMb << 20, Duration.ofSeconds(deliveryTimeoutSeconds), workerThreads);
    CollectorServer collector = CollectorServer.start(settings, keys, bootstrapServers);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      collector.close();
      stopped.countDown();
    }, "stop-collector"));
    System.out.printf(Locale.ROOT,
        "Collector on http://%s:%d (%d write keys) -> Kafka %s, topic %s%n"
            + "Try:  curl -u WRITE_KEY: -H 'Content-Type: application/json' http://%s:%d/v1/track"
            + " -d '{\"userId\":\"u1\",\"event\":\"signup\"}'%n"
            + "Ctrl-C stops it.%n",
        host, collector.port(), keys.size(), bootstrapServers, topic, host, collector.port());
    stopped.await();
    return 0;
  }
}
