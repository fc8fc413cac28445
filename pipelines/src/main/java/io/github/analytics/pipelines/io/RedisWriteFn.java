package io.github.analytics.pipelines.io;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.checkerframework.checker.nullness.qual.Nullable;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The step of a {@link RedisSink}: writes its elements to Redis, all of a bundle's writes acknowledged
 * before the bundle commits, so a failed write fails the bundle and the runner retries it.
 *
 * <p>Two ways, chosen by {@link #writesAsTheyArrive}:
 *
 * <ul>
 *   <li>As they arrive (the default): each element is handed to a writer thread of the instance's
 *       own, which sends what queued over at most 20 ms in one pipelined round trip, in arrival order,
 *       while the task goes on; {@code @FinishBundle} waits for the acknowledgements. A dashboard sees
 *       a value as soon as the step emits it instead of when the bundle ends (Beam's Flink runner ends
 *       a bundle after 1,000 elements or 1 s, and a step that fires panes on timers seldom fills one),
 *       and the task does not wait for Redis between bundles.
 *   <li>At the bundle's end: for a writer that aggregates its bundle before writing ({@link #flush}),
 *       such as one HyperLogLog update per key for the bundle's users.
 * </ul>
 *
 * <p>Connections come from a pool per Redis URI and are held only for one round trip: a job has a
 * writer per metric and parallel instance, more than a pool's connections.
 */
abstract class RedisWriteFn<T> extends DoFn<T, Void> {
  private static final long serialVersionUID = 1L;
  private static final Map<String, JedisPool> POOLS = new ConcurrentHashMap<>();
  /** The most elements one round trip sends. */
  private static final int MAX_BATCH = 5_000;
  /** How long the writer waits for more elements after the first, unless a bundle's end waits for it. */
  private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** How long a bundle's end waits for Redis to acknowledge its writes before failing the bundle. */
  private static final long ACK_TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(2);

  protected final RedisSink.Target target;
  private final Counter written = Metrics.counter(RedisSink.class, "redis_writes");
  private transient @Nullable List<T> bundle;
  private transient @Nullable BackgroundWriter<T> writer;
  private transient long bundleSize;

  RedisWriteFn(RedisSink.Target target) {
    this.target = target;
  }

  /** Queues the writes of one element. Runs on the writer thread when writing as elements arrive. */
  abstract void write(T element, Pipeline redis);

  /** Queues writes collected over a round trip's elements, after the last {@link #write}. */
  void flush(Pipeline redis) {}

  /** Whether elements are written as they arrive (true), or all at once at the bundle's end. */
  boolean writesAsTheyArrive() {
    return true;
  }

  @StartBundle
  public void startBundle() {
    bundle = null;
    bundleSize = 0;
  }

  @ProcessElement
  public void processElement(@Element T element) {
    bundleSize++;
    if (writesAsTheyArrive()) {
      if (writer == null) {
        writer = new BackgroundWriter<>(this);
      }
      writer.submit(element);
      return;
    }
    if (bundle == null) {
      bundle = new ArrayList<>();
    }
    bundle.add(element);
  }

  @FinishBundle
  public void finishBundle() {
    if (writer != null) {
      writer.awaitWritten(ACK_TIMEOUT_MILLIS);
    } else if (bundle != null && !bundle.isEmpty()) {
      writeBatch(bundle);
    }
    written.inc(bundleSize);
    bundle = null;
    bundleSize = 0;
  }

  @Teardown
  public void teardown() {
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }

  /** Sends the writes of {@code batch} in one pipelined round trip and checks every reply. */
  final void writeBatch(List<T> batch) {
    List<Object> replies;
    try (Jedis jedis = pool(target).getResource()) {
      try {
        Pipeline pipeline = jedis.pipelined();
        for (T element : batch) {
          write(element, pipeline);
        }
        flush(pipeline);
        // sync() would drop the error of a refused command (OOM, WRONGTYPE, BUSY...): fail the
        // bundle instead, so the runner retries it from its last checkpoint.
        replies = pipeline.syncAndReturnAll();
      } catch (RuntimeException e) {
        // Writes still queued on this connection must not reach Redis later: the pool would send
        // them when it takes the connection back. Close it instead.
        jedis.getConnection().setBroken();
        throw e;
      }
    } catch (JedisConnectionException e) {
      // The pool's idle connections were opened to the same server and are most likely dead as
      // well: drop them, so that the retried bundle connects afresh instead of failing once more
      // for each of them.
      pool(target).clear();
      throw new IllegalStateException(
          "Lost Redis at " + target.address() + " while writing a bundle (" + e.getMessage()
              + "); the bundle fails and the runner retries it from its last checkpoint, rewriting"
              + " its absolute values. Check that the server runs and answers PING there.",
          e);
    }
    for (Object reply : replies) {
      if (reply instanceof Exception refused) {
        throw new IllegalStateException(
            "Redis at " + target.address() + " refused a write of this bundle (" + refused.getMessage()
                + "); the bundle is retried. Check the server's log, its maxmemory and that no"
                + " other client writes these keys.",
            refused);
      }
    }
  }

  /** The connections of a Redis URI, shared by every step writing to it in this JVM. */
  static JedisPool pool(RedisSink.Target target) {
    return POOLS.computeIfAbsent(target.uri(), uri -> {
      GenericObjectPoolConfig<Jedis> config = new GenericObjectPoolConfig<>();
      config.setMaxTotal(32);
      config.setMaxIdle(32);
      // A pool that never hands out a connection fails the bundle rather than hanging the job.
      config.setMaxWait(java.time.Duration.ofSeconds(60));
      return new JedisPool(config, URI.create(uri));
    });
  }

  /**
   * Writes a step's elements on a daemon thread of its own, in the order they were submitted, each
   * round trip carrying whatever queued while the last one was under way. The first failure stops it
   * and is thrown to the task at its next submit or bundle end.
   */
  private static final class BackgroundWriter<T> implements Runnable {
    private final RedisWriteFn<T> fn;
    private final Thread thread;
    private final ArrayDeque<T> queue = new ArrayDeque<>(); // guarded by this
    private long submitted; // guarded by this
    private long acknowledged; // guarded by this
    private @Nullable RuntimeException failure; // guarded by this
    private boolean closed; // guarded by this
    /** The task waits for the acknowledgements: send what is queued without lingering. */
    private boolean flushRequested; // guarded by this

    BackgroundWriter(RedisWriteFn<T> fn) {
      this.fn = fn;
      this.thread = new Thread(this, "redis-writer-" + fn.getClass().getSimpleName());
      thread.setDaemon(true);
      thread.start();
    }

    synchronized void submit(T element) {
      throwIfFailed();
      if (closed) {
        throw new IllegalStateException("The Redis writer of " + fn + " is closed");
      }
      queue.add(element);
      submitted++;
      if (queue.size() == 1 || queue.size() == MAX_BATCH) {
        notifyAll();
      }
    }

    /** Waits until Redis acknowledged every element submitted so far; throws the writer's failure. */
    synchronized void awaitWritten(long timeoutMillis) {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      if (acknowledged < submitted) {
        flushRequested = true;
        notifyAll();
      }
      while (acknowledged < submitted && failure == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(String.format(
              "Redis at %s acknowledged %,d of %,d writes within %d s; the bundle fails and is retried."
                  + " Check that the server is up and not overloaded (redis-cli -h HOST -p PORT"
                  + " --latency).", fn.target.address(), acknowledged, submitted, timeoutMillis / 1000));
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for Redis to acknowledge writes", e);
        }
      }
      throwIfFailed();
    }

    synchronized void close() {
      closed = true;
      queue.clear();
      notifyAll();
    }

    private void throwIfFailed() {
      if (failure != null) {
        // A new exception, so the task's own stack shows where the bundle failed.
        throw new IllegalStateException(failure.getMessage(), failure);
      }
    }

    @Override
    public void run() {
      List<T> batch = new ArrayList<>();
      while (true) {
        synchronized (this) {
          try {
            while (queue.isEmpty() && !closed) {
              wait();
            }
            // Linger a little for more: under load, one round trip per element would cost Redis and
            // both threads far more than the few milliseconds a dashboard waits.
            long lingerEnd = System.nanoTime() + LINGER_NANOS;
            long left;
            while (!closed && !flushRequested && queue.size() < MAX_BATCH
                && (left = lingerEnd - System.nanoTime()) > 0) {
              TimeUnit.NANOSECONDS.timedWait(this, left);
            }
          } catch (InterruptedException e) {
            return;
          }
          if (closed) {
            return;
          }
          while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
            batch.add(queue.poll());
          }
          if (queue.isEmpty()) {
            flushRequested = false;
          }
        }
        try {
          fn.writeBatch(batch);
        } catch (RuntimeException | Error e) {
          synchronized (this) {
            failure = e instanceof RuntimeException r ? r : new IllegalStateException(e.toString(), e);
            queue.clear();
            notifyAll();
          }
          return;
        }
        synchronized (this) {
          acknowledged += batch.size();
          notifyAll();
        }
        batch.clear();
      }
    }
  }
}
