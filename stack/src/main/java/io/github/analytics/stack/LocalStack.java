package io.github.analytics.stack;

import java.nio.file.Path;

/**
 * Kafka and Redis together, as the streaming layer's tests, the demo and the benchmarks use them: both
 * started on loopback and free ports under one working directory, both stopped by {@link #close()}.
 * Whatever cannot start is named in the exception, with the command that fixes it.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.start(Files.createTempDirectory("stack"))) {
 *   String kafka = stack.kafka().bootstrapServers();
 *   int redisPort = stack.redis().port();
 * }
 * }</pre>
 */
public final class LocalStack implements AutoCloseable {
  private final KafkaBroker kafka;
  private final RedisServer redis;

  private LocalStack(KafkaBroker kafka, RedisServer redis) {
    this.kafka = kafka;
    this.redis = redis;
  }

  /** Starts Redis, then Kafka, under {@code workDir}; if Kafka fails, Redis is stopped again. */
  public static LocalStack start(Path workDir) {
    RedisServer redis = RedisServer.start(workDir.resolve("redis"));
    try {
      return new LocalStack(KafkaBroker.start(workDir.resolve("kafka")), redis);
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  public KafkaBroker kafka() {
    return kafka;
  }

  public RedisServer redis() {
    return redis;
  }

  @Override
  public void close() {
    try {
      kafka.close();
    } finally {
      redis.close();
    }
  }
}
