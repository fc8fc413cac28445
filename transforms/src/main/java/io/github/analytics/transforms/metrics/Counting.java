package io.github.analytics.transforms.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Iterator;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.util.VarInt;

/**
 * The sum of the inputs (1 per event for a count) in a mutable one-element array, so that adding an
 * input allocates nothing; partial counts from {@link CombineInBundles} merge by addition.
 */
final class Counting {
  private Counting() {}

  static CombineFn<Long, long[], Long> fn() {
    return new SumFn();
  }

  private static final class SumFn extends CombineFn<Long, long[], Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public long[] createAccumulator() {
      return new long[1];
    }

    @Override
    public long[] addInput(long[] accumulator, Long input) {
      accumulator[0] += input;
      return accumulator;
    }

    @Override
    public long[] mergeAccumulators(Iterable<long[]> accumulators) {
      Iterator<long[]> it = accumulators.iterator();
      long[] sum = it.next();
      while (it.hasNext()) {
        sum[0] += it.next()[0];
      }
      return sum;
    }

    @Override
    public Long extractOutput(long[] accumulator) {
      return accumulator[0];
    }

    @Override
    public Coder<long[]> getAccumulatorCoder(CoderRegistry registry, Coder<Long> inputCoder) {
      return AccumulatorCoder.INSTANCE;
    }

    @Override
    public Coder<Long> getDefaultOutputCoder(CoderRegistry registry, Coder<Long> inputCoder) {
      return VarLongCoder.of();
    }
  }

  private static final class AccumulatorCoder extends AtomicCoder<long[]> {
    private static final long serialVersionUID = 1L;
    static final AccumulatorCoder INSTANCE = new AccumulatorCoder();

    @Override
    public void encode(long[] value, OutputStream out) throws IOException {
      VarInt.encode(value[0], out);
    }

    @Override
    public long[] decode(InputStream in) throws IOException {
      return new long[] {VarInt.decodeLong(in)};
    }

    @Override
    public void verifyDeterministic() {}
  }
}
