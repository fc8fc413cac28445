package io.github.analytics.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An app's client of the collector. {@code enqueue} (and its shortcuts) writes the message as JSON
 * on the caller's thread, queues it and returns at once; one background thread sends the queue in
 * batches of {@link AnalyticsSettings#batchSize} messages, or whatever has waited
 * {@link AnalyticsSettings#flushInterval}, gzipped, to {@code /v1/batch} (Segment's tracking API).
 *
 * <p>It never blocks the app: when {@link AnalyticsSettings#maxQueuedMessages} are held and not yet
 * delivered, {@code enqueue} drops the message, counts it in {@link #stats()} and returns {@code false}.
 * A batch that fails on the network, or gets 408, 429 or a 5xx, is sent again (the same messages with
 * the same {@code messageId}s, so the pipeline dedupes a batch that did arrive) after an exponential
 * backoff with full jitter, never sooner than the collector's {@code Retry-After}.
 *
 * <pre>{@code
 * try (Analytics analytics = Analytics.start(AnalyticsSettings.of(URI.create("http://localhost:8090"), "wk_web"))) {
 *   analytics.track("user-42", "Order Completed", Map.of("revenue", 19.99));
 *   analytics.identify("user-42", Map.of("plan", "pro"));
 * } // close() sends what is queued
 * }</pre>
 */
public final class Analytics implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Analytics.class.getName());
  private static final Object STOP = new Object();

  private final AnalyticsSettings settings;
  private final ObjectMapper mapper = new ObjectMapper();
  private final BatchSender sender;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger held = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong enqueued = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong rejectedHere = new AtomicLong();
  private final Thread worker;

  private Analytics(AnalyticsSettings settings) {
    this.settings = settings;
    this.sender = new BatchSender(settings);
    this.worker = new Thread(this::run, "analytics-sdk-sender");
    worker.setDaemon(true);
  }

  /** A client sending with {@code settings}; {@link #close} it when the app stops. */
  public static Analytics start(AnalyticsSettings settings) {
    Analytics analytics = new Analytics(settings);
    analytics.worker.start();
    return analytics;
  }

  /** Queues {@link Message#track}; {@code false} if it was dropped or refused (see {@link #stats}). */
  public boolean track(String userId, String event, Map<String, ?> properties) {
    return enqueue(Message.track(userId, event).withProperties(properties));
  }

  /** Queues {@link Message#page}. */
  public boolean page(String userId, String name, Map<String, ?> properties) {
    return enqueue(Message.page(userId, name).withProperties(properties));
  }

  /** Queues {@link Message#screen}. */
  public boolean screen(String userId, String name, Map<String, ?> properties) {
    return enqueue(Message.screen(userId, name).withProperties(properties));
  }

  /** Queues {@link Message#identify}. */
  public boolean identify(String userId, Map<String, ?> traits) {
    return enqueue(Message.identify(userId).withTraits(traits));
  }

  /**
   * Queues {@code message} without waiting. Returns {@code false}, and counts it, when the client is
   * closed or holds {@link AnalyticsSettings#maxQueuedMessages} already (dropped), or when the message
   * is over {@link AnalyticsSettings#MAX_MESSAGE_BYTES} or not writable as JSON (rejected).
   *
   * @throws IllegalArgumentException if the message has neither a user id nor an anonymous id
   */
  public boolean enqueue(Message message) {
    Map<String, Object> json = message.toJson();
    enqueued.incrementAndGet();
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      rejectedHere.incrementAndGet();
      LOG.log(Level.WARNING, "Message " + message + " is not writable as JSON, not sent: " + e.getOriginalMessage());
      return false;
    }
    if (bytes.length > AnalyticsSettings.MAX_MESSAGE_BYTES) {
      rejectedHere.incrementAndGet();
      LOG.log(Level.WARNING, "Message " + message + " is " + bytes.length + " bytes, over the collector's "
          + AnalyticsSettings.MAX_MESSAGE_BYTES + ": not sent; send fewer properties");
      return false;
    }
    if (closed.get() || held.incrementAndGet() > settings.maxQueuedMessages()) {
      if (!closed.get()) {
        held.decrementAndGet();
      }
      dropped.incrementAndGet();
      return false;
    }
    queue.add(bytes);
    return true;
  }

  /**
   * Sends what is queued now and waits, at most {@code timeout}, until every message queued before
   * the call is delivered, rejected or given up. Returns whether that happened in time.
   */
  public boolean flush(Duration timeout) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    queue.add(done);
    try {
      done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("The sender thread failed", e.getCause());
    }
  }

  /** {@link #flush(Duration)} with {@link AnalyticsSettings#closeTimeout}. */
  public boolean flush() {
    return flush(settings.closeTimeout());
  }

  /**
   * Stops taking messages, sends what is queued (waiting at most {@link AnalyticsSettings#closeTimeout})
   * and stops the sender; what is still unsent then is counted as failed.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (!flush(settings.closeTimeout())) {
      LOG.log(Level.WARNING, "The collector at " + settings.endpoint() + " did not take every queued message within "
          + settings.closeTimeout() + "; " + held.get() + " counted as failed");
      worker.interrupt();
    }
    queue.add(STOP);
    try {
      worker.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What happened to the messages so far. */
  public ClientStats stats() {
    BatchSender.Counts sent = sender.counts();
    return new ClientStats(enqueued.get(), sent.delivered(), sent.rejected() + rejectedHere.get(),
        dropped.get(), sent.failed(), held.get(), sent.requests(), sent.retries());
  }

  private void run() {
    List<byte[]> batch = new ArrayList<>();
    long batchBytes = 0;
    long firstAt = 0;
    try {
      while (true) {
        Object item;
        if (batch.isEmpty()) {
          item = queue.take();
        } else {
          long wait = firstAt + settings.flushInterval().toNanos() - System.nanoTime();
          item = wait <= 0 ? null : queue.poll(wait, TimeUnit.NANOSECONDS);
        }
        if (item instanceof byte[] message) {
          if (!batch.isEmpty() && batchBytes + message.length > BatchSender.MAX_MESSAGES_BYTES) {
            send(batch);
            batchBytes = 0;
          }
          if (batch.isEmpty()) {
            firstAt = System.nanoTime();
          }
          batch.add(message);
          batchBytes += message.length + 1;
          if (batch.size() >= settings.batchSize()) {
            send(batch);
            batchBytes = 0;
          }
        } else if (item instanceof CompletableFuture<?> flush) {
          if (!batch.isEmpty()) {
            send(batch);
            batchBytes = 0;
          }
          flush.complete(null);
        } else if (item == STOP) {
          return;
        } else if (!batch.isEmpty()) {
          send(batch); // the first message waited flushInterval
          batchBytes = 0;
        }
      }
    } catch (InterruptedException e) {
      // close() ran out of time: what is still held is given up.
      abandon(batch);
    } catch (RuntimeException | Error e) {
      LOG.log(Level.ERROR, "The analytics sender thread failed; queued messages are counted as failed", e);
      abandon(batch);
      throw e;
    }
  }

  private void send(List<byte[]> batch) throws InterruptedException {
    try {
      sender.send(batch);
    } finally {
      held.addAndGet(-batch.size());
      batch.clear();
    }
  }

  private void abandon(List<byte[]> batch) {
    int lost = batch.size();
    batch.clear();
    for (Object item; (item = queue.poll()) != null; ) {
      if (item instanceof byte[]) {
        lost++;
      } else if (item instanceof CompletableFuture<?> flush) {
        flush.complete(null);
      }
    }
    sender.countFailed(lost);
    held.addAndGet(-lost);
  }
}
