package io.github.analytics.pipelines.replay;

import io.github.analytics.transforms.ingest.ParseEvents;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a dead-letter replay reads, where it sends, and how it decides. Immutable: {@link #of} gives
 * the defaults (the streaming job's topics and the parser's default limits), {@code withX} a copy.
 *
 * @param bootstrapServers the Kafka brokers, {@code host:port[,host:port...]}
 * @param deadLetterTopic the streaming job's {@code --deadLetterTopic}
 * @param eventTopic the streaming job's {@code --inputTopic}, where records that parse go back
 * @param group the consumer group whose committed offsets say how far replays have gone
 * @param reasons the dead-letter reasons to replay; empty: every reason
 * @param dryRun parse and report only: send nothing, commit nothing
 * @param maxRecords stop after reading this many dead letters (0: read to the end seen at start)
 * @param parsing the parse step as the streaming job configures it ({@code IngestSettings.parseEvents})
 * @param stallTimeout how long a run waits for records it knows are there before it gives up
 */
public record ReplaySettings(
    String bootstrapServers,
    String deadLetterTopic,
    String eventTopic,
    String group,
    Set<String> reasons,
    boolean dryRun,
    long maxRecords,
    ParseEvents parsing,
    Duration stallTimeout) {
  public static final String DEFAULT_GROUP = "analytics-replay";

  public ReplaySettings {
    reasons = Set.copyOf(new TreeSet<>(reasons));
    if (deadLetterTopic.equals(eventTopic)) {
      throw new IllegalArgumentException(
          "The dead-letter topic and the event topic are both '" + eventTopic
              + "': a replay would read what it writes. Pass --dead-letter-topic (the streaming job's"
              + " --deadLetterTopic) and --event-topic (its --inputTopic).");
    }
    if (maxRecords < 0) {
      throw new IllegalArgumentException("--max-records must be 0 (no limit) or more, got " + maxRecords);
    }
    if (group.isBlank()) {
      throw new IllegalArgumentException("--group must not be empty");
    }
  }

  /** The streaming job's default topics on {@code bootstrapServers}, group {@value #DEFAULT_GROUP}. */
  public static ReplaySettings of(String bootstrapServers) {
    return new ReplaySettings(bootstrapServers, "events.dead_letters", "events", DEFAULT_GROUP, Set.of(),
        false, 0, ParseEvents.of(), Duration.ofSeconds(60));
  }

  public ReplaySettings withTopics(String deadLetterTopic, String eventTopic) {
    return new ReplaySettings(bootstrapServers, deadLetterTopic, eventTopic, group, reasons, dryRun,
        maxRecords, parsing, stallTimeout);
  }

  public ReplaySettings withGroup(String group) {
    return new ReplaySettings(bootstrapServers, deadLetterTopic, eventTopic, group, reasons, dryRun,
        maxRecords, parsing, stallTimeout);
  }

  public ReplaySettings withReasons(Set<String> reasons) {
    return new ReplaySettings(bootstrapServers, deadLetterTopic, eventTopic, group, reasons, dryRun,
        maxRecords, parsing, stallTimeout);
  }

  public ReplaySettings withDryRun(boolean dryRun) {
    return new ReplaySettings(bootstrapServers, deadLetterTopic, eventTopic, group, reasons, dryRun,
        maxRecords, parsing, stallTimeout);
  }

  public ReplaySettings withMaxRecords(long maxRecords) {
    return new ReplaySettings(bootstrapServers, deadLetterTopic, eventTopic, group, reasons, dryRun,
        maxRecords, parsing, stallTimeout);
  }

  public ReplaySettings withParsing(ParseEvents parsing) {
    return new ReplaySettings(bootstrapServers, deadLetterTopic, eventTopic, group, reasons, dryRun,
        maxRecords, parsing, stallTimeout);
  }

  public ReplaySettings withStallTimeout(Duration stallTimeout) {
    return new ReplaySettings(bootstrapServers, deadLetterTopic, eventTopic, group, reasons, dryRun,
        maxRecords, parsing, stallTimeout);
  }

  /**
   * The producer's transactional id: one per group and dead-letter topic, so a second run of the same
   * replay fences the first, and a run after a killed one aborts what the killed one left open.
   */
  String transactionalId() {
    return "analytics-replay:" + group + ":" + deadLetterTopic;
  }
}
