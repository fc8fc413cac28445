package io.github.analytics.pipelines.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * An {@link UnboundedSource} that emits the records of another as lists: each element holds what the
 * inner reader has ready, up to {@code maxBatch} records, timestamped at the earliest of them. Split,
 * checkpoints, watermark and backlog are the inner source's.
 *
 * <p>Why: Beam's Flink runner turns every record a source reader emits into a metrics update of the
 * whole reader ({@code ReaderInvocationUtil.invokeAdvance} calls {@code updateMetrics} after each
 * {@code advance()}), which cost about a third of the Kafka reading thread. One element per batch pays
 * it once per batch. The records stay exactly those of the inner reader: a checkpoint is taken
 * between two {@code advance()} calls, when everything the inner reader has read is in an emitted
 * batch, so the inner checkpoint mark covers exactly the records emitted.
 *
 * <p>Deduplicating sources ({@link UnboundedSource#requiresDeduping()}) are refused: their record ids
 * are per record.
 */
public final class BatchedUnboundedSource<T, M extends UnboundedSource.CheckpointMark>
    extends UnboundedSource<List<T>, M> {
  private static final long serialVersionUID = 1L;

  private final UnboundedSource<T, M> inner;
  private final int maxBatch;

  private BatchedUnboundedSource(UnboundedSource<T, M> inner, int maxBatch) {
    this.inner = inner;
    this.maxBatch = maxBatch;
  }

  public static <T, M extends UnboundedSource.CheckpointMark> BatchedUnboundedSource<T, M> of(
      UnboundedSource<T, M> inner, int maxBatch) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("A batch holds at least one record, got " + maxBatch);
    }
    if (inner.requiresDeduping()) {
      throw new IllegalArgumentException(
          "A source that requires deduplication by record id cannot be read in batches: " + inner);
    }
    return new BatchedUnboundedSource<>(inner, maxBatch);
  }

  @Override
  public List<BatchedUnboundedSource<T, M>> split(int desiredNumSplits, PipelineOptions options)
      throws Exception {
    List<BatchedUnboundedSource<T, M>> splits = new ArrayList<>();
    for (UnboundedSource<T, M> split : inner.split(desiredNumSplits, options)) {
      splits.add(new BatchedUnboundedSource<>(split, maxBatch));
    }
    return splits;
  }

  @Override
  public UnboundedReader<List<T>> createReader(PipelineOptions options, @Nullable M checkpointMark)
      throws IOException {
    return new Reader(inner.createReader(options, checkpointMark));
  }

  @Override
  public Coder<M> getCheckpointMarkCoder() {
    return inner.getCheckpointMarkCoder();
  }

  @Override
  public Coder<List<T>> getOutputCoder() {
    return ListCoder.of(inner.getOutputCoder());
  }

  @Override
  public void validate() {
    inner.validate();
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    builder.add(DisplayData.item("maxBatch", maxBatch).withLabel("Records per element, at most"));
    builder.include("source", inner);
  }

  private final class Reader extends UnboundedReader<List<T>> {
    private final UnboundedReader<T> reader;
    private boolean started;
    private @Nullable List<T> current;
    private @Nullable Instant currentTimestamp;

    Reader(UnboundedReader<T> reader) {
      this.reader = reader;
    }

    @Override
    public boolean start() throws IOException {
      started = true;
      return fill(reader.start());
    }

    @Override
    public boolean advance() throws IOException {
      if (!started) {
        return start();
      }
      return fill(reader.advance());
    }

    /** Takes the inner reader's current record, if {@code available}, and what follows it, ready. */
    private boolean fill(boolean available) throws IOException {
      if (!available) {
        current = null;
        currentTimestamp = null;
        return false;
      }
      List<T> batch = new ArrayList<>(Math.min(maxBatch, 64));
      Instant earliest = null;
      boolean more = true;
      while (more) {
        batch.add(reader.getCurrent());
        Instant timestamp = reader.getCurrentTimestamp();
        if (earliest == null || timestamp.isBefore(earliest)) {
          earliest = timestamp;
        }
        // Stop at the bound without advancing: the next advance() reads the record after this one.
        more = batch.size() < maxBatch && reader.advance();
      }
      current = Collections.unmodifiableList(batch);
      currentTimestamp = earliest;
      return true;
    }

    @Override
    public List<T> getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() {
      if (currentTimestamp == null) {
        throw new NoSuchElementException();
      }
      return currentTimestamp;
    }

    @Override
    public Instant getWatermark() {
      return reader.getWatermark();
    }

    @Override
    public CheckpointMark getCheckpointMark() {
      return reader.getCheckpointMark();
    }

    @Override
    public long getSplitBacklogBytes() {
      return reader.getSplitBacklogBytes();
    }

    @Override
    public long getTotalBacklogBytes() {
      return reader.getTotalBacklogBytes();
    }

    @Override
    public UnboundedSource<List<T>, ?> getCurrentSource() {
      return BatchedUnboundedSource.this;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }
}
