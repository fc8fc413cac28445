package io.github.analytics.transforms;

import static org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MAX_VALUE;
import static org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MIN_VALUE;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class AnySkewTest {

  @Test
  void beamsCheckDoesNotOverflowForARecordOfABoundedSource() {
    // What Beam's runner computes for each output: the input's timestamp minus the skew. A bounded
    // source's records sit at TIMESTAMP_MIN_VALUE.
    assertThrows(ArithmeticException.class,
        () -> TIMESTAMP_MIN_VALUE.minus(Duration.millis(Long.MAX_VALUE)));
    assertFalse(TIMESTAMP_MIN_VALUE.minus(AnySkew.DURATION).isAfter(TIMESTAMP_MIN_VALUE));
  }

  @Test
  void anInputAtTheLatestTimestampMayOutputAtTheEarliest() {
    assertFalse(TIMESTAMP_MAX_VALUE.minus(AnySkew.DURATION).isAfter(TIMESTAMP_MIN_VALUE));
  }

  @Test
  void aStepWithTheSkewOutputsBeforeItsInputInBothDirectionsOfTheRange(TestPipeline pipeline) {
    Instant latest = GlobalWindow.INSTANCE.maxTimestamp();
    PCollection<Long> out =
        pipeline
            .apply(Create.timestamped(
                TimestampedValue.of(1L, TIMESTAMP_MIN_VALUE), TimestampedValue.of(2L, latest)))
            .apply(ParDo.of(new ToEarliestFn()));
    PAssert.that(out).containsInAnyOrder(10L, 20L);
    pipeline.run().waitUntilFinish();
  }

  /** Outputs each value, times ten, at Beam's earliest timestamp. */
  private static final class ToEarliestFn extends DoFn<Long, Long> {
    @ProcessElement
    public void process(@Element Long value, OutputReceiver<Long> receiver) {
      receiver.outputWithTimestamp(value * 10, TIMESTAMP_MIN_VALUE);
    }

    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return AnySkew.DURATION;
    }
  }
}
