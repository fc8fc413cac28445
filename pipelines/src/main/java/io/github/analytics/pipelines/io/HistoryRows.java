package io.github.analytics.pipelines.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.transforms.warehouse.UserActivityDaily;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * Reads users' histories that a warehouse exported as JSON lines (one object per row, timestamps in
 * epoch milliseconds, event types as a JSON array) back into rows of {@link
 * UserActivityDaily#SCHEMA} or {@link FirstSeen#SCHEMA}: what {@link DuckDbWarehouse#readHistory}
 * hands the warehouse metrics.
 */
final class HistoryRows extends PTransform<PBegin, PCollection<Row>> {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final Schema schema;

  private HistoryRows(String file, Schema schema) {
    this.file = file;
    this.schema = schema;
  }

  /** The rows of {@code schema} in the JSON lines of {@code file}. */
  static HistoryRows of(String file, Schema schema) {
    return new HistoryRows(file, schema);
  }

  @Override
  public PCollection<Row> expand(PBegin begin) {
    return begin
        .apply("ReadLines", TextIO.read().from(file))
        .apply("ToRows", ParDo.of(new ParseFn(schema)))
        .setRowSchema(schema);
  }

  private static final class ParseFn extends DoFn<String, Row> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Schema schema;

    ParseFn(Schema schema) {
      this.schema = schema;
    }

    @ProcessElement
    public void process(@Element String line, OutputReceiver<Row> out) throws Exception {
      if (line.isBlank()) {
        return;
      }
      JsonNode node = JSON.readTree(line);
      Row.Builder row = Row.withSchema(schema);
      for (Schema.Field field : schema.getFields()) {
        JsonNode value = node.get(field.getName());
        if (value == null || value.isNull()) {
          throw new IllegalStateException("The warehouse's history has no " + field.getName()
              + " in " + line + ": was the table written by another version?");
        }
        switch (field.getType().getTypeName()) {
          case DATETIME -> row.addValue(new Instant(value.asLong()));
          case BOOLEAN -> row.addValue(value.asBoolean());
          case INT64 -> row.addValue(value.asLong());
          case DOUBLE -> row.addValue(value.asDouble());
          case ARRAY -> {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(item.asText()));
            row.addValue(items);
          }
          default -> row.addValue(value.asText());
        }
      }
      out.output(row.build());
    }
  }
}
