package io.github.analytics.sdk;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link Analytics} client batches and sends. Immutable: start from {@link #of} and change
 * what differs with the {@code withX} methods.
 *
 * @param endpoint the collector's base address, e.g. {@code http://collector:8090}; batches go to
 *     {@code <endpoint>/v1/batch}
 * @param writeKey the key the collector knows this app by (sent as the HTTP Basic user)
 * @param batchSize a batch is sent once it holds this many messages (default 10)
 * @param flushInterval or once its first message has waited this long (default 5 s)
 * @param maxQueuedMessages messages held and not yet delivered; past it {@code enqueue} drops and
 *     counts instead of blocking the app (default 10,000)
 * @param maxRetries attempts after the first for a batch that failed on the network, with 408, 429
 *     or a 5xx, before it is given up and counted as failed (default 8)
 * @param initialBackoff the first retry waits up to this long; each next one up to twice as long
 *     (full jitter: a uniform draw from zero to that bound), at least what {@code Retry-After} says
 *     (default 500 ms)
 * @param maxBackoff the bound stops doubling here (default 60 s)
 * @param requestTimeout how long one HTTP request may take (default 15 s)
 * @param closeTimeout how long {@link Analytics#close} waits for the queue to drain (default 30 s)
 * @param gzip whether request bodies are gzipped (default true)
 */
public record AnalyticsSettings(
    URI endpoint,
    String writeKey,
    int batchSize,
    Duration flushInterval,
    int maxQueuedMessages,
    int maxRetries,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration requestTimeout,
    Duration closeTimeout,
    boolean gzip) {

  /** The largest message the collector takes by default (32 KB), checked when a message is queued. */
  public static final int MAX_MESSAGE_BYTES = 32 * 1024;
  /** A batch's body stays under this (the collector's default limit is 500 KB). */
  public static final int MAX_BATCH_BYTES = 480 * 1024;

  public AnalyticsSettings {
    Objects.requireNonNull(endpoint, "endpoint");
    if (writeKey == null || writeKey.isBlank()) {
      throw new IllegalArgumentException("A write key is needed: the collector answers 401 without one"
          + " (see the collector's --write-keys file)");
    }
    require(batchSize >= 1 && batchSize <= 1_000, "batchSize must be 1 to 1,000, got " + batchSize);
    require(maxQueuedMessages >= batchSize,
        "maxQueuedMessages (" + maxQueuedMessages + ") must be at least batchSize (" + batchSize + ")");
    require(maxRetries >= 0, "maxRetries must not be negative, got " + maxRetries);
    for (Duration d : new Duration[] {flushInterval, initialBackoff, maxBackoff, requestTimeout, closeTimeout}) {
      require(d != null && !d.isNegative() && !d.isZero(), "every duration must be positive, got " + d);
    }
  }

  /** The defaults, sending to {@code endpoint} with {@code writeKey}. */
  public static AnalyticsSettings of(URI endpoint, String writeKey) {
    return new AnalyticsSettings(endpoint, writeKey, 10, Duration.ofSeconds(5), 10_000, 8,
        Duration.ofMillis(500), Duration.ofSeconds(60), Duration.ofSeconds(15), Duration.ofSeconds(30), true);
  }

  public AnalyticsSettings withBatchSize(int size) {
    return new AnalyticsSettings(endpoint, writeKey, size, flushInterval, Math.max(maxQueuedMessages, size),
        maxRetries, initialBackoff, maxBackoff, requestTimeout, closeTimeout, gzip);
  }

  public AnalyticsSettings withFlushInterval(Duration interval) {
    return new AnalyticsSettings(endpoint, writeKey, batchSize, interval, maxQueuedMessages, maxRetries,
        initialBackoff, maxBackoff, requestTimeout, closeTimeout, gzip);
  }

  public AnalyticsSettings withMaxQueuedMessages(int max) {
    return new AnalyticsSettings(endpoint, writeKey, batchSize, flushInterval, max, maxRetries,
        initialBackoff, maxBackoff, requestTimeout, closeTimeout, gzip);
  }

  public AnalyticsSettings withRetries(int retries, Duration initial, Duration max) {
    return new AnalyticsSettings(endpoint, writeKey, batchSize, flushInterval, maxQueuedMessages, retries,
        initial, max, requestTimeout, closeTimeout, gzip);
  }

  public AnalyticsSettings withRequestTimeout(Duration timeout) {
    return new AnalyticsSettings(endpoint, writeKey, batchSize, flushInterval, maxQueuedMessages, maxRetries,
        initialBackoff, maxBackoff, timeout, closeTimeout, gzip);
  }

  public AnalyticsSettings withCloseTimeout(Duration timeout) {
    return new AnalyticsSettings(endpoint, writeKey, batchSize, flushInterval, maxQueuedMessages, maxRetries,
        initialBackoff, maxBackoff, requestTimeout, timeout, gzip);
  }

  public AnalyticsSettings withGzip(boolean on) {
    return new AnalyticsSettings(endpoint, writeKey, batchSize, flushInterval, maxQueuedMessages, maxRetries,
        initialBackoff, maxBackoff, requestTimeout, closeTimeout, on);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
