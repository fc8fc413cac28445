package io.github.analytics.transforms.metrics;

import com.google.zetasketch.HyperLogLogPlusPlus;
import org.apache.beam.sdk.extensions.zetasketch.HllCount;
import org.apache.beam.sdk.transforms.Combine.CombineFn;

/**
 * Reads serialized HLL++ sketches: the bytes {@code HllCount} emits and BigQuery's {@code
 * HLL_COUNT.*} functions read.
 */
final class HllSketches {
  private HllSketches() {}

  /** Builds a sketch of {@code precision} from strings: {@code HllCount.Init}'s combine function. */
  @SuppressWarnings("unchecked")
  static CombineFn<String, ?, byte[]> init(int precision) {
    return (CombineFn<String, ?, byte[]>)
        HllCount.Init.forStrings().withPrecision(precision).<String>perKey().getFn();
  }

  /**
   * Merges serialized sketches, without changing them: {@code HllCount.MergePartial}'s combine
   * function, encoding its accumulators under their own lock ({@link SnapshotSafeCombineFn}).
   */
  static CombineFn<byte[], ?, byte[]> merge() {
    return SnapshotSafeCombineFn.of(HllCount.MergePartial.<String>perKey().getFn());
  }

  /**
   * A sketch's estimate of its number of distinct values, exactly as {@code HllCount.Extract} computes
   * it, and its normal precision: the one it was built with, or the smallest of those merged into it.
   */
  record Summary(long estimate, int precision) {}

  /** Summarizes {@code sketch}; an empty sketch (no bytes) estimates 0 at {@code precisionWhenEmpty}. */
  static Summary summarize(byte[] sketch, int precisionWhenEmpty) {
    if (sketch.length == 0) {
      return new Summary(0L, precisionWhenEmpty);
    }
    HyperLogLogPlusPlus<?> hll = HyperLogLogPlusPlus.forProto(sketch);
    return new Summary(hll.result(), hll.getNormalPrecision());
  }
}
