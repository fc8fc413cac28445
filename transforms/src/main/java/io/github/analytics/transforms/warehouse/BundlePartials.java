package io.github.analytics.transforms.warehouse;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;

/**
 * A combine's accumulators over one bundle, kept inside the DoFn that makes the combine's inputs and
 * emitted when the bundle finishes, so that a DoFn adding many values per user (a stickiness window
 * per user and day, a credit per touchpoint and model) hands the shuffle a few partial results per
 * bundle instead of one element per value. {@link #merging} is the combine after the shuffle.
 *
 * <p>Why: Beam's runners pay per element output (a windowed value, the lifted combine's key lookup and
 * its coder), which for the warehouse metrics was most of their cost (stickiness made 56 elements per
 * user). Inputs must be in the global window, as users' histories and journeys are: the partials go
 * out at {@link GlobalWindow#maxTimestamp()}, which the combine's default end-of-window timestamp
 * ignores. A partial handed out is never touched again, so the merge must not change its inputs.
 *
 * <pre>{@code
 * private transient BundlePartials<Cell, Long, long[]> cells;
 * @StartBundle public void start() { cells = new BundlePartials<>(tally); }
 * @ProcessElement ... cells.add(key, value);
 * @FinishBundle public void finish(FinishBundleContext c) { cells.emit(c); }
 * }</pre>
 */
final class BundlePartials<K, InputT, AccumT> {
  /** Partials beyond this many keys go out from the element that adds the next key. */
  static final int MAX_KEYS = 100_000;

  private final CombineFn<InputT, AccumT, ?> fn;
  private final Map<K, AccumT> partials = new HashMap<>();

  BundlePartials(CombineFn<InputT, AccumT, ?> fn) {
    this.fn = fn;
  }

  /** Adds {@code input} to the key's partial; false when the bundle holds {@link #MAX_KEYS} keys. */
  boolean add(K key, InputT input) {
    AccumT partial = partials.get(key);
    partials.put(key, fn.addInput(partial == null ? fn.createAccumulator() : partial, input));
    return partials.size() < MAX_KEYS;
  }

  /** Hands every partial to {@code out} and forgets them (a bundle too large for memory). */
  void emit(DoFn.OutputReceiver<KV<K, AccumT>> out) {
    for (Map.Entry<K, AccumT> partial : partials.entrySet()) {
      out.output(KV.of(partial.getKey(), partial.getValue()));
    }
    partials.clear();
  }

  /** Hands every partial to the shuffle when the bundle finishes. */
  void emit(DoFn<?, KV<K, AccumT>>.FinishBundleContext context) {
    for (Map.Entry<K, AccumT> partial : partials.entrySet()) {
      context.output(KV.of(partial.getKey(), partial.getValue()), GlobalWindow.INSTANCE.maxTimestamp(),
          GlobalWindow.INSTANCE);
    }
    partials.clear();
  }

  /**
   * The combine of the partials: merges them with {@code fn}'s merge and extracts {@code fn}'s
   * output; {@code inputCoder} is {@code fn}'s input coder, from which its output coder is derived.
   */
  static <InputT, AccumT, OutputT> CombineFn<AccumT, AccumT, OutputT> merging(
      CombineFn<InputT, AccumT, OutputT> fn, Coder<InputT> inputCoder) {
    return new Merging<>(fn, inputCoder);
  }

  private static final class Merging<InputT, AccumT, OutputT>
      extends CombineFn<AccumT, AccumT, OutputT> {
    private static final long serialVersionUID = 1L;
    private final CombineFn<InputT, AccumT, OutputT> fn;
    private final Coder<InputT> inputCoder;

    Merging(CombineFn<InputT, AccumT, OutputT> fn, Coder<InputT> inputCoder) {
      this.fn = fn;
      this.inputCoder = inputCoder;
    }

    @Override
    public AccumT createAccumulator() {
      return fn.createAccumulator();
    }

    @Override
    public AccumT addInput(AccumT accumulator, AccumT partial) {
      return fn.mergeAccumulators(List.of(accumulator, partial));
    }

    @Override
    public AccumT mergeAccumulators(Iterable<AccumT> accumulators) {
      return fn.mergeAccumulators(accumulators);
    }

    @Override
    public OutputT extractOutput(AccumT accumulator) {
      return fn.extractOutput(accumulator);
    }

    @Override
    public Coder<AccumT> getAccumulatorCoder(CoderRegistry registry, Coder<AccumT> partialCoder)
        throws CannotProvideCoderException {
      return fn.getAccumulatorCoder(registry, inputCoder);
    }

    @Override
    public Coder<OutputT> getDefaultOutputCoder(CoderRegistry registry, Coder<AccumT> partialCoder)
        throws CannotProvideCoderException {
      return fn.getDefaultOutputCoder(registry, inputCoder);
    }
  }
}
