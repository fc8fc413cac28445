package io.github.analytics.bench;

import java.util.List;
import java.util.Locale;

/**
 * results.svg: a horizontal bar per throughput-per-core measurement ({@link
 * Measurement#EVENTS_PER_SECOND_PER_CORE}), on a log scale because the baselines run up to a hundred
 * times faster than the pipelines. Bars with a target are green when met and red when missed, with the
 * target as a black tick; baselines (no target) are grey. Written by hand: no charting library.
 */
public final class SvgChart {
  private static final int WIDTH = 960;
  private static final int LABEL_WIDTH = 360;
  private static final int VALUE_WIDTH = 110;
  private static final int BAR_HEIGHT = 20;
  private static final int ROW_HEIGHT = 30;
  private static final int TOP = 50;
  private static final int BOTTOM = 40;

  private SvgChart() {}

  public static String render(BenchReport report) {
    List<Measurement> bars = report.measurements().stream()
        .filter(m -> m.unit().equals(Measurement.EVENTS_PER_SECOND_PER_CORE))
        .filter(m -> Double.isFinite(m.value()) && m.value() > 0)
        .toList();
    int height = TOP + Math.max(1, bars.size()) * ROW_HEIGHT + BOTTOM;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
            + " font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height, WIDTH, height));
    svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
    svg.append(String.format(Locale.ROOT,
        "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Throughput per core (events/s, log"
            + " scale) — %d cores, %s, %s</text>%n",
        report.machine().cores(), escape(report.machine().commit()),
        report.settings().mode() + " run"));
    if (bars.isEmpty()) {
      svg.append(String.format(Locale.ROOT,
          "<text x=\"10\" y=\"%d\">No throughput was measured in this run.</text>%n", TOP + 15));
      return svg.append("</svg>\n").toString();
    }
    double min = bars.stream().mapToDouble(Measurement::value).min().orElseThrow();
    double max = bars.stream().mapToDouble(Measurement::value).max().orElseThrow();
    for (Measurement m : bars) {
      if (m.target() != null && m.target().threshold() > 0) {
        min = Math.min(min, m.target().threshold());
        max = Math.max(max, m.target().threshold());
      }
    }
    int lowExponent = (int) Math.floor(Math.log10(min));
    int highExponent = Math.max(lowExponent + 1, (int) Math.ceil(Math.log10(max)));
    int plotLeft = LABEL_WIDTH;
    int plotWidth = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    int plotBottom = TOP + bars.size() * ROW_HEIGHT;
    // Grid lines at each power of ten.
    for (int e = lowExponent; e <= highExponent; e++) {
      double x = x(Math.pow(10, e), lowExponent, highExponent, plotLeft, plotWidth);
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, TOP - 5, x, plotBottom));
      svg.append(String.format(Locale.ROOT,
          "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>%n",
          x, plotBottom + 16, Measurement.format(Math.pow(10, e))));
    }
    int y = TOP;
    for (Measurement m : bars) {
      String colour = m.met().map(met -> met ? "#2e7d32" : "#c62828").orElse("#9e9e9e");
      double width = x(m.value(), lowExponent, highExponent, plotLeft, plotWidth) - plotLeft;
      svg.append(String.format(Locale.ROOT,
          "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
          plotLeft - 8, y + BAR_HEIGHT - 5, escape(m.section() + ": " + m.name())));
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>%n",
          plotLeft, y, Math.max(1, width), BAR_HEIGHT, colour, escape(m.note())));
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>%n",
          plotLeft + Math.max(1, width) + 4, y + BAR_HEIGHT - 5, escape(Measurement.format(m.value()))));
      if (m.target() != null && m.target().threshold() > 0) {
        double tx = x(m.target().threshold(), lowExponent, highExponent, plotLeft, plotWidth);
        svg.append(String.format(Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" stroke-width=\"2\">"
                + "<title>target %s</title></line>%n",
            tx, y - 3, tx, y + BAR_HEIGHT + 3, escape(m.target().describe())));
      }
      y += ROW_HEIGHT;
    }
    svg.append(String.format(Locale.ROOT,
        "<text x=\"10\" y=\"%d\" fill=\"#555\">green: target met · red: missed · grey: baseline ·"
            + " black tick: target</text>%n", height - 8));
    return svg.append("</svg>\n").toString();
  }

  private static double x(double value, int lowExponent, int highExponent, int left, int width) {
    double fraction = (Math.log10(value) - lowExponent) / (highExponent - lowExponent);
    return left + Math.max(0, Math.min(1, fraction)) * width;
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
