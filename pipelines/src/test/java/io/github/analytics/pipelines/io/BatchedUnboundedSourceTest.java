package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.transforms.Flatten;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Batches hold exactly the inner reader's records, in order, at most the bound each, what is ready
 * and no more; a reader restored from a checkpoint mark goes on after the last record emitted.
 */
@ExtendWith(TestPipelineExtension.class)
class BatchedUnboundedSourceTest {
  private static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();

  @Test
  void batchesHoldWhatIsReadyUpToTheBound() throws Exception {
    // 0..9 ready, then nothing, then 10..11 ready, then nothing: batches of at most 4.
    ListSource inner = new ListSource(12, Set.of(9, 11));
    UnboundedSource.UnboundedReader<List<Integer>> reader =
        BatchedUnboundedSource.of(inner, 4).createReader(OPTIONS, null);
    List<List<Integer>> batches = new ArrayList<>();
    boolean more = reader.start();
    for (int call = 0; call < 10; call++) {
      if (more) {
        batches.add(reader.getCurrent());
        // Timestamps are the values' seconds: a batch is at its earliest record's.
        assertEquals(new Instant(reader.getCurrent().get(0) * 1000L), reader.getCurrentTimestamp());
      }
      more = reader.advance();
    }
    assertEquals(
        List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7), List.of(8, 9), List.of(10, 11)),
        batches);
  }

  @Test
  void aReaderRestoredFromACheckpointGoesOnAfterTheLastRecordEmitted() throws Exception {
    ListSource inner = new ListSource(20, Set.of(6));
    BatchedUnboundedSource<Integer, Position> source = BatchedUnboundedSource.of(inner, 5);
    UnboundedSource.UnboundedReader<List<Integer>> first = source.createReader(OPTIONS, null);
    List<Integer> read = new ArrayList<>();
    assertTrue(first.start());
    read.addAll(first.getCurrent()); // 0..4
    assertTrue(first.advance());
    read.addAll(first.getCurrent()); // 5, 6: then nothing ready
    Position mark = (Position) first.getCheckpointMark();
    first.close();

    UnboundedSource.UnboundedReader<List<Integer>> restored = source.createReader(OPTIONS, mark);
    boolean more = restored.start();
    while (more) {
      read.addAll(restored.getCurrent());
      more = restored.advance();
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add(i);
    }
    assertEquals(expected, read);
  }

  @Test
  void aPipelineReadsEveryRecordOnce(TestPipeline pipeline) {
    // Read.withMaxNumRecords counts elements, here batches: 4 of 5 records.
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add(i);
    }
    PAssert.that(
            pipeline
                .apply(Read.from(BatchedUnboundedSource.of(new ListSource(20, Set.of()), 5))
                    .withMaxNumRecords(4))
                .apply(Flatten.iterables()))
        .containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
  }

  @Test
  void refusesABoundBelowOne() {
    assertThrows(IllegalArgumentException.class,
        () -> BatchedUnboundedSource.of(new ListSource(1, Set.of()), 0));
  }

  @Test
  void anEmptyReaderHasNoCurrentBatch() throws Exception {
    UnboundedSource.UnboundedReader<List<Integer>> reader =
        BatchedUnboundedSource.of(new ListSource(0, Set.of()), 3).createReader(OPTIONS, null);
    assertFalse(reader.start());
    assertThrows(java.util.NoSuchElementException.class, reader::getCurrent);
  }

  /** The reader's position: how many values it has read. */
  static final class Position implements UnboundedSource.CheckpointMark {
    final int read;

    Position(int read) {
      this.read = read;
    }

    @Override
    public void finalizeCheckpoint() {}
  }

  static final class PositionCoder extends AtomicCoder<Position> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(Position value, OutputStream out) throws IOException {
      VarIntCoder.of().encode(value.read, out);
    }

    @Override
    public Position decode(InputStream in) throws IOException {
      return new Position(VarIntCoder.of().decode(in));
    }
  }

  /**
   * The values {@code 0..n-1}, timestamped at their seconds; after each value in {@code pauses} the
   * reader has nothing ready once (returns false), as a Kafka reader between polls.
   */
  static final class ListSource extends UnboundedSource<Integer, Position> {
    private static final long serialVersionUID = 1L;
    private final int n;
    private final Set<Integer> pauses;

    ListSource(int n, Set<Integer> pauses) {
      this.n = n;
      this.pauses = Set.copyOf(pauses);
    }

    @Override
    public List<ListSource> split(int desiredNumSplits, PipelineOptions options) {
      return List.of(this);
    }

    @Override
    public UnboundedReader<Integer> createReader(PipelineOptions options, @Nullable Position mark) {
      int from = mark == null ? 0 : mark.read;
      return new UnboundedReader<>() {
        private int next = from;
        private int current = -1;
        private boolean paused;

        @Override
        public boolean start() {
          return advance();
        }

        @Override
        public boolean advance() {
          if (paused || next >= n) {
            paused = false;
            return false;
          }
          current = next++;
          paused = pauses.contains(current);
          return true;
        }

        @Override
        public Integer getCurrent() {
          return current;
        }

        @Override
        public Instant getCurrentTimestamp() {
          return new Instant(current * 1000L);
        }

        @Override
        public Instant getWatermark() {
          return new Instant(Math.max(0, next - 1) * 1000L);
        }

        @Override
        public CheckpointMark getCheckpointMark() {
          return new Position(next);
        }

        @Override
        public UnboundedSource<Integer, ?> getCurrentSource() {
          return ListSource.this;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public Coder<Position> getCheckpointMarkCoder() {
      return new PositionCoder();
    }

    @Override
    public Coder<Integer> getOutputCoder() {
      return VarIntCoder.of();
    }
  }
}
