package io.github.analytics.pipelines.options;

import io.github.analytics.transforms.metrics.FunnelDefinition;
import io.github.analytics.transforms.metrics.MetricConfig;
import io.github.analytics.transforms.metrics.WindowPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.FileSystems;
import org.joda.time.Duration;

/** Turns {@link MetricOptions} into the catalog's {@link MetricConfig}, for a layer's window policy. */
public final class MetricSettings {
  private MetricSettings() {}

  /** Validates the options, reads the funnels file if one is given, and builds the config. */
  public static MetricConfig configure(MetricOptions options, WindowPolicy policy) {
    OptionsValidator.validateMetrics(options);
    MetricConfig config =
        MetricConfig.of(policy)
            .withSessionGap(Duration.standardMinutes(options.getSessionGapMinutes()))
            .withHllPrecision(options.getHllPrecision())
            .withAnomalyDetection(
                options.getAnomalyHistoryWindows(),
                options.getAnomalyMinHistoryWindows(),
                options.getAnomalyThreshold());
    String funnels = options.getFunnelsFile();
    if (funnels != null && !funnels.isBlank()) {
      config = config.withFunnels(FunnelDefinition.parse(read(funnels)));
    }
    return config;
  }

  private static String read(String path) {
    try (InputStream in =
        Channels.newInputStream(FileSystems.open(FileSystems.matchSingleFileSpec(path).resourceId()))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the funnels file " + path + " (--funnelsFile): check the path", e);
    }
  }
}
