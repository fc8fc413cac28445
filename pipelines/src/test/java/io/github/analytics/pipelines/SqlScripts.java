package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The DuckDB oracles' SQL scripts and one-value queries, shared by the tests that run them. */
final class SqlScripts {
  private SqlScripts() {}

  /** Runs a script of the test resources ({@code /Test/file.sql}), statement by statement. */
  static void run(Statement statement, String resource) throws Exception {
    run(statement, resource, Map.of());
  }

  /** As {@link #run(Statement, String)}, each {@code {name}} of the script replaced by its value. */
  static void run(Statement statement, String resource, Map<String, String> placeholders)
      throws Exception {
    String sql;
    try (InputStream in = SqlScripts.class.getResourceAsStream(resource)) {
      assertTrue(in != null, "no test resource " + resource);
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (Map.Entry<String, String> placeholder : placeholders.entrySet()) {
      sql = sql.replace("{" + placeholder.getKey() + "}", placeholder.getValue());
    }
    for (String part : sql.split(";\\s*\\n")) {
      if (!part.replaceAll("(?m)^\\s*--.*$", "").isBlank()) {
        statement.execute(part);
      }
    }
  }

  /** The number a one-row query gives. */
  static long queryLong(Statement statement, String sql) throws Exception {
    try (ResultSet rs = statement.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getLong(1);
    }
  }

  /** The values of a one-column query, joined with {@code separator}. */
  static String column(Statement statement, String sql, String separator) throws Exception {
    List<String> values = new ArrayList<>();
    try (ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return String.join(separator, values);
  }
}
