package io.github.analytics.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.pipelines.options.IngestOptions;
import io.github.analytics.stack.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code analytics replay-dead-letters} as a user runs it: its help, its errors, a run and a rerun. */
class ReplayDeadLettersCommandTest {
  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      int code = AnalyticsCli.commandLine().execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }

  @Test
  void helpExplainsEveryOptionAndWhereTheWarehousesDeadLettersGo() {
    Run help = run("replay-dead-letters", "--help");
    assertEquals(0, help.exitCode(), help.err());
    CommandLine command = AnalyticsCli.commandLine().getSubcommands().get("replay-dead-letters");
    for (OptionSpec option : command.getCommandSpec().options()) {
      assertTrue(help.out().contains(option.longestName()), "help lacks " + option.longestName());
      assertTrue(String.join(" ", option.description()).length() > 10, option.longestName() + " is not explained");
    }
    for (String text : new String[] {"backfill --from DAY --to DAY --force", "dead_letters", "--group",
        "transaction", "collector", "--dry-run"}) {
      assertTrue(help.out().contains(text), "help lacks '" + text + "':\n" + help.out());
    }
    assertTrue(AnalyticsCli.commandLine().getUsageMessage().contains("replay-dead-letters"));
  }

  @Test
  void theParseLimitsDefaultToTheStreamingJobsOwn() {
    IngestOptions job = PipelineOptionsFactory.as(IngestOptions.class);
    CommandLine command = AnalyticsCli.commandLine().getSubcommands().get("replay-dead-letters");
    Map<String, Integer> jobs = Map.of(
        "--max-payload-bytes", job.getMaxPayloadBytes(),
        "--max-properties-bytes", job.getMaxPropertiesBytes(),
        "--max-client-clock-past-hours", job.getMaxClientClockPastHours(),
        "--max-client-clock-future-hours", job.getMaxClientClockFutureHours());
    jobs.forEach((name, value) ->
        assertEquals(String.valueOf(value), command.getCommandSpec().findOption(name).defaultValue(), name));
  }

  @Test
  void saysWhatToDoWhenNoBrokerAnswers() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Run run = run("replay-dead-letters", "--bootstrap-servers", "127.0.0.1:" + port);
    assertEquals(2, run.exitCode(), run.out() + run.err());
    assertTrue(run.err().contains("No Kafka broker answers at 127.0.0.1:" + port), run.err());
    assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
  }

  @Test
  void replaysThroughTheCommandLineSaysWhenATopicIsMissingAndSendsNothingTwice() throws Exception {
    try (KafkaBroker kafka = KafkaBroker.start(Files.createTempDirectory("replay-cli"))) {
      String servers = kafka.bootstrapServers();
      kafka.createTopics("events.dead_letters");
      Run missing = run("replay-dead-letters", "--bootstrap-servers", servers);
      assertEquals(2, missing.exitCode(), missing.out() + missing.err());
      assertTrue(missing.err().contains("The event topic 'events' does not exist at " + servers), missing.err());
      assertTrue(missing.err().contains("--event-topic"), missing.err());
      Run missingDeadLetters = run("replay-dead-letters", "--bootstrap-servers", servers,
          "--dead-letter-topic", "nope");
      assertEquals(2, missingDeadLetters.exitCode());
      assertTrue(missingDeadLetters.err().contains("The dead-letter topic 'nope' does not exist"),
          missingDeadLetters.err());

      kafka.createTopics("events");
      List<String> valid = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
          Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers), new ByteArraySerializer(), new ByteArraySerializer())) {
        List<Future<?>> sent = new ArrayList<>();
        String now = java.time.Instant.now().toString();
        for (int i = 0; i < 3; i++) {
          String payload = "{\"event_id\":\"" + UUID.randomUUID() + "\",\"event_type\":\"tap\",\"user_id\":\"cli-" + i
              + "\",\"session_id\":\"s\",\"platform\":\"ios\",\"client_timestamp\":\"" + now
              + "\",\"server_timestamp\":\"" + now + "\"}";
          valid.add(payload);
          sent.add(producer.send(deadLetter(payload, "PROPERTIES_TOO_LARGE")));
        }
        sent.add(producer.send(deadLetter("{\"event_id\":", "MALFORMED_JSON")));
        sent.add(producer.send(deadLetter("[]", "OLD_RULE")));
        for (Future<?> f : sent) {
          f.get(60, TimeUnit.SECONDS);
        }
      }

      Run dry = run("replay-dead-letters", "--bootstrap-servers=" + servers, "--dry-run");
      assertEquals(0, dry.exitCode(), dry.out() + dry.err());
      assertTrue(dry.out().matches("(?s).*would be replayed\\s+3\\n.*"), dry.out());
      assertTrue(dry.out().contains("nothing was sent and no offset committed"), dry.out());

      Run replay = run("replay-dead-letters", "--bootstrap-servers", servers,
          "--reasons", "PROPERTIES_TOO_LARGE,MALFORMED_JSON", "--max-properties-bytes", "16384");
      assertEquals(0, replay.exitCode(), replay.out() + replay.err());
      for (String line : new String[] {"5 dead letters read", "replayed (each once)", "still failing (not sent)",
          "PROPERTIES_TOO_LARGE -> replayed", "MALFORMED_JSON       -> MALFORMED_JSON",
          "OLD_RULE             -> skipped (not in --reasons)", "--group analytics-replay-2"}) {
        assertTrue(replay.out().contains(line), "output lacks '" + line + "':\n" + replay.out());
      }
      List<ConsumerRecord<String, byte[]>> events = kafka.readAll("events", 3, Duration.ofSeconds(60));
      assertEquals(valid.stream().sorted().toList(),
          events.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).sorted().toList());

      Run again = run("replay-dead-letters", "--bootstrap-servers", servers);
      assertEquals(0, again.exitCode(), again.out() + again.err());
      assertTrue(again.out().contains("Nothing to replay"), again.out());
      assertEquals(3, kafka.readAll("events", 3, Duration.ofSeconds(60)).size(), "nothing sent twice");
    }
  }

  private static ProducerRecord<byte[], byte[]> deadLetter(String payload, String reason) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>("events.dead_letters", payload.getBytes(StandardCharsets.UTF_8));
    record.headers().add("dead_letter_reason", reason.getBytes(StandardCharsets.UTF_8));
    record.headers().add("dead_letter_step", "ParseEvents".getBytes(StandardCharsets.UTF_8));
    return record;
  }
}
