package io.github.analytics.pipelines;

import io.github.analytics.pipelines.io.KafkaSource;
import io.github.analytics.schemas.RawEvent;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.beam.sdk.schemas.NoSuchSchemaException;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;

/**
 * The source the pipeline reads, but throwing once: at the {@code failAt}-th record arriving at or
 * after {@code from} that one worker sees. The marker file remembers the failure across Flink's
 * restart, which brings fresh instances of the DoFn.
 */
final class FailOnceSource extends PTransform<PBegin, PCollection<RawEvent>> {
  private static final long serialVersionUID = 1L;
  private final KafkaSource source;
  private final String marker;
  private final Instant from;
  private final int failAt;

  FailOnceSource(KafkaSource source, String marker, Instant from, int failAt) {
    this.source = source;
    this.marker = marker;
    this.from = from;
    this.failAt = failAt;
  }

  @Override
  public PCollection<RawEvent> expand(PBegin input) {
    PCollection<RawEvent> raw =
        input.apply("Kafka", source).apply("FailOnce", ParDo.of(new FailOnceFn(marker, from, failAt)));
    try {
      return raw.setCoder(input.getPipeline().getSchemaRegistry().getSchemaCoder(RawEvent.class));
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException("RawEvent has no Beam schema", e);
    }
  }

  private static final class FailOnceFn extends DoFn<RawEvent, RawEvent> {
    private static final long serialVersionUID = 1L;
    private final String marker;
    private final Instant from;
    private final int failAt;
    private transient int seen;

    FailOnceFn(String marker, Instant from, int failAt) {
      this.marker = marker;
      this.from = from;
      this.failAt = failAt;
    }

    @ProcessElement
    public void processElement(@Element RawEvent event, OutputReceiver<RawEvent> out) throws IOException {
      if (!event.getReceivedAt().isBefore(from) && ++seen == failAt) {
        try {
          Files.createFile(Paths.get(marker));
          throw new IllegalStateException("Injected failure at record " + failAt + " of the second half");
        } catch (FileAlreadyExistsException failedBefore) {
          // The job failed here once already: this is the restored job, let it pass.
        }
      }
      out.output(event);
    }
  }
}
