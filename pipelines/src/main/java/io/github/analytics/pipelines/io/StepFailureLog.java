package io.github.analytics.pipelines.io;

import io.github.analytics.schemas.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch layer's sink for {@code STEP_FAILED} dead letters: valid events a step threw on. Each is
 * logged at ERROR with its step, message and payload (the event, at most {@value #MAX_PAYLOAD_CHARS}
 * characters), where the runner keeps its workers' logs; the count is the {@code
 * dead_letter_STEP_FAILED} counter, which the batch summary prints. They are not rows of the {@code
 * dead_letters} table, which holds the records refused: a step failure is an event, in the events
 * table and counted by every other step. The streaming layer sends them to its dead-letter topic.
 */
public final class StepFailureLog extends PTransform<PCollection<DeadLetter>, PDone> {
  private static final long serialVersionUID = 1L;
  static final int MAX_PAYLOAD_CHARS = 4_096;

  private StepFailureLog() {}

  public static StepFailureLog of() {
    return new StepFailureLog();
  }

  @Override
  public PDone expand(PCollection<DeadLetter> failures) {
    failures.apply("Log", ParDo.of(new LogFn()));
    return PDone.in(failures.getPipeline());
  }

  private static final class LogFn extends DoFn<DeadLetter, Void> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(StepFailureLog.class);

    @ProcessElement
    public void process(@Element DeadLetter failure) {
      String payload = new String(failure.getPayload(), StandardCharsets.UTF_8);
      if (payload.length() > MAX_PAYLOAD_CHARS) {
        payload = payload.substring(0, MAX_PAYLOAD_CHARS) + "...";
      }
      LOG.error("STEP_FAILED in {}: {}; the event: {}", failure.getStep(), failure.getMessage(),
          io.github.analytics.transforms.ingest.Identifiers.printable(payload));
    }
  }
}
