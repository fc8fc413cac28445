package io.github.analytics.transforms.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.CombineFnBase.GlobalCombineFn;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A {@link CombineFn} whose accumulators are encoded under their own lock: for accumulators whose
 * serialization writes to them, as ZetaSketch's {@code HyperLogLogPlusPlus} does ({@code
 * serializeToByteArray} compacts the sparse buffer in place).
 *
 * <p>Why: Flink's heap state backend snapshots asynchronously. While a snapshot thread encodes a
 * window's accumulator, the task thread's next access to that window copies it first (copy on write)
 * by encoding the same object. Encoding is assumed to be read-only; two concurrent encodes of a
 * sketch race in its buffer, fail the checkpoint with a {@code NullPointerException} inside {@code
 * SparseRepresentation}, or silently lose values: a streaming run counted 222 distinct users in an
 * hour that had 305. Here every encode of one accumulator holds its monitor, so the two take turns.
 * An uncontended lock costs nanoseconds, so batch runs are unaffected.
 *
 * <pre>{@code
 * Combine.perKey(SnapshotSafeCombineFn.of(HllCount.Init.forStrings().withPrecision(15).perKey().getFn()))
 * }</pre>
 */
public final class SnapshotSafeCombineFn<InputT, AccumT, OutputT>
    extends CombineFn<InputT, SnapshotSafeCombineFn.Slot<AccumT>, OutputT> {
  private static final long serialVersionUID = 1L;

  private final CombineFn<InputT, AccumT, OutputT> delegate;

  private SnapshotSafeCombineFn(CombineFn<InputT, AccumT, OutputT> delegate) {
    this.delegate = delegate;
  }

  /** {@code fn}, which must be a {@link CombineFn} (as {@code HllCount}'s are), made snapshot-safe. */
  @SuppressWarnings("unchecked")
  public static <InputT, OutputT> SnapshotSafeCombineFn<InputT, ?, OutputT> of(
      GlobalCombineFn<? super InputT, ?, OutputT> fn) {
    if (!(fn instanceof CombineFn<?, ?, ?>)) {
      throw new IllegalArgumentException("Expected a CombineFn, got " + fn.getClass().getName());
    }
    return new SnapshotSafeCombineFn<>((CombineFn<InputT, Object, OutputT>) fn);
  }

  @Override
  public Slot<AccumT> createAccumulator() {
    return new Slot<>(delegate.createAccumulator());
  }

  @Override
  public Slot<AccumT> addInput(Slot<AccumT> accumulator, InputT input) {
    accumulator.value = delegate.addInput(accumulator.value, input);
    return accumulator;
  }

  @Override
  public Slot<AccumT> mergeAccumulators(Iterable<Slot<AccumT>> accumulators) {
    List<AccumT> values = new ArrayList<>();
    for (Slot<AccumT> slot : accumulators) {
      values.add(slot.value);
    }
    return new Slot<>(delegate.mergeAccumulators(values));
  }

  @Override
  public OutputT extractOutput(Slot<AccumT> accumulator) {
    synchronized (accumulator) {
      return delegate.extractOutput(accumulator.value);
    }
  }

  @Override
  public Slot<AccumT> compact(Slot<AccumT> accumulator) {
    accumulator.value = delegate.compact(accumulator.value);
    return accumulator;
  }

  @Override
  public Coder<Slot<AccumT>> getAccumulatorCoder(CoderRegistry registry, Coder<InputT> inputCoder)
      throws CannotProvideCoderException {
    return new LockingCoder<>(delegate.getAccumulatorCoder(registry, inputCoder));
  }

  @Override
  public Coder<OutputT> getDefaultOutputCoder(CoderRegistry registry, Coder<InputT> inputCoder)
      throws CannotProvideCoderException {
    return delegate.getDefaultOutputCoder(registry, inputCoder);
  }

  @Override
  public OutputT defaultValue() {
    return delegate.defaultValue();
  }

  @Override
  public String getIncompatibleGlobalWindowErrorMessage() {
    return delegate.getIncompatibleGlobalWindowErrorMessage();
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    builder.delegate(delegate);
  }

  /**
   * The accumulator: the wrapped function's own, which may be null ({@code HllCount.MergePartial}
   * starts from none), in a holder that never is. Its monitor is what encodings take turns on.
   * Never null matters on Flink's DataStream translation of batch, whose final combine merges its
   * accumulator with each input through {@code ImmutableList.of(accumulator, input)}.
   */
  public static final class Slot<AccumT> {
    @Nullable AccumT value;

    Slot(@Nullable AccumT value) {
      this.value = value;
    }

    /** The wrapped function's accumulator. */
    public @Nullable AccumT value() {
      return value;
    }
  }

  /** Encodes a slot's accumulator while holding the slot's monitor; decodes as the wrapped coder does. */
  static final class LockingCoder<T> extends CustomCoder<Slot<T>> {
    private static final long serialVersionUID = 1L;
    private final Coder<T> delegate;

    LockingCoder(Coder<T> delegate) {
      this.delegate = delegate;
    }

    @Override
    public void encode(Slot<T> slot, OutputStream out) throws IOException {
      synchronized (slot) {
        delegate.encode(slot.value, out);
      }
    }

    @Override
    public Slot<T> decode(InputStream in) throws IOException {
      return new Slot<>(delegate.decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(delegate);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      delegate.verifyDeterministic();
    }

    @Override
    public boolean consistentWithEquals() {
      return false;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof LockingCoder<?> that && delegate.equals(that.delegate);
    }

    @Override
    public int hashCode() {
      return delegate.hashCode() * 31 + 7;
    }
  }
}
