package io.github.analytics.transforms.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zetasketch.HyperLogLogPlusPlus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.zetasketch.HllCount;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/**
 * Two threads encoding one accumulator at once, as Flink's heap backend does when its snapshot thread
 * and the task thread's copy-on-write meet on the same window: through {@link SnapshotSafeCombineFn}'s
 * accumulator coder they take turns, and HLL++ sketches encoded that way always decode to their true
 * estimate.
 */
class SnapshotSafeCombineFnTest {

  @Test
  void encodingsOfOneAccumulatorTakeTurns() throws Exception {
    assertFalse(overlapped(SnapshotSafeCombineFn.of(new ProbeFn())), "two encodings ran at once");
    // The same schedule without the wrapper overlaps: the probe would see a coder that took no lock.
    assertTrue(overlapped(new ProbeFn()), "the schedule did not make the encodings meet");
  }

  @Test
  @SuppressWarnings("unchecked")
  void hllSketchesEncodedConcurrentlyAllDecodeToTheirEstimate() throws Exception {
    CombineFn<String, ?, byte[]> init = SnapshotSafeCombineFn.of(
        HllCount.Init.forStrings().withPrecision(15).perKey().getFn());
    Coder<SnapshotSafeCombineFn.Slot<HyperLogLogPlusPlus<String>>> coder =
        (Coder<SnapshotSafeCombineFn.Slot<HyperLogLogPlusPlus<String>>>) (Coder<?>)
            init.getAccumulatorCoder(CoderRegistry.createDefault(), StringUtf8Coder.of());
    // The oracle: the same values in a sketch no other thread touches.
    long expected = HyperLogLogPlusPlus.forProto(sketch().serializeToByteArray()).result();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 300; round++) {
        SnapshotSafeCombineFn.Slot<HyperLogLogPlusPlus<String>> shared =
            new SnapshotSafeCombineFn.Slot<>(sketch());
        for (Long estimate : bothAtOnce(threads, () ->
            CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, shared))
                .value().result())) {
          assertEquals(expected, estimate, "round " + round);
        }
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** A sparse sketch whose values are still in the buffer that serialization flushes in place. */
  private static HyperLogLogPlusPlus<String> sketch() {
    HyperLogLogPlusPlus<String> sketch = new HyperLogLogPlusPlus.Builder().normalPrecision(15).buildForStrings();
    for (int i = 0; i < 300; i++) {
      sketch.add("user-" + i);
    }
    return sketch;
  }

  private static <AccumT> boolean overlapped(CombineFn<Integer, AccumT, Integer> fn)
      throws Exception {
    Coder<AccumT> coder = fn.getAccumulatorCoder(CoderRegistry.createDefault(), VarIntCoder.of());
    AccumT accumulator = fn.createAccumulator();
    Probe probe = accumulator instanceof SnapshotSafeCombineFn.Slot<?> slot
        ? (Probe) slot.value()
        : (Probe) accumulator;
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 5; round++) {
        bothAtOnce(threads, () -> CoderUtils.encodeToByteArray(coder, accumulator));
      }
    } finally {
      threads.shutdownNow();
    }
    return probe.overlapped.get();
  }

  private static <T> List<T> bothAtOnce(ExecutorService threads, Callable<T> work) throws Exception {
    CyclicBarrier start = new CyclicBarrier(2);
    List<Future<T>> results = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      results.add(threads.submit(() -> {
        start.await();
        return work.call();
      }));
    }
    List<T> values = new ArrayList<>();
    for (Future<T> result : results) {
      values.add(result.get(30, TimeUnit.SECONDS));
    }
    return values;
  }

  /** An accumulator that notices two encodings of itself at the same time. */
  static final class Probe {
    final AtomicInteger encoding = new AtomicInteger();
    final AtomicBoolean overlapped = new AtomicBoolean();
  }

  /** Encoding a probe takes a few milliseconds, long enough for a second encoding to meet it. */
  static final class ProbeCoder extends CustomCoder<Probe> {
    @Override
    public void encode(Probe probe, OutputStream out) throws IOException {
      if (probe.encoding.incrementAndGet() > 1) {
        probe.overlapped.set(true);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      probe.encoding.decrementAndGet();
      out.write(0);
    }

    @Override
    public Probe decode(InputStream in) throws IOException {
      in.read();
      return new Probe();
    }
  }

  static final class ProbeFn extends CombineFn<Integer, Probe, Integer> {
    @Override
    public Probe createAccumulator() {
      return new Probe();
    }

    @Override
    public Probe addInput(Probe probe, Integer input) {
      return probe;
    }

    @Override
    public Probe mergeAccumulators(Iterable<Probe> probes) {
      return probes.iterator().next();
    }

    @Override
    public Integer extractOutput(Probe probe) {
      return 0;
    }

    @Override
    public Coder<Probe> getAccumulatorCoder(CoderRegistry registry, Coder<Integer> inputCoder) {
      return new ProbeCoder();
    }
  }
}
