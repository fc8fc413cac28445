package io.github.analytics.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * results.json: the machine, the settings, and one object per measurement with its section, value,
 * unit, target ({@code comparison} and {@code threshold}), {@code met} (null without a target) and note.
 * A value that could not be measured is null.
 */
public final class JsonReport {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  public static String render(BenchReport report) {
    ObjectNode root = MAPPER.createObjectNode();
    MachineInfo machine = report.machine();
    ObjectNode m = root.putObject("machine");
    m.put("date", machine.date().toString());
    m.put("commit", machine.commit());
    m.put("cores", machine.cores());
    m.put("cpu", machine.cpu());
    m.put("jvm", machine.jvm());
    m.put("os", machine.os());
    m.put("maxHeapBytes", machine.maxHeapBytes());
    m.put("loadAverage", machine.loadAverage());
    root.set("settings", MAPPER.valueToTree(report.settings()));
    ArrayNode sections = root.putArray("sections");
    for (SectionResult section : report.sections()) {
      ObjectNode s = sections.addObject();
      s.put("name", section.name());
      s.put("title", section.title());
      s.put("seconds", section.seconds());
      if (section.failed()) {
        s.put("failure", section.failure());
      } else {
        s.putNull("failure");
      }
    }
    ArrayNode rows = root.putArray("measurements");
    for (Measurement measurement : report.measurements()) {
      ObjectNode row = rows.addObject();
      row.put("section", measurement.section());
      row.put("measurement", measurement.name());
      if (Double.isFinite(measurement.value())) {
        row.put("value", measurement.value());
      } else {
        row.putNull("value");
      }
      row.put("unit", measurement.unit());
      if (measurement.target() == null) {
        row.putNull("target");
        row.putNull("met");
      } else {
        ObjectNode target = row.putObject("target");
        target.put("comparison", measurement.target().comparison().name());
        target.put("threshold", measurement.target().threshold());
        row.put("met", measurement.met().orElseThrow());
      }
      row.put("note", measurement.note());
    }
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write results.json: " + e.getMessage(), e);
    }
  }
}
