package io.github.analytics.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The sections of the suite, in the order a run prints them. */
public final class Sections {
  private Sections() {}

  /** Every section, in report order: the order issue 6 lists them in. */
  public static List<Section> all() {
    return List.of(
        new StreamingThroughputSection(), new FreshnessSection(), new BatchSection(), new HllSection(),
        new CollectorSection(), new ServingSection(), new WarehouseSection());
  }

  /**
   * The sections {@code names} asks for, in report order; all of them for an empty list.
   *
   * @throws IllegalArgumentException naming the unknown section and the known ones
   */
  public static List<Section> select(List<String> names) {
    Map<String, Section> byName = new LinkedHashMap<>();
    for (Section section : all()) {
      byName.put(section.name(), section);
    }
    if (names.isEmpty()) {
      return List.copyOf(byName.values());
    }
    List<String> wanted = new ArrayList<>();
    for (String name : names) {
      String key = name.strip().toLowerCase(Locale.ROOT);
      if (!byName.containsKey(key)) {
        throw new IllegalArgumentException("Unknown section '" + name + "': choose among "
            + String.join(", ", byName.keySet()) + " (comma-separated), or leave --sections out for all");
      }
      wanted.add(key);
    }
    List<Section> selected = new ArrayList<>();
    for (Map.Entry<String, Section> entry : byName.entrySet()) {
      if (wanted.contains(entry.getKey())) {
        selected.add(entry.getValue());
      }
    }
    return selected;
  }
}
