package io.github.analytics.collector;

import java.time.Duration;

/**
 * The collector's settings.
 *
 * @param host the address to listen on
 * @param port the port (0: a free one)
 * @param topic the events topic
 * @param deadLetterTopic where rejected messages go, with their reason
 * @param maxEventBytes the largest message, compact JSON
 * @param maxRequestBytes the largest request body, after decompression
 * @param maxInFlightBytes request bytes waiting for the broker, past which requests get 503
 * @param deliveryTimeout how long a request waits for the broker before 503
 * @param workerThreads threads that read bodies and wait for the broker
 */
public record CollectorSettings(
    String host,
    int port,
    String topic,
    String deadLetterTopic,
    int maxEventBytes,
    int maxRequestBytes,
    long maxInFlightBytes,
    Duration deliveryTimeout,
    int workerThreads) {
  public static CollectorSettings defaults() {
    return new CollectorSettings("127.0.0.1", 8088, "events", "events.dead_letters", 32 * 1024, 500 * 1024,
        64L << 20, Duration.ofSeconds(15), 64);
  }

  public CollectorSettings withPort(int value) {
    return new CollectorSettings(host, value, topic, deadLetterTopic, maxEventBytes, maxRequestBytes,
        maxInFlightBytes, deliveryTimeout, workerThreads);
  }

  public CollectorSettings withHost(String value) {
    return new CollectorSettings(value, port, topic, deadLetterTopic, maxEventBytes, maxRequestBytes,
        maxInFlightBytes, deliveryTimeout, workerThreads);
  }

  public CollectorSettings withTopics(String events, String deadLetters) {
    return new CollectorSettings(host, port, events, deadLetters, maxEventBytes, maxRequestBytes,
        maxInFlightBytes, deliveryTimeout, workerThreads);
  }

  public CollectorSettings withLimits(int eventBytes, int requestBytes, long inFlightBytes) {
    return new CollectorSettings(host, port, topic, deadLetterTopic, eventBytes, requestBytes, inFlightBytes,
        deliveryTimeout, workerThreads);
  }

  public CollectorSettings withDeliveryTimeout(Duration value) {
    return new CollectorSettings(host, port, topic, deadLetterTopic, maxEventBytes, maxRequestBytes,
        maxInFlightBytes, value, workerThreads);
  }

  void validate() {
    if (maxEventBytes <= 0 || maxRequestBytes < maxEventBytes || maxInFlightBytes < maxRequestBytes) {
      throw new IllegalArgumentException("Collector limits must be positive and nested: event ("
          + maxEventBytes + ") <= request (" + maxRequestBytes + ") <= in flight (" + maxInFlightBytes + ")");
    }
    if (topic == null || topic.isBlank() || deadLetterTopic == null || deadLetterTopic.isBlank()) {
      throw new IllegalArgumentException("The collector needs an events topic and a dead-letter topic");
    }
  }
}
