package io.github.analytics.bench;

import com.google.zetasketch.HyperLogLogPlusPlus;
import io.github.analytics.stack.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * HLL accuracy: for each size (1,000 ... the largest, by powers of ten) and a few seeds, that many
 * distinct user ids into ZetaSketch HLL++ sketches at each precision (the sketches {@code HllCount}
 * builds and BigQuery reads) and into a Redis HyperLogLog with pipelined {@code PFADD}; each estimate
 * against the exact count. The ids of one seed are distinct by construction, so the exact count is the
 * size; a new seed is a new set of ids, hence independent hashes.
 */
public final class HllSection implements Section {
  public static final String NAME = "hll";
  /** Issue 6: HLL error at most 1% at 10M distinct. */
  static final double TARGET_ERROR = 0.01;
  static final long TARGET_SIZE = 10_000_000L;
  /** Ids per pipelined PFADD command. */
  private static final int PFADD_BATCH = 10_000;
  /** The precision the pipelines use by default (MetricOptions --hllPrecision). */
  static final int PIPELINE_PRECISION = 15;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "HLL: ZetaSketch HLL++ and Redis PFCOUNT against the exact count";
  }

  @Override
  public String description() {
    return "For each size and seed, that many distinct user ids (`user-<seed>-<i>`) go into ZetaSketch"
        + " HLL++ sketches (`HyperLogLogPlusPlus`, what `HllCount` builds, sparse precision p+5) at each"
        + " precision and into one Redis key by pipelined `PFADD` (Redis's HLL has 2^14 registers)."
        + " Relative error = |estimate - exact| / exact, as the mean and max over the seeds; bytes are"
        + " ZetaSketch's serialized sketch and Redis's `STRLEN` of the key, averaged over the seeds. The"
        + " pipelines use precision " + PIPELINE_PRECISION + ". The 1% target is held at 10,000,000"
        + " distinct only.";
  }

  @Override
  public List<Measurement> run(BenchContext context) throws Exception {
    BenchSettings settings = context.settings();
    List<Integer> precisions = settings.hllPrecisions();
    int seeds = settings.hllSeeds();
    List<Measurement> rows = new ArrayList<>();
    try (RedisServer redis = RedisServer.start(context.workDir().resolve("redis"));
        Jedis jedis = new Jedis(redis.host(), redis.port(), 60_000)) {
      for (long size : settings.hllSizes()) {
        context.log(NAME, "%,d distinct ids x %d seeds", size, seeds);
        // [estimator][seed]: ZetaSketch at each precision, then Redis.
        long[][] estimates = new long[precisions.size() + 1][seeds];
        long[][] bytes = new long[precisions.size() + 1][seeds];
        for (int seed = 0; seed < seeds; seed++) {
          List<HyperLogLogPlusPlus<String>> sketches = new ArrayList<>();
          for (int precision : precisions) {
            sketches.add(new HyperLogLogPlusPlus.Builder().normalPrecision(precision).buildForStrings());
          }
          String key = "bench:hll:" + size + ":" + seed;
          jedis.del(key);
          String prefix = "user-" + seed + "-";
          Pipeline pipeline = jedis.pipelined();
          List<String> batch = new ArrayList<>(PFADD_BATCH);
          for (long i = 0; i < size; i++) {
            String id = prefix + i;
            for (HyperLogLogPlusPlus<String> sketch : sketches) {
              sketch.add(id);
            }
            batch.add(id);
            if (batch.size() == PFADD_BATCH) {
              pipeline.pfadd(key, batch.toArray(String[]::new));
              batch.clear();
            }
          }
          if (!batch.isEmpty()) {
            pipeline.pfadd(key, batch.toArray(String[]::new));
          }
          pipeline.sync();
          for (int p = 0; p < precisions.size(); p++) {
            estimates[p][seed] = sketches.get(p).longResult();
            bytes[p][seed] = sketches.get(p).serializeToByteArray().length;
          }
          int r = precisions.size();
          estimates[r][seed] = jedis.pfcount(key);
          bytes[r][seed] = jedis.strlen(key.getBytes(StandardCharsets.UTF_8));
          jedis.del(key);
        }
        rows.add(Measurement.of(NAME, label(size) + ": exact count", size, "distinct ids")
            .withNote(seeds + " seeds, each " + String.format(Locale.ROOT, "%,d", size) + " distinct ids"));
        for (int e = 0; e <= precisions.size(); e++) {
          String estimator = e < precisions.size()
              ? "ZetaSketch p" + precisions.get(e) + (precisions.get(e) == PIPELINE_PRECISION ? " (pipelines)" : "")
              : "Redis PFCOUNT";
          rows.addAll(rowsFor(size, estimator, estimates[e], bytes[e]));
        }
      }
    }
    return rows;
  }

  private static List<Measurement> rowsFor(long size, String estimator, long[] estimates, long[] bytes) {
    double sum = 0;
    double max = 0;
    double bytesSum = 0;
    StringBuilder seen = new StringBuilder();
    for (int i = 0; i < estimates.length; i++) {
      double error = Math.abs(estimates[i] - size) / (double) size;
      sum += error;
      max = Math.max(max, error);
      bytesSum += bytes[i];
      seen.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d", estimates[i]));
    }
    String prefix = label(size) + ", " + estimator;
    Measurement mean = Measurement.of(NAME, prefix + ": mean |relative error|", sum / estimates.length,
        Measurement.FRACTION).withNote("estimates " + seen);
    Measurement worst = Measurement.of(NAME, prefix + ": max |relative error|", max, Measurement.FRACTION);
    if (size == TARGET_SIZE) {
      worst = worst.withTarget(Target.atMost(TARGET_ERROR));
    }
    Measurement footprint = Measurement.of(NAME, prefix + ": sketch bytes", bytesSum / bytes.length,
        Measurement.BYTES);
    return List.of(mean, worst, footprint);
  }

  /** 1e3, 1e4, ...: how sizes are named in the rows. */
  static String label(long size) {
    int exponent = (int) Math.round(Math.log10(size));
    return (long) Math.pow(10, exponent) == size ? "1e" + exponent : String.format(Locale.ROOT, "%,d", size);
  }
}
