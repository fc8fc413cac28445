package io.github.analytics.transforms.metrics;

import io.github.analytics.transforms.AnySkew;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * A per-key combine in two stages: each bundle's inputs are first combined per key and window inside
 * the bundle by {@code partial}, and only those partial results are shuffled and combined by {@code
 * merge}, so the shuffle and the windowed combine after it see one element per key, window and bundle
 * instead of one per event. For a count, both stages sum; for a sketch, the first builds a sketch of
 * the bundle's values and the second merges sketches.
 *
 * <p>Why: Beam's Flink runner lifts combiners only in batch. In streaming every element of a {@code
 * Combine.perKey} is shuffled and goes through a {@code ReduceFnRunner} with its trigger and window
 * state on its own, several state accesses an element. A bundle of a few thousand events holds a few
 * hundred (minute, key) pairs, so pre-combining cuts that work by an order of magnitude. Results are
 * exact: the runner holds the watermark while a bundle is open (Flink's {@code DoFnOperator} does not
 * forward it mid-bundle, and finishes the bundle before a checkpoint), so a partial emitted when the
 * bundle finishes is as on time as the elements it holds; it is timestamped at the end of its window,
 * which the downstream combine's default {@code END_OF_WINDOW} timestamp ignores. In batch the runners
 * that lift combiners (Flink, Spark, Dataflow) sort or hash far fewer records.
 *
 * <p>Input: {@code KV<K, InputT>} already windowed (with the trigger of the {@link WindowPolicy}), with
 * a key coder consistent with {@code equals} ({@code String}, {@link GroupKey}). Output: as {@code
 * Combine.perKey(merge)} over the partial results. The partial results handed to the shuffle are never
 * touched again, so {@code merge} must not change its inputs (Beam's direct runner checks). A bundle
 * holding more than {@code maxEntries} (key, window) pairs emits its partials early, which bounds
 * memory when a runner makes a bundle of a whole partition (Flink's and Spark's batch modes do). On a
 * bounded input the default bound is {@value #BOUNDED_MAX_ENTRIES}: there a bundle is a whole partition
 * sorted by user, so its events are spread over the whole day, and a bound of a streaming bundle's
 * size would emit nearly one partial per event.
 *
 * <pre>{@code
 * PCollection<KV<GroupKey, Long>> counts = keyed
 *     .apply(policy.window(FixedWindows.of(Duration.standardMinutes(1))))
 *     .apply(CombineInBundles.of(Counting.fn(), Counting.fn()));
 * }</pre>
 */
final class CombineInBundles<K, InputT, PartialT, OutputT>
    extends PTransform<PCollection<KV<K, InputT>>, PCollection<KV<K, OutputT>>> {
  private static final long serialVersionUID = 1L;

  /** Enough for a busy bundle's (minute, key) pairs; partials beyond it go out early. */
  static final int DEFAULT_MAX_ENTRIES = 50_000;

  /**
   * The bound on a bounded input, where a bundle is a whole partition: a 1M-event day has about
   * 115,000 (minute, event type, platform, country) pairs, and an entry of a count takes about 100
   * bytes, so this is at most about 50 MB a step and worker.
   */
  static final int BOUNDED_MAX_ENTRIES = 500_000;

  /** No explicit bound: {@link #DEFAULT_MAX_ENTRIES}, or {@link #BOUNDED_MAX_ENTRIES} in batch. */
  private static final int BY_BOUNDEDNESS = 0;

  private final CombineFn<InputT, ?, PartialT> partial;
  private final CombineFn<PartialT, ?, OutputT> merge;
  private final int maxEntries;

  private CombineInBundles(
      CombineFn<InputT, ?, PartialT> partial, CombineFn<PartialT, ?, OutputT> merge, int maxEntries) {
    this.partial = partial;
    this.merge = merge;
    this.maxEntries = maxEntries;
  }

  /** Combines each bundle's inputs with {@code partial}, then their results with {@code merge}. */
  static <K, InputT, PartialT, OutputT> CombineInBundles<K, InputT, PartialT, OutputT> of(
      CombineFn<InputT, ?, PartialT> partial, CombineFn<PartialT, ?, OutputT> merge) {
    return new CombineInBundles<>(partial, merge, BY_BOUNDEDNESS);
  }

  /** A copy that emits a bundle's partials once it holds {@code entries} (key, window) pairs. */
  CombineInBundles<K, InputT, PartialT, OutputT> withMaxEntries(int entries) {
    if (entries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive, got " + entries);
    }
    return new CombineInBundles<>(partial, merge, entries);
  }

  @Override
  public PCollection<KV<K, OutputT>> expand(PCollection<KV<K, InputT>> input) {
    if (!(input.getCoder() instanceof KvCoder<K, InputT> kvCoder)) {
      throw new IllegalArgumentException(
          "CombineInBundles needs a KvCoder on its input, got " + input.getCoder());
    }
    Coder<K> keyCoder = kvCoder.getKeyCoder();
    if (!keyCoder.consistentWithEquals()) {
      throw new IllegalArgumentException(
          "CombineInBundles groups keys in a hash map, so their coder must be consistent with equals;"
              + " " + keyCoder + " is not. Use String or GroupKey keys.");
    }
    CoderRegistry registry = input.getPipeline().getCoderRegistry();
    Coder<PartialT> partialCoder;
    Coder<OutputT> outputCoder;
    try {
      partialCoder = partial.getDefaultOutputCoder(registry, kvCoder.getValueCoder());
      outputCoder = merge.getDefaultOutputCoder(registry, partialCoder);
    } catch (CannotProvideCoderException e) {
      throw new IllegalStateException("No coder for the partial or final results of " + partial, e);
    }
    int entries = maxEntries;
    if (entries == BY_BOUNDEDNESS) {
      entries =
          input.isBounded() == PCollection.IsBounded.BOUNDED
              ? BOUNDED_MAX_ENTRIES
              : DEFAULT_MAX_ENTRIES;
    }
    return input
        .apply("CombineInBundle", ParDo.of(PartialFn.of(partial, entries)))
        .setCoder(KvCoder.of(keyCoder, partialCoder))
        .apply("MergePartials", Combine.perKey(merge))
        .setCoder(KvCoder.of(keyCoder, outputCoder));
  }

  /** Accumulates a bundle's inputs per window and key; emits their results when the bundle finishes. */
  static final class PartialFn<K, InputT, AccumT, PartialT>
      extends DoFn<KV<K, InputT>, KV<K, PartialT>> {
    private static final long serialVersionUID = 1L;

    private final CombineFn<InputT, AccumT, PartialT> fn;
    private final int maxEntries;
    private transient Map<BoundedWindow, Map<K, AccumT>> partials;
    private transient int entries;

    private PartialFn(CombineFn<InputT, AccumT, PartialT> fn, int maxEntries) {
      this.fn = fn;
      this.maxEntries = maxEntries;
    }

    static <K, InputT, AccumT, PartialT> PartialFn<K, InputT, AccumT, PartialT> of(
        CombineFn<InputT, AccumT, PartialT> fn, int maxEntries) {
      return new PartialFn<>(fn, maxEntries);
    }

    @StartBundle
    public void startBundle() {
      partials = new HashMap<>();
      entries = 0;
    }

    @ProcessElement
    public void process(
        @Element KV<K, InputT> element, BoundedWindow window, OutputReceiver<KV<K, PartialT>> out) {
      Map<K, AccumT> byKey = partials.get(window);
      if (byKey == null) {
        byKey = new HashMap<>();
        partials.put(window, byKey);
      }
      AccumT accumulator = byKey.get(element.getKey());
      if (accumulator == null) {
        accumulator = fn.createAccumulator();
        entries++;
      }
      byKey.put(element.getKey(), fn.addInput(accumulator, element.getValue()));
      if (entries >= maxEntries) {
        for (Map.Entry<BoundedWindow, Map<K, AccumT>> partial : partials.entrySet()) {
          BoundedWindow w = partial.getKey();
          for (Map.Entry<K, AccumT> entry : partial.getValue().entrySet()) {
            out.outputWindowedValue(KV.of(entry.getKey(), fn.extractOutput(entry.getValue())),
                w.maxTimestamp(), List.of(w), PaneInfo.NO_FIRING);
          }
        }
        partials = new HashMap<>();
        entries = 0;
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<BoundedWindow, Map<K, AccumT>> partial : partials.entrySet()) {
        BoundedWindow window = partial.getKey();
        for (Map.Entry<K, AccumT> entry : partial.getValue().entrySet()) {
          context.output(KV.of(entry.getKey(), fn.extractOutput(entry.getValue())),
              window.maxTimestamp(), window);
        }
      }
      partials = new HashMap<>();
      entries = 0;
    }

    /**
     * An early flush emits other windows' partials at their windows' ends, which may lie before the
     * current element: nothing downstream reads these timestamps but the window.
     */
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return AnySkew.DURATION;
    }

    @Override
    public void populateDisplayData(DisplayData.Builder builder) {
      builder.delegate(fn);
    }
  }
}
