package io.github.analytics.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** deploy/redis/redis.conf loads into a real redis-server and sets what its comments promise. */
class RedisConfigTest {
  private static final Path CONFIG = Path.of("..", "deploy", "redis", "redis.conf");

  @Test
  void theShippedConfigurationLoadsWithItsPolicies(@TempDir Path dir) {
    assumeTrue(RedisServer.binary().isPresent(), RedisServer.MISSING);
    assertTrue(Files.isRegularFile(CONFIG), "missing " + CONFIG.toAbsolutePath());
    try (RedisServer redis = RedisServer.start(dir, CONFIG);
        Jedis jedis = new Jedis(redis.host(), redis.port())) {
      assertEquals(Map.of("maxmemory-policy", "volatile-ttl"), jedis.configGet("maxmemory-policy"));
      assertEquals(Map.of("appendonly", "yes"), jedis.configGet("appendonly"));
      assertEquals(Map.of("maxmemory", Long.toString(4L << 30)), jedis.configGet("maxmemory"));
      // The test's own port and directory override the file's.
      assertEquals(Map.of("port", Integer.toString(redis.port())), jedis.configGet("port"));
      assertEquals(Map.of("dir", dir.toAbsolutePath().toString()), jedis.configGet("dir"));
      // A key with a TTL, as the pipeline writes them, is stored and expires.
      jedis.setex("event_counts_per_minute:probe", 60, "1");
      assertTrue(jedis.ttl("event_counts_per_minute:probe") > 0);
    }
  }
}
