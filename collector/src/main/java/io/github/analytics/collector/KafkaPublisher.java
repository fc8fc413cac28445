package io.github.analytics.collector;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a request's records and says when the broker has acknowledged all of them. Every replica
 * in sync acknowledges ({@code acks=all}) and the producer is idempotent, so its own retries write a
 * record once. The bytes of requests not yet acknowledged are bounded: past the bound a request is
 * refused at once (the server answers 503) rather than buffered. A background probe asks the cluster
 * for its nodes every two seconds; until it has answered once, and while it does not answer, the
 * collector is unhealthy and refuses requests.
 */
final class KafkaPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);
  static final String SOURCE_HEADER = "source";
  static final String REASON_HEADER = "dead_letter_reason";
  static final String MESSAGE_HEADER = "dead_letter_message";
  static final String STEP_HEADER = "dead_letter_step";
  static final String STEP = "collector";

  /** One record to publish: an event (keyed by user) or a dead letter (no key, with its reason). */
  record Outgoing(String topic, String key, byte[] value, long timestampMillis, String source,
      SegmentTranslator.Reason reason, String reasonMessage) {
    static Outgoing event(String topic, String userId, byte[] json, long arrival, String source) {
      return new Outgoing(topic, userId, json, arrival, source, null, null);
    }

    static Outgoing deadLetter(String topic, byte[] payload, long arrival, String source,
        SegmentTranslator.Reason reason, String message) {
      return new Outgoing(topic, null, payload, arrival, source, reason, message);
    }
  }

  private final Producer<String, byte[]> producer;
  private final Admin admin;
  private final long maxInFlightBytes;
  private final AtomicLong inFlightBytes = new AtomicLong();
  private final ScheduledExecutorService probe;
  /** Whether the broker answered the last probe and no send failed since; false until it first answers. */
  private volatile boolean up;

  KafkaPublisher(String bootstrapServers, long maxInFlightBytes, Duration deliveryTimeout) {
    this.maxInFlightBytes = maxInFlightBytes;
    this.producer = new KafkaProducer<>(producerConfig(bootstrapServers, maxInFlightBytes, deliveryTimeout),
        new StringSerializer(), new ByteArraySerializer());
    this.admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000));
    this.probe = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "collector-kafka-probe");
      t.setDaemon(true);
      return t;
    });
    probe.scheduleWithFixedDelay(this::probeOnce, 0, 2, TimeUnit.SECONDS);
  }

  /** The producer's settings: every record acknowledged by all in-sync replicas, idempotent, batched. */
  static Map<String, Object> producerConfig(String bootstrapServers, long maxInFlightBytes, Duration deliveryTimeout) {
    int delivery = (int) deliveryTimeout.toMillis();
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1000, delivery / 2),
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery,
        // send() must not hold a request's thread for long when the broker is away.
        ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(1000, delivery / 3),
        ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(32L << 20, 2 * maxInFlightBytes));
  }

  private void probeOnce() {
    boolean was = up;
    try {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get(3, TimeUnit.SECONDS);
      up = true;
      if (!was) {
        LOG.info("Kafka answers: accepting requests");
      }
    } catch (Exception e) {
      up = false;
      if (was) {
        LOG.warn("Kafka does not answer ({}); requests get 503 until it does", e.toString());
      }
    } catch (Throwable t) {
      up = false;
      throw t;
    }
  }

  /** Whether the broker answered the last probe and no send has failed since. */
  boolean kafkaUp() {
    return up;
  }

  private void sendFailed(Exception e) {
    if (up) {
      LOG.warn("A send to Kafka failed ({}); requests get 503 until the broker answers again", e.toString());
    }
    up = false;
  }

  /** Reserves room for a request of {@code bytes}; false when the collector is saturated. */
  boolean tryReserve(long bytes) {
    while (true) {
      long current = inFlightBytes.get();
      if (current > 0 && current + bytes > maxInFlightBytes) {
        return false;
      }
      if (inFlightBytes.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  void release(long bytes) {
    inFlightBytes.addAndGet(-bytes);
  }

  /**
   * Sends every record; the future completes once the broker has acknowledged all of them, or fails
   * with the first failure.
   */
  CompletableFuture<Void> publish(List<Outgoing> records) {
    CompletableFuture<Void> all = new CompletableFuture<>();
    if (records.isEmpty()) {
      all.complete(null);
      return all;
    }
    AtomicInteger pending = new AtomicInteger(records.size());
    for (Outgoing record : records) {
      ProducerRecord<String, byte[]> message =
          new ProducerRecord<>(record.topic(), null, record.timestampMillis(), record.key(), record.value());
      message.headers().add(SOURCE_HEADER, record.source().getBytes(StandardCharsets.UTF_8));
      if (record.reason() != null) {
        message.headers().add(REASON_HEADER, record.reason().name().getBytes(StandardCharsets.UTF_8));
        message.headers().add(MESSAGE_HEADER, record.reasonMessage().getBytes(StandardCharsets.UTF_8));
        message.headers().add(STEP_HEADER, STEP.getBytes(StandardCharsets.UTF_8));
      }
      try {
        producer.send(message, (metadata, e) -> {
          if (e != null) {
            sendFailed(e);
            all.completeExceptionally(e);
          } else {
            if (pending.decrementAndGet() == 0) {
              all.complete(null);
            }
          }
        });
      } catch (RuntimeException e) {
        // Metadata not available within max.block.ms, a closed producer, a record too large...
        sendFailed(e);
        all.completeExceptionally(e);
        break;
      }
    }
    return all;
  }

  @Override
  public void close() {
    probe.shutdownNow();
    producer.close(Duration.ofSeconds(10));
    admin.close(Duration.ofSeconds(5));
  }
}
