package io.github.analytics.transforms.warehouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Iterator;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.KV;

/**
 * Counts per cell: each user adds one small value (a bit mask, a number of days, a class) to a cell
 * keyed by (label, epoch day), and the accumulator is a fixed array of counts that sums across
 * workers. What a value adds is the metric's ({@link #add}).
 */
abstract class Tally extends CombineFn<Long, long[], long[]> {
  private static final long serialVersionUID = 1L;

  /** The coder of the cells' keys: (label, epoch day). */
  static final Coder<KV<String, Long>> KEY_CODER = KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());

  private final int size;

  Tally(int size) {
    this.size = size;
  }

  /**
   * The combine of partial counts, which the DoFns that make the values add up per bundle ({@link
   * BundlePartials}) before the shuffle.
   */
  CombineFn<long[], long[], long[]> merging() {
    return BundlePartials.merging(this, VarLongCoder.of());
  }

  /** Adds what one user's {@code value} counts to {@code counts}. */
  abstract void add(long[] counts, long value);

  @Override
  public long[] createAccumulator() {
    return new long[size];
  }

  @Override
  public long[] addInput(long[] accumulator, Long input) {
    add(accumulator, input);
    return accumulator;
  }

  @Override
  public long[] mergeAccumulators(Iterable<long[]> accumulators) {
    long[] sum = new long[size];
    for (Iterator<long[]> it = accumulators.iterator(); it.hasNext(); ) {
      long[] counts = it.next();
      for (int i = 0; i < size; i++) {
        sum[i] += counts[i];
      }
    }
    return sum;
  }

  @Override
  public long[] extractOutput(long[] accumulator) {
    return accumulator;
  }

  @Override
  public Coder<long[]> getAccumulatorCoder(CoderRegistry registry, Coder<Long> inputCoder) {
    return CountsCoder.INSTANCE;
  }

  @Override
  public Coder<long[]> getDefaultOutputCoder(CoderRegistry registry, Coder<Long> inputCoder) {
    return CountsCoder.INSTANCE;
  }

  static final class CountsCoder extends AtomicCoder<long[]> {
    private static final long serialVersionUID = 1L;
    static final CountsCoder INSTANCE = new CountsCoder();

    @Override
    public void encode(long[] value, OutputStream out) throws IOException {
      VarInt.encode(value.length, out);
      for (long v : value) {
        VarInt.encode(v, out);
      }
    }

    @Override
    public long[] decode(InputStream in) throws IOException {
      long[] value = new long[VarInt.decodeInt(in)];
      for (int i = 0; i < value.length; i++) {
        value[i] = VarInt.decodeLong(in);
      }
      return value;
    }

    @Override
    public void verifyDeterministic() {}
  }
}
