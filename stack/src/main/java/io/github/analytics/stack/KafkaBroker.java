package io.github.analytics.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), in a JVM of
 * its own started from the {@code analytics-kafka-broker} module's classpath, on loopback and free
 * ports. In-process it would bring kafka-clients 4.x and Scala 2.13 onto the pipeline's classpath.
 *
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.start(workDir)) {
 *   producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * }</pre>
 */
public final class KafkaBroker implements AutoCloseable {
  /** Partitions of automatically created topics. */
  public static final int DEFAULT_PARTITIONS = 4;
  private static final String CLASSPATH_RESOURCE = "/io/github/analytics/stack/kafka-broker.classpath";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Process process;
  private final int port;
  private final Path workDir;
  private final Path log;

  private KafkaBroker(Process process, int port, Path workDir, Path log) {
    this.process = process;
    this.port = port;
    this.workDir = workDir;
    this.log = log;
  }

  /** Formats a fresh log directory under {@code workDir}, starts the broker and waits until it answers. */
  public static KafkaBroker start(Path workDir) {
    try {
      Files.createDirectories(workDir);
      int port = ServiceProcess.freePort();
      int controllerPort = ServiceProcess.freePort();
      Path properties = workDir.resolve("server.properties");
      Files.writeString(properties, String.join("\n", List.of(
          "process.roles=broker,controller",
          "node.id=1",
          "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
          "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
          "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
          "controller.listener.names=CONTROLLER",
          "inter.broker.listener.name=PLAINTEXT",
          "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
          "log.dirs=" + workDir.resolve("data").toAbsolutePath(),
          "num.partitions=" + DEFAULT_PARTITIONS,
          "auto.create.topics.enable=true",
          "offsets.topic.replication.factor=1",
          "offsets.topic.num.partitions=4",
          "transaction.state.log.replication.factor=1",
          "transaction.state.log.min.isr=1",
          "share.coordinator.state.topic.replication.factor=1",
          "share.coordinator.state.topic.min.isr=1",
          "group.initial.rebalance.delay.ms=0",
          "")), StandardCharsets.UTF_8);
      Path log = workDir.resolve("kafka.log");
      String classpath = brokerClasspath();
      format(classpath, properties, workDir, log);
      return launch(classpath, port, workDir, log);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the Kafka broker's directory " + workDir, e);
    }
  }

  /**
   * Stops this broker cleanly if it runs (after {@link #kill}, it does not), and starts it again on
   * the same ports and log directory:
   * what it acknowledged before is still there, and clients that knew it reconnect. For tests of what
   * happens while the broker is away; this instance is stopped, use the one returned.
   */
  public KafkaBroker restart() {
    close();
    return launch(brokerClasspath(), port, workDir, log);
  }

  private static KafkaBroker launch(String classpath, int port, Path workDir, Path log) {
    List<String> command = java(classpath);
    command.addAll(List.of("kafka.Kafka", workDir.resolve("server.properties").toAbsolutePath().toString()));
    Process process = ServiceProcess.start(command, workDir, log);
    KafkaBroker broker = new KafkaBroker(process, port, workDir, log);
    ServiceProcess.awaitReady("The Kafka broker", process, log, START_TIMEOUT, broker::answers);
    return broker;
  }

