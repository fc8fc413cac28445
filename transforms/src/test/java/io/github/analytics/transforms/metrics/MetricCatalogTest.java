package io.github.analytics.transforms.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.schemas.Event;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionRowTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The catalog's names and schemas are unique and stable, and every metric has its own test. */
@ExtendWith(TestPipelineExtension.class)
class MetricCatalogTest {

  private static String render(MetricDefinition metric) {
    String columns =
        metric.schema().getFields().stream()
            .map(f -> f.getName() + " " + f.getType().getTypeName() + (f.getType().getNullable() ? "?" : ""))
            .collect(Collectors.joining(", "));
    return String.join(" | ", metric.name(), metric.dayColumn(),
        metric.overHistories() ? "user histories" : metric.source() == null ? "events" : metric.source(), String.join(", ", metric.keyColumns()),
        columns);
  }

  /** Both layers' metrics, then the warehouse's: table names are shared, so unique across both. */
  private static List<MetricDefinition> everyMetric() {
    return java.util.stream.Stream.concat(
        MetricCatalog.all().stream(), MetricCatalog.warehouse().stream()).toList();
  }

  private static List<String> golden() throws IOException {
    try (InputStream in = MetricCatalogTest.class.getResourceAsStream("/MetricCatalogTest/catalog.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#"))
          .toList();
    }
  }

  @Test
  void namesAndSchemasMatchTheReleasedCatalog() throws IOException {
    List<String> actual = everyMetric().stream().map(MetricCatalogTest::render).toList();
    assertEquals(
        String.join("\n", golden()),
        String.join("\n", actual),
        "The metric catalog changed. If that is intended, update"
            + " transforms/src/test/resources/MetricCatalogTest/catalog.txt: a changed table is a"
            + " warehouse migration.");
  }

  @Test
  void namesAreUniqueAndEveryMetricHasATestClass() {
    Set<String> names = new HashSet<>();
    for (MetricDefinition metric : everyMetric()) {
      assertTrue(names.add(metric.name()), "Duplicate metric name " + metric.name());
      String transformClass = metric.transform(MetricConfig.defaults()).getClass().getName();
      try {
        Class.forName(transformClass + "Test");
      } catch (ClassNotFoundException e) {
        throw new AssertionError("Metric " + metric.name() + " has no test class " + transformClass + "Test");
      }
    }
  }

  @Test
  void derivedMetricsReadAMetricListedBeforeThem() {
    Set<String> seen = new HashSet<>();
    for (MetricDefinition metric : MetricCatalog.all()) {
      if (metric.source() != null) {
        assertTrue(seen.contains(metric.source()),
            metric.name() + " reads " + metric.source() + ", which is not listed before it");
      }
      seen.add(metric.name());
    }
  }

  @Test
  void applyingTheCatalogGivesOneOutputPerMetricWithItsSchema(TestPipeline pipeline) throws Exception {
    PCollectionRowTuple outputs =
        pipeline
            .apply(Create.empty(pipeline.getSchemaRegistry().getSchemaCoder(Event.class)))
            .apply(ApplyMetricCatalog.of(MetricCatalog.all(), MetricConfig.defaults()));
    assertEquals(
        MetricCatalog.all().stream().map(MetricDefinition::name).toList(),
        outputs.getAll().keySet().stream().toList());
    for (MetricDefinition metric : MetricCatalog.all()) {
      Schema schema = outputs.get(metric.name()).getSchema();
      assertTrue(schema.equivalent(metric.schema()), metric.name());
    }
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aDerivedMetricBeforeItsSourceIsRejected() {
    // A plain pipeline: this graph is invalid on purpose and never runs.
    org.apache.beam.sdk.Pipeline pipeline = org.apache.beam.sdk.Pipeline.create();
    MetricDefinition orphan =
        MetricDefinition.derivedFrom("no_such_metric", "orphan", "reads nothing", "window_start",
            c -> new PassThrough());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () ->
            pipeline
                .apply(Create.empty(pipeline.getSchemaRegistry().getSchemaCoder(Event.class)))
                .apply(ApplyMetricCatalog.of(List.of(orphan), MetricConfig.defaults())));
    assertTrue(e.getMessage().contains("must be listed before it"), e.getMessage());
  }

  /** A derived metric for the negative test: passes rows through. */
  private static final class PassThrough extends MetricTransform<org.apache.beam.sdk.values.Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Schema outputSchema() {
      return CountPerMinute.SCHEMA;
    }

    @Override
    public List<String> keyColumns() {
      return CountPerMinute.KEY_COLUMNS;
    }

    @Override
    public org.apache.beam.sdk.values.PCollection<org.apache.beam.sdk.values.Row> expand(
        org.apache.beam.sdk.values.PCollection<org.apache.beam.sdk.values.Row> input) {
      return input;
    }
  }
}
