package io.github.analytics.transforms.warehouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * The days on which any user was active, over the histories of a run: which cells are complete
 * (on or before the last of them, {@link #dataThrough}) and how many days a window has data for.
 */
public final class DataBounds {
  private final TreeSet<Long> days;

  private DataBounds(TreeSet<Long> days) {
    this.days = days;
  }

  /** A singleton view of the bounds of {@code histories} (no day when there is no history). */
  public static PCollectionView<DataBounds> of(PCollection<UserHistory> histories, String name) {
    return histories.apply(name, Combine.globally(new UnionFn()).asSingletonView());
  }

  /** The last day with any activity, or {@link UserHistory#NONE}. */
  public long dataThrough() {
    return days.isEmpty() ? UserHistory.NONE : days.last();
  }

  /** How many days of [{@code from}, {@code to}] have activity. */
  public int daysWithData(long from, long to) {
    return days.subSet(from, true, to, true).size();
  }

  /** Unions the active days of histories. */
  static final class UnionFn extends CombineFn<UserHistory, TreeSet<Long>, DataBounds> {
    private static final long serialVersionUID = 1L;

    @Override
    public TreeSet<Long> createAccumulator() {
      return new TreeSet<>();
    }

    @Override
    public TreeSet<Long> addInput(TreeSet<Long> accumulator, UserHistory input) {
      for (long day : input.days()) {
        accumulator.add(day);
      }
      return accumulator;
    }

    @Override
    public TreeSet<Long> mergeAccumulators(Iterable<TreeSet<Long>> accumulators) {
      TreeSet<Long> merged = new TreeSet<>();
      accumulators.forEach(merged::addAll);
      return merged;
    }

    @Override
    public DataBounds extractOutput(TreeSet<Long> accumulator) {
      return new DataBounds(accumulator);
    }

    @Override
    public Coder<TreeSet<Long>> getAccumulatorCoder(
        CoderRegistry registry, Coder<UserHistory> inputCoder) {
      return DaysCoder.INSTANCE;
    }

    @Override
    public Coder<DataBounds> getDefaultOutputCoder(
        CoderRegistry registry, Coder<UserHistory> inputCoder) {
      return BoundsCoder.INSTANCE;
    }
  }

  static final class DaysCoder extends AtomicCoder<TreeSet<Long>> {
    private static final long serialVersionUID = 1L;
    static final DaysCoder INSTANCE = new DaysCoder();

    @Override
    public void encode(TreeSet<Long> value, OutputStream out) throws IOException {
      VarInt.encode(value.size(), out);
      for (Iterator<Long> it = value.iterator(); it.hasNext(); ) {
        VarInt.encode(it.next(), out);
      }
    }

    @Override
    public TreeSet<Long> decode(InputStream in) throws IOException {
      TreeSet<Long> days = new TreeSet<>();
      int n = VarInt.decodeInt(in);
      for (int i = 0; i < n; i++) {
        days.add(VarInt.decodeLong(in));
      }
      return days;
    }

    @Override
    public void verifyDeterministic() {}
  }

  static final class BoundsCoder extends AtomicCoder<DataBounds> {
    private static final long serialVersionUID = 1L;
    static final BoundsCoder INSTANCE = new BoundsCoder();

    @Override
    public void encode(DataBounds value, OutputStream out) throws IOException {
      DaysCoder.INSTANCE.encode(value.days, out);
    }

    @Override
    public DataBounds decode(InputStream in) throws IOException {
      return new DataBounds(DaysCoder.INSTANCE.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
