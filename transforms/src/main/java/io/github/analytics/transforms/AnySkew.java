package io.github.analytics.transforms;

import static org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MAX_VALUE;
import static org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MIN_VALUE;

import org.joda.time.Duration;

/**
 * The allowed timestamp skew ({@code DoFn#getAllowedTimestampSkew}) of a step that may output at
 * any timestamp Beam accepts, whatever its input's timestamp.
 *
 * <p>Not {@code Duration.millis(Long.MAX_VALUE)}, the usual spelling: Beam's runner checks each
 * output against the input's timestamp minus the skew, and for an input at {@link
 * org.apache.beam.sdk.transforms.windowing.BoundedWindow#TIMESTAMP_MIN_VALUE} (every record a
 * bounded source reads, the archive's included) that subtraction overflows. {@code
 * SimpleDoFnRunner.checkTimestamp} then throws and catches an {@link ArithmeticException}, with its
 * stack trace, for every output: in the batch layer's parser, once per archive record.
 */
public final class AnySkew {
  /**
   * Beam's whole range of timestamps: an input at its latest may output at its earliest, and an
   * input at its earliest minus this is still a {@code long}.
   */
  public static final Duration DURATION =
      Duration.millis(TIMESTAMP_MAX_VALUE.getMillis() - TIMESTAMP_MIN_VALUE.getMillis());

  private AnySkew() {}
}
