package io.github.analytics.runners;

import io.github.analytics.pipelines.options.IngestOptions;
import io.github.analytics.pipelines.options.IngestSettings;
import io.github.analytics.pipelines.replay.DeadLetterReplay;
import io.github.analytics.pipelines.replay.ReplayResult;
import io.github.analytics.pipelines.replay.ReplaySettings;
import io.github.analytics.transforms.ingest.ParseEvents;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code analytics replay-dead-letters}: the streaming job's dead letters that parse now, back into
 * the event topic, each once ({@link DeadLetterReplay}).
 */
@Command(
    name = "replay-dead-letters",
    mixinStandardHelpOptions = true,
    description = {
      "After a fix, reads the streaming job's dead-letter topic and sends the records that parse now back"
          + " into the event topic, through the same ingest path: each is decided by the job's own parser"
          + " with the limits given here (pass the job's own), as arriving now; it is sent with its payload"
          + " unchanged, keyed by its user_id, with its source header. Records that still fail are not"
          + " sent, and are counted by their new reason.",
      "Each record is sent once per --group: the records and the group's offsets commit in one Kafka"
          + " transaction, so a run stopped anywhere (Ctrl-C, a crash, --max-records) and run again goes on"
          + " where it stopped. A run reads up to the end of the topic seen at its start. The group passes"
          + " the records it did not send (still failing, or not in --reasons): after a later fix, replay"
          + " them with a new --group and that fix's --reasons.",
      "The streaming layer counts a replayed event only while its window is open (--allowedLatenessMinutes"
          + " of the job); its dedupe drops an event_id it saw within --dedupeHorizonHours. Closed days"
          + " come right in the warehouse by re-running them with the fix (the archive holds every record"
          + " as received): analytics backfill --from DAY --to DAY --force. The warehouse's dead_letters"
          + " table is replayed that way too. Dead letters the collector wrote are skipped: they are not"
          + " events yet; send them through the collector again.",
      "  analytics replay-dead-letters --bootstrap-servers 127.0.0.1:9092 --dry-run",
      "  analytics replay-dead-letters --bootstrap-servers 127.0.0.1:9092 --reasons PAYLOAD_TOO_LARGE"
          + " --max-payload-bytes 131072",
      "Exit code 0 when the run ends, 1 when it fails part-way (what it committed stays; run it again),"
          + " 2 for a bad option, a missing topic or no broker.",
      ""
    })
final class ReplayDeadLettersCommand implements Callable<Integer> {
  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT",
      description = "Kafka's bootstrap servers, host:port[,host:port] (./analytics stack prints them).")
  String bootstrapServers;

  @Option(names = "--dead-letter-topic", defaultValue = "events.dead_letters", paramLabel = "TOPIC",
      description = "The topic read: the streaming job's --deadLetterTopic (default: ${DEFAULT-VALUE}).")
  String deadLetterTopic;

  @Option(names = "--event-topic", defaultValue = "events", paramLabel = "TOPIC",
      description = "Where records that parse go: the streaming job's --inputTopic (default: ${DEFAULT-VALUE}).")
  String eventTopic;

  @Option(names = "--group", defaultValue = ReplaySettings.DEFAULT_GROUP, paramLabel = "GROUP",
      description = "Consumer group whose committed offsets say how far replays have gone; a new group starts"
          + " at the earliest dead letter (default: ${DEFAULT-VALUE}).")
  String group;

  @Option(names = "--reasons", split = ",", paramLabel = "REASON",
      description = "Replay only dead letters with these dead_letter_reason values, comma-separated, e.g."
          + " MALFORMED_JSON,INVALID_TIMESTAMP (default: every reason). Others are counted as skipped.")
  List<String> reasons = List.of();

  @Option(names = "--dry-run",
      description = "Parse and report only: send nothing, commit nothing.")
  boolean dryRun;

  @Option(names = "--max-records", defaultValue = "0", paramLabel = "N",
      description = "Stop after reading this many dead letters; the same command goes on from there"
          + " (default: ${DEFAULT-VALUE}, no limit).")
  long maxRecords;

  @Option(names = "--max-payload-bytes", paramLabel = "BYTES",
      defaultValue = "" + ParseEvents.DEFAULT_MAX_PAYLOAD_BYTES,
      description = "The job's --maxPayloadBytes: larger payloads fail as PAYLOAD_TOO_LARGE (default: ${DEFAULT-VALUE}).")
  int maxPayloadBytes;

  @Option(names = "--max-properties-bytes", paramLabel = "BYTES",
      defaultValue = "" + ParseEvents.DEFAULT_MAX_PROPERTIES_BYTES,
      description = "The job's --maxPropertiesBytes: a larger 'properties' object fails as PROPERTIES_TOO_LARGE"
          + " (default: ${DEFAULT-VALUE}).")
  int maxPropertiesBytes;

  @Option(names = "--max-client-clock-past-hours", defaultValue = "720", paramLabel = "HOURS",
      description = "The job's --maxClientClockPastHours: a client_timestamp further before the collector's"
          + " time (its server_timestamp, else the arrival: now) fails as TIMESTAMP_OUT_OF_RANGE"
          + " (default: ${DEFAULT-VALUE}).")
  int maxClientClockPastHours;

  @Option(names = "--max-client-clock-future-hours", defaultValue = "24", paramLabel = "HOURS",
      description = "The job's --maxClientClockFutureHours: a client_timestamp further after the collector's"
          + " time fails as TIMESTAMP_OUT_OF_RANGE (default: ${DEFAULT-VALUE}).")
  int maxClientClockFutureHours;

  @Override
  public Integer call() {
    ReplaySettings settings = ReplaySettings.of(bootstrapServers)
        .withTopics(deadLetterTopic, eventTopic)
        .withGroup(group)
        .withReasons(reasons(reasons))
        .withDryRun(dryRun)
        .withMaxRecords(maxRecords)
        .withParsing(IngestSettings.parseEvents(ingestOptions()));
    System.out.println((dryRun ? "Dry run: reading " : "Replaying ") + deadLetterTopic + " (group " + group
        + ") into " + eventTopic + " at " + bootstrapServers
        + (settings.reasons().isEmpty() ? "" : ", reasons " + String.join(",", settings.reasons())) + "...");
    ReplayResult result;
    try {
      result = DeadLetterReplay.run(settings, System.out);
    } catch (IllegalStateException e) {
      System.err.println("analytics replay-dead-letters: " + e.getMessage());
      return 1;
    }
    result.print(System.out, settings);
    return 0;
  }

  /** The parse limits as the streaming job's options hold them. */
  private IngestOptions ingestOptions() {
    IngestOptions options = PipelineOptionsFactory.as(IngestOptions.class);
    options.setMaxPayloadBytes(maxPayloadBytes);
    options.setMaxPropertiesBytes(maxPropertiesBytes);
    options.setMaxClientClockPastHours(maxClientClockPastHours);
    options.setMaxClientClockFutureHours(maxClientClockFutureHours);
    return options;
  }

  private static Set<String> reasons(List<String> given) {
    Set<String> out = new LinkedHashSet<>();
    for (String reason : given) {
      if (reason.isBlank()) {
        throw new IllegalArgumentException("--reasons takes names such as MALFORMED_JSON,INVALID_TIMESTAMP;"
            + " got an empty one");
      }
      out.add(reason.strip());
    }
    return out;
  }
}
