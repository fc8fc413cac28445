package io.github.analytics.transforms.metrics;

import com.google.zetasketch.HyperLogLogPlusPlus;

/**
 * The test oracle: ZetaSketch's HLL++ used directly, as BigQuery and {@code HllCount} configure it
 * (normal precision p, default sparse precision), independently of the transforms under test.
 */
final class HllOracle {
  private HllOracle() {}

  /** ZetaSketch's estimate of the distinct values of {@code users} at {@code precision}. */
  static long estimate(int precision, Iterable<String> users) {
    return build(precision, users).result();
  }

  /** ZetaSketch's serialized sketch of {@code users} at {@code precision}. */
  static byte[] sketch(int precision, Iterable<String> users) {
    return build(precision, users).serializeToByteArray();
  }

  private static HyperLogLogPlusPlus<String> build(int precision, Iterable<String> users) {
    HyperLogLogPlusPlus<String> sketch =
        new HyperLogLogPlusPlus.Builder().normalPrecision(precision).buildForStrings();
    for (String user : users) {
      sketch.add(user);
    }
    return sketch;
  }

  /** The estimate of the union of serialized sketches, merged by ZetaSketch itself. */
  static long estimateOfUnion(Iterable<byte[]> sketches) {
    HyperLogLogPlusPlus<?> union = null;
    for (byte[] sketch : sketches) {
      if (union == null) {
        union = HyperLogLogPlusPlus.forProto(sketch);
      } else {
        union.merge(sketch);
      }
    }
    return union == null ? 0L : union.result();
  }
}
