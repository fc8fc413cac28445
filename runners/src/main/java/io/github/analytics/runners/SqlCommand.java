package io.github.analytics.runners;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code analytics sql "SELECT ..."}: queries the DuckDB warehouse without installing DuckDB. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = "Runs one SQL query on the DuckDB warehouse and prints the result as a table.")
final class SqlCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The query, e.g. \"SELECT event_type, count(*) FROM events GROUP BY 1\".")
  String query;

  @Option(names = "--db", defaultValue = "data/warehouse.duckdb", description = "The DuckDB file (default: ${DEFAULT-VALUE}).")
  String database;

  @Option(names = "--max-rows", defaultValue = "50", description = "Rows to print at most (default: ${DEFAULT-VALUE}).")
  int maxRows;

  @Override
  public Integer call() throws Exception {
    if (!new java.io.File(database).exists()) {
      System.err.println("No warehouse at " + database + ": run `./analytics demo` first, or pass --db.");
      return 2;
    }
    java.util.Properties readOnly = new java.util.Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + database, readOnly);
        Statement statement = connection.createStatement()) {
      statement.execute("SET TimeZone = 'UTC'");
      try (ResultSet rs = statement.executeQuery(query)) {
        System.out.print(TextTable.render(rs, maxRows));
      } catch (java.sql.SQLException e) {
        // DuckDB's message says what is wrong (a missing column, a typo, with a suggestion): show it,
        // and what there is to query, not a stack trace.
        System.err.println("analytics sql: the query failed: " + e.getMessage().strip());
        System.err.println("Tables in " + database + ": " + String.join(", ", tables(connection))
            + ". Their columns: ./analytics sql --db " + database + " \"DESCRIBE <table>\"");
        return 2;
      }
    }
    return 0;
  }

  private static List<String> tables(Connection connection) throws java.sql.SQLException {
    List<String> names = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT table_name FROM information_schema.tables ORDER BY 1")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  /** Fixed-width rendering of a result set. */
  static final class TextTable {
    private TextTable() {}

    static String render(ResultSet rs, int maxRows) throws Exception {
      ResultSetMetaData meta = rs.getMetaData();
      int columns = meta.getColumnCount();
      List<String[]> rows = new ArrayList<>();
      String[] header = new String[columns];
      for (int c = 0; c < columns; c++) {
        header[c] = meta.getColumnLabel(c + 1);
      }
      rows.add(header);
      int shown = 0;
      boolean more = false;
      while (rs.next()) {
        if (shown == maxRows) {
          more = true;
          break;
        }
        String[] row = new String[columns];
        for (int c = 0; c < columns; c++) {
          Object value = rs.getObject(c + 1);
          String text = value instanceof byte[] bytes
              ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
              : String.valueOf(value);
          row[c] = text.length() > 80 ? text.substring(0, 77) + "..." : text;
        }
        rows.add(row);
        shown++;
      }
      int[] widths = new int[columns];
      for (String[] row : rows) {
        for (int c = 0; c < columns; c++) {
          widths[c] = Math.max(widths[c], row[c].length());
        }
      }
      StringBuilder out = new StringBuilder();
      for (int r = 0; r < rows.size(); r++) {
        for (int c = 0; c < columns; c++) {
          out.append(c == 0 ? "" : "  ").append(String.format("%-" + widths[c] + "s", rows.get(r)[c]));
        }
        out.append('\n');
        if (r == 0) {
          for (int c = 0; c < columns; c++) {
            out.append(c == 0 ? "" : "  ").append("-".repeat(widths[c]));
          }
          out.append('\n');
        }
      }
      out.append(more ? "(more rows not shown; raise --max-rows)\n" : "(" + shown + " rows)\n");
      return out.toString();
    }
  }
}
