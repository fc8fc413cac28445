package io.github.analytics.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.bench.streaming.FreshnessBench;
import io.github.analytics.collector.CollectorServer;
import io.github.analytics.collector.CollectorSettings;
import io.github.analytics.collector.WriteKeys;
import io.github.analytics.stack.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The collector: Segment {@code /v1/batch} requests of 100 track calls into a real collector and a
 * real Kafka broker on this machine, (1) as fast as {@value #CLIENTS} clients can send them, then (2)
 * paced at half the target rate, open loop, for the request latency; beside it (3) the broker's own
 * rate for the same records from one producer with the collector's settings.
 */
public final class CollectorSection implements Section {
  public static final String NAME = "collector";
  /** Issue 14: at least 50,000 events/s accepted, p99 at most 50 ms at half that rate. */
  static final double TARGET_EVENTS_PER_SECOND = 50_000;
  static final double TARGET_P99_MILLIS = 50;
  static final int BATCH = 100;
  /** Concurrent closed-loop clients of the saturation run, each on its own connection. */
  static final int CLIENTS = 16;
  private static final int BODIES = 256;
  private static final String KEY = "wk_bench";
  private static final String TOPIC = "bench-collector";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "Collector: Segment batches over HTTP into Kafka";
  }

  @Override
  public String description() {
    return "A collector (`CollectorServer`, Undertow) and a Kafka broker on this machine; the load comes from"
        + " the same JVM (the JDK's HttpClient), so client, collector and broker share its cores. Each request"
        + " is a `/v1/batch` of " + BATCH + " Segment track calls (about 400 bytes each, plain JSON, HTTP"
        + " Basic write key); a 200 means the broker acknowledged all of them (acks=all, idempotent"
        + " producer). Saturation: " + CLIENTS + " clients send back to back for the set time after a warm-up;"
        + " the figure is events accepted per second, checked against the topic's end offsets. Latency: one"
        + " request every 4 ms (25,000 events/s, half the target), sent on schedule whether or not earlier"
        + " ones answered, each timed from when it was due (no coordinated omission). Producer: the records"
        + " the collector wrote, sent again by one `KafkaProducer` with the collector's settings to another"
        + " topic for the same time.";
  }

  @Override
  public List<Measurement> run(BenchContext context) throws Exception {
    Duration length = Duration.ofSeconds(context.settings().collectorSeconds());
    Duration warmUp = Duration.ofSeconds(Math.min(10, Math.max(3, length.toSeconds() / 3)));
    List<Measurement> rows = new ArrayList<>();
    context.log(NAME, "starting a Kafka broker and the collector");
    try (KafkaBroker kafka = KafkaBroker.start(context.workDir().resolve("kafka"))) {
      kafka.createTopics(TOPIC, TOPIC + ".dead_letters", "bench-producer");
      CollectorSettings settings = CollectorSettings.defaults().withPort(0).withTopics(TOPIC, TOPIC + ".dead_letters");
      try (CollectorServer collector =
          CollectorServer.start(settings, WriteKeys.of(Map.of(KEY, "bench")), kafka.bootstrapServers())) {
        awaitHealthy(collector);
        URI uri = URI.create("http://127.0.0.1:" + collector.port() + "/v1/batch");
        List<byte[]> bodies = bodies();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4, daemon("bench-http"))).build();

        context.log(NAME, "saturation: %d clients, %d s warm-up, then %d s", CLIENTS, warmUp.toSeconds(),
            length.toSeconds());
        saturate(http, uri, bodies, warmUp);
        Saturation saturation = saturate(http, uri, bodies, length);
        long inTopic = endOffsets(kafka, TOPIC);
        if (inTopic != saturation.acceptedTotal) {
          throw new IllegalStateException("The collector answered 200 for " + saturation.acceptedTotal
              + " events in all, but the topic holds " + inTopic + ": see the broker log " + kafka.log());
        }
        double rate = saturation.accepted / saturation.seconds;
        rows.add(Measurement.of(NAME, "saturation: events/s accepted", rate, Measurement.EVENTS_PER_SECOND)
            .withTarget(Target.atLeast(TARGET_EVENTS_PER_SECOND))
            .withNote(String.format(Locale.ROOT, "%,d requests of %d in %.1f s, %d clients; %,d events in the"
                + " topic after warm-up and run = every event answered 200", saturation.requests, BATCH,
                saturation.seconds, CLIENTS, inTopic)));
        rows.add(Measurement.of(NAME, "saturation: events/s accepted per core", rate / context.cores(),
            Measurement.EVENTS_PER_SECOND_PER_CORE));
        rows.add(Measurement.of(NAME, "saturation: request p99", saturation.p99Millis, Measurement.MILLISECONDS)
            .withNote(String.format(Locale.ROOT, "p50 %.1f ms; %d clients waiting on each other",
                saturation.p50Millis, CLIENTS)));

        double half = TARGET_EVENTS_PER_SECOND / 2;
        context.log(NAME, "latency: %,.0f events/s for %d s", half, length.toSeconds());
        Paced paced = paced(http, uri, bodies, half, length);
        rows.add(Measurement.of(NAME, "at 25,000 events/s: request p99", paced.p99Millis, Measurement.MILLISECONDS)
            .withTarget(Target.atMost(TARGET_P99_MILLIS))
            .withNote(String.format(Locale.ROOT, "p50 %.1f ms, max %.1f ms over %,d requests; %d not 200",
                paced.p50Millis, paced.maxMillis, paced.requests, paced.failures)));

        context.log(NAME, "the broker's own rate: one producer, the collector's settings, %d s", length.toSeconds());
        double producerRate = producerRate(kafka, settings, length);
        rows.add(Measurement.of(NAME, "Kafka producer alone: events/s", producerRate, Measurement.EVENTS_PER_SECOND)
            .withNote("the same records (as the collector wrote them) from one KafkaProducer, acks=all,"
                + " idempotent, lz4, linger 5 ms; the ceiling the collector shares the machine with"));
        rows.add(Measurement.of(NAME, "collector / producer alone", rate / producerRate, Measurement.FRACTION));
      }
    }
    return rows;
  }

  /** Segment batches of {@value #BATCH} track calls: {@value #BODIES} different bodies, sent in turn. */
  static List<byte[]> bodies() {
    SplittableRandom random = new SplittableRandom(14);
    String[] events = {"Product Viewed", "Product Added", "Order Completed", "Signed Up", "Page Scrolled"};
    List<byte[]> bodies = new ArrayList<>(BODIES);
    String now = Instant.now().toString();
    for (int b = 0; b < BODIES; b++) {
      StringBuilder body = new StringBuilder(BATCH * 420).append("{\"batch\":[");
      for (int i = 0; i < BATCH; i++) {
        if (i > 0) {
          body.append(',');
        }
        body.append("{\"type\":\"track\",\"event\":\"").append(events[random.nextInt(events.length)])
            .append("\",\"userId\":\"user-").append(random.nextInt(1_000_000))
            .append("\",\"messageId\":\"").append(new UUID(random.nextLong(), random.nextLong()))
            .append("\",\"timestamp\":\"").append(now)
            .append("\",\"properties\":{\"product_id\":\"p-").append(random.nextInt(10_000))
            .append("\",\"price\":").append(random.nextInt(10_000) / 100.0)
            .append(",\"currency\":\"EUR\"},\"context\":{\"ip\":\"203.0.").append(random.nextInt(256)).append('.')
            .append(random.nextInt(256)).append("\",\"userAgent\":\"Mozilla/5.0 (X11; Linux x86_64)"
                + " AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36\"}}");
      }
      body.append("],\"sentAt\":\"").append(now).append("\"}");
      bodies.add(body.toString().getBytes(StandardCharsets.UTF_8));
    }
    return bodies;
  }

  private static HttpRequest request(URI uri, byte[] body) {
    return HttpRequest.newBuilder(uri)
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  private record Saturation(long requests, long accepted, long acceptedTotal, double seconds, double p50Millis,
      double p99Millis) {}

  private final AtomicLong acceptedSoFar = new AtomicLong();

  /** {@value #CLIENTS} threads send back to back for {@code length}. */
  private Saturation saturate(HttpClient http, URI uri, List<byte[]> bodies, Duration length) throws Exception {
    long start = System.nanoTime();
    long end = start + length.toNanos();
    AtomicLong requests = new AtomicLong();
    AtomicLong accepted = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS, daemon("bench-client"));
    List<CompletableFuture<long[]>> done = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      done.add(CompletableFuture.supplyAsync(() -> {
        long[] mine = new long[1 << 16];
        int n = 0;
        for (int i = client; System.nanoTime() < end; i += CLIENTS) {
          long sent = System.nanoTime();
          HttpResponse<String> response = send(http, request(uri, bodies.get(i % bodies.size())));
          if (n < mine.length) {
            mine[n++] = System.nanoTime() - sent;
          }
          requests.incrementAndGet();
          accepted.addAndGet(acceptedIn(response));
        }
        return Arrays.copyOf(mine, n);
      }, clients));
    }
    for (CompletableFuture<long[]> client : done) {
      latencies.add(client.get());
    }
    clients.shutdown();
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return new Saturation(requests.get(), accepted.get(), acceptedSoFar.addAndGet(accepted.get()), seconds,
        FreshnessBench.percentileMillis(all, 0.50), FreshnessBench.percentileMillis(all, 0.99));
  }

  private record Paced(long requests, long failures, double p50Millis, double p99Millis, double maxMillis) {}

  /** One request every {@code BATCH / eventsPerSecond} seconds, on schedule, each timed from when it was due. */
  private Paced paced(HttpClient http, URI uri, List<byte[]> bodies, double eventsPerSecond, Duration length)
      throws Exception {
    long interval = (long) (1e9 * BATCH / eventsPerSecond);
    long count = length.toNanos() / interval;
    long[] latencies = new long[(int) count];
    AtomicLong failures = new AtomicLong();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long due = start + i * interval;
      LockSupport.parkNanos(due - System.nanoTime());
      int index = i;
      pending.add(http.sendAsync(request(uri, bodies.get(i % bodies.size())), HttpResponse.BodyHandlers.ofString())
          .handle((response, error) -> {
            latencies[index] = System.nanoTime() - due;
            if (error != null || response.statusCode() != 200) {
              failures.incrementAndGet();
            } else {
              acceptedSoFar.addAndGet(acceptedIn(response));
            }
            return null;
          }));
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    return new Paced(count, failures.get(), FreshnessBench.percentileMillis(sorted, 0.50),
        FreshnessBench.percentileMillis(sorted, 0.99),
        sorted[sorted.length - 1] / 1e6);
  }

  /** Sends the collector's records again, from one producer with its settings, for {@code length}. */
  private static double producerRate(KafkaBroker kafka, CollectorSettings settings, Duration length) {
    List<ConsumerRecord<String, byte[]>> sample = sample(kafka, 10_000);
    long sent;
    double seconds;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        CollectorServer.producerConfig(kafka.bootstrapServers(), settings),
        new StringSerializer(), new ByteArraySerializer())) {
      long start = System.nanoTime();
      long end = start + length.toNanos();
      sent = 0;
      while (System.nanoTime() < end) {
        ConsumerRecord<String, byte[]> record = sample.get((int) (sent % sample.size()));
        producer.send(new ProducerRecord<>("bench-producer", record.key(), record.value()));
        sent++;
      }
      producer.flush();
      seconds = (System.nanoTime() - start) / 1e9;
    }
    return sent / seconds;
  }

  private static List<ConsumerRecord<String, byte[]>> sample(KafkaBroker kafka, int count) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(TOPIC, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    if (records.isEmpty()) {
      throw new IllegalStateException("No record came back from " + TOPIC + " partition 0 within 30 s");
    }
    return records;
  }

  private static long endOffsets(KafkaBroker kafka, String topic) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("A request to the collector failed: " + e, e);
    }
  }

  private static long acceptedIn(HttpResponse<String> response) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException("The collector answered " + response.statusCode() + ": " + response.body());
    }
    try {
      JsonNode answer = JSON.readTree(response.body());
      return answer.path("accepted").asLong();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Unreadable answer from the collector: " + response.body(), e);
    }
  }

  private static void awaitHealthy(CollectorServer collector) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!collector.healthy()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The collector did not see the broker within 60 s");
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