  /** {@code host:port} for producers, consumers and KafkaIO. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /**
   * Creates the topics that do not exist yet, with {@value #DEFAULT_PARTITIONS} partitions each, and
   * waits until every partition of every topic named accepts requests on its leader: a consumer that
   * starts before its topic exists finds no partition, and a producer that writes as soon as the
   * controller has elected a leader can still be refused with {@code NOT_LEADER_OR_FOLLOWER} by a
   * broker that has not taken the leadership up (an idempotent producer's batch then expired after
   * its 120 s delivery timeout here, under load).
   */
  public void createTopics(String... names) {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
      java.util.Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<org.apache.kafka.clients.admin.NewTopic> missing = new ArrayList<>();
      for (String name : names) {
        if (!existing.contains(name)) {
          missing.add(new org.apache.kafka.clients.admin.NewTopic(name, DEFAULT_PARTITIONS, (short) 1));
        }
      }
      admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      awaitLeaders(admin, List.of(names), Duration.ofSeconds(60));
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("Cannot create the topics " + List.of(names) + " on the broker at "
          + bootstrapServers() + " (log: " + log + ")", e);
    }
  }

  /**
   * Polls until each partition of {@code topics} has a leader in the metadata and that leader answers
   * a ListOffsets request for it, which only a broker serving the partition does.
   */
  private void awaitLeaders(Admin admin, List<String> topics, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> partitions = new java.util.HashMap<>();
        boolean leaderless = false;
        for (org.apache.kafka.clients.admin.TopicDescription topic
            : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
          for (org.apache.kafka.common.TopicPartitionInfo partition : topic.partitions()) {
            leaderless |= partition.leader() == null || partition.leader().isEmpty();
            partitions.put(new TopicPartition(topic.name(), partition.partition()),
                org.apache.kafka.clients.admin.OffsetSpec.latest());
          }
        }
        if (!leaderless) {
          admin.listOffsets(partitions).all().get(10, TimeUnit.SECONDS);
          return;
        }
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        last = e;
      }
      if (process.waitFor(50, TimeUnit.MILLISECONDS)) { // a pause that ends early if the broker dies
        throw new IllegalStateException("The Kafka broker exited with status " + process.exitValue()
            + "; end of " + log + ":\n" + ServiceProcess.tail(log, 30));
      }
    }
    throw new IllegalStateException("No partition leader serving every partition of " + topics + " after "
        + timeout.toSeconds() + " s; end of " + log + ":\n" + ServiceProcess.tail(log, 30), last);
  }

  /**
   * Every committed record of {@code topic} from its beginning, polled until at least {@code expected}
   * came or {@code timeout} passed, then polled once more so that more than expected shows too. For
   * tests that check what reached a topic.
   */
  public List<ConsumerRecord<String, byte[]>> readAll(String topic, int expected, Duration timeout) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      consumer.poll(Duration.ofMillis(500)).forEach(records::add);
    }
    return records;
  }

  /** The broker's log file, for a failing test's message. */
  public Path log() {
    return log;
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Kills the broker (SIGKILL), as a crashed process: no clean shutdown, so it recovers its logs when
   * {@link #restart} starts it again. What it acknowledged is in the operating system's page cache and
   * survives a process kill (not a power loss). For drills.
   */
  public void kill() {
    ServiceProcess.kill(process, "the Kafka broker");
  }

  /** Stops the broker cleanly (it flushes its logs), killing it if it takes more than 30 s. */
  @Override
  public void close() {
    ServiceProcess.stop(process, Duration.ofSeconds(30));
  }

  private boolean answers() {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000))) {
      return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  private static void format(String classpath, Path properties, Path workDir, Path log) {
    byte[] id = new byte[16];
    UUID uuid = UUID.randomUUID();
    java.nio.ByteBuffer.wrap(id).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    List<String> command = java(classpath);
    // "--cluster-id=" because a base64 id may start with '-', which would read as an option.
    command.addAll(List.of("kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId,
        "--config", properties.toAbsolutePath().toString()));
    Process format = ServiceProcess.start(command, workDir, log);
    try {
      if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
        ServiceProcess.stop(format, Duration.ofSeconds(1));
        throw new IllegalStateException(
            "Formatting the Kafka log directory failed; end of " + log + ":\n" + ServiceProcess.tail(log, 30));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while formatting the Kafka log directory", e);
    }
  }

  private static List<String> java(String classpath) {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xms256m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
        // The broker's own log (slf4j-simple, to the process's output and so to kafka.log).
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
        "-cp", classpath));
    return command;
  }

  /** The broker's classpath, as the analytics-kafka-broker module resolved it at build time. */
  static String brokerClasspath() {
    return ServiceProcess.classpath(CLASSPATH_RESOURCE, "The Kafka broker", "analytics-kafka-broker");
  }
}
