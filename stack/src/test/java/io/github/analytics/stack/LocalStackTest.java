package io.github.analytics.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** The stack's services are real: a keyed record goes through Kafka, a value through Redis. */
class LocalStackTest {

  @Test
  void kafkaAndRedisAnswerOnLoopbackAndStopCleanly(@TempDir Path dir) throws Exception {
    String bootstrap;
    int redisPort;
    try (LocalStack stack = LocalStack.start(dir)) {
      bootstrap = stack.kafka().bootstrapServers();
      redisPort = stack.redis().port();

      Properties producer = new Properties();
      producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      producer.put(ProducerConfig.ACKS_CONFIG, "all");
      try (KafkaProducer<String, String> p =
          new KafkaProducer<>(producer, new StringSerializer(), new StringSerializer())) {
        for (int i = 0; i < 10; i++) {
          p.send(new ProducerRecord<>("events", "user-" + (i % 3), "event-" + i)).get();
        }
      }
      Properties consumer = new Properties();
      consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "test");
      consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      List<ConsumerRecord<String, String>> received = new ArrayList<>();
      try (KafkaConsumer<String, String> c =
          new KafkaConsumer<>(consumer, new StringDeserializer(), new StringDeserializer())) {
        c.subscribe(List.of("events"));
        Instant deadline = Instant.now().plusSeconds(60);
        while (received.size() < 10 && Instant.now().isBefore(deadline)) {
          c.poll(Duration.ofMillis(500)).forEach(received::add);
        }
      }
      assertEquals(10, received.size(), "records read back from the broker");
      // Keyed by user: all of one user's records sit in one partition, in order.
      Map<String, List<Integer>> partitions = new java.util.HashMap<>();
      for (ConsumerRecord<String, String> r : received) {
        partitions.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.partition());
      }
      partitions.values().forEach(ps -> assertEquals(1, ps.stream().distinct().count()));

      try (Jedis jedis = new Jedis(stack.redis().host(), redisPort)) {
        jedis.set("k", "v");
        assertEquals("v", jedis.get("k"));
        assertEquals(1L, jedis.pfadd("hll", "u1", "u2", "u1") > 0 ? 1L : 0L);
        assertEquals(2L, jedis.pfcount("hll"));
      }
    }
    assertFalse(listening(bootstrap.split(":")[1]), "Kafka still listens after close");
    assertFalse(listening(Integer.toString(redisPort)), "Redis still listens after close");
  }

  @Test
  void redisServerIsFoundWhereItIsAndAMissingOneIsNamedWithItsInstallCommand(@TempDir Path dir)
      throws Exception {
    Path empty = java.nio.file.Files.createDirectories(dir.resolve("empty"));
    Path bin = java.nio.file.Files.createDirectories(dir.resolve("bin"));
    Path fake = java.nio.file.Files.createFile(bin.resolve("redis-server"));
    assertTrue(fake.toFile().setExecutable(true));
    assertEquals(java.util.Optional.empty(), RedisServer.find(null, List.of(empty.toString())));
    assertEquals(java.util.Optional.of(fake),
        RedisServer.find(null, List.of(empty.toString(), bin.toString())));
    assertEquals(java.util.Optional.of(fake), RedisServer.find(fake.toString(), List.of()));
    assertEquals(java.util.Optional.empty(),
        RedisServer.find(empty.resolve("nope").toString(), List.of(bin.toString())));
    assertTrue(RedisServer.MISSING.contains("apt-get install -y redis-server"), RedisServer.MISSING);
  }

  private static boolean listening(String port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(port)), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
