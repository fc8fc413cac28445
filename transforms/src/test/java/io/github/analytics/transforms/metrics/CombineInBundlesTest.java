package io.github.analytics.transforms.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link CombineInBundles} on inputs that reach it in one bundle (the direct runner hands a step what
 * one element of the step before it output as one bundle), in an order that mixes runs of one window
 * and key with alternations, against sums worked out in plain Java from the same list.
 */
@ExtendWith(TestPipelineExtension.class)
class CombineInBundlesTest {

  /** (key, minute, value), in the order the step receives them. */
  private static List<long[]> inputs() {
    Random random = new Random(42);
    List<long[]> inputs = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      long key = random.nextInt(7);
      long minute = random.nextInt(5);
      int run = random.nextInt(4) + 1; // runs of one (minute, key), as a user's events give
      for (int j = 0; j < run; j++) {
        inputs.add(new long[] {key, minute, random.nextInt(100)});
      }
    }
    return inputs;
  }

  private static List<String> expected(List<long[]> inputs) {
    Map<String, Long> sums = new TreeMap<>();
    for (long[] input : inputs) {
      sums.merge(render(input[1] * 60_000, "k" + input[0]), input[2], Long::sum);
    }
    List<String> rows = new ArrayList<>();
    sums.forEach((cell, sum) -> rows.add(cell + sum));
    return rows;
  }

  /** A cell as the test prints it: window start and key; the sum follows. */
  private static String render(long windowStart, String key) {
    return windowStart + "|" + key + "|";
  }

  private static PCollection<String> sums(
      TestPipeline p, List<long[]> inputs, CombineInBundles<String, Long, Long, Long> combine) {
    return p.apply(Create.of(0))
        .apply("InOneBundle", ParDo.of(new DoFn<Integer, KV<String, Long>>() {
          @ProcessElement
          public void process(OutputReceiver<KV<String, Long>> out) {
            for (long[] input : inputs) {
              out.outputWithTimestamp(KV.of("k" + input[0], input[2]), new Instant(input[1] * 60_000));
            }
          }
        }))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .apply(Window.into(FixedWindows.of(Duration.standardMinutes(1))))
        .apply(combine)
        .apply("Render", ParDo.of(new DoFn<KV<String, Long>, String>() {
          @ProcessElement
          public void process(
              @Element KV<String, Long> sum, IntervalWindow window, OutputReceiver<String> out) {
            out.output(render(window.start().getMillis(), sum.getKey()) + sum.getValue());
          }
        }));
  }

  @Test
  void sumsEachWindowAndKeyOnceWithMutableAccumulators(TestPipeline p) {
    List<long[]> inputs = inputs();
    PAssert.that(sums(p, inputs, CombineInBundles.of(Counting.fn(), Counting.fn())))
        .containsInAnyOrder(expected(inputs));
    p.run().waitUntilFinish();
  }

  @Test
  void sumsEachWindowAndKeyOnceWithAccumulatorsThatAreReplaced(TestPipeline p) {
    List<long[]> inputs = inputs();
    PAssert.that(sums(p, inputs, CombineInBundles.of(new ImmutableSum(), new ImmutableSum())))
        .containsInAnyOrder(expected(inputs));
    p.run().waitUntilFinish();
  }

  @Test
  void emitsEarlyWhenTheBundleHoldsTooManyCellsAndStillSumsRight(TestPipeline p) {
    // 35 (minute, key) cells against a bound of 3: the partials go out many times mid-bundle.
    List<long[]> inputs = inputs();
    PAssert.that(sums(p, inputs,
            CombineInBundles.<String, Long, Long, Long>of(new ImmutableSum(), Counting.fn())
                .withMaxEntries(3)))
        .containsInAnyOrder(expected(inputs));
    p.run().waitUntilFinish();
  }

  /** A sum whose accumulator is an immutable {@code Long}: every input replaces it. */
  private static final class ImmutableSum extends CombineFn<Long, Long, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long createAccumulator() {
      return 0L;
    }

    @Override
    public Long addInput(Long accumulator, Long input) {
      return accumulator + input;
    }

    @Override
    public Long mergeAccumulators(Iterable<Long> accumulators) {
      long sum = 0;
      for (Long a : accumulators) {
        sum += a;
      }
      return sum;
    }

    @Override
    public Long extractOutput(Long accumulator) {
      return accumulator;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<Long> getAccumulatorCoder(
        CoderRegistry registry, org.apache.beam.sdk.coders.Coder<Long> input) {
      return VarLongCoder.of();
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<Long> getDefaultOutputCoder(
        CoderRegistry registry, org.apache.beam.sdk.coders.Coder<Long> input) {
      return VarLongCoder.of();
    }
  }
}
