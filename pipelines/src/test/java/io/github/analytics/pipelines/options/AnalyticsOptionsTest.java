package io.github.analytics.pipelines.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.transforms.warehouse.AnalyticsSettings;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** The warehouse analytics' options become settings, and wrong values say what to pass. */
class AnalyticsOptionsTest {

  private static AnalyticsOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(AnalyticsOptions.class);
  }

  @Test
  void theDefaultsAreAnyEventThirtyDaysAndTheUtmParameters() {
    assertEquals(AnalyticsSettings.defaults(), AnalyticsOptions.settings(options()));
  }

  @Test
  void eachOptionSetsItsSetting() {
    AnalyticsSettings settings = AnalyticsOptions.settings(options(
        "--retentionStartEvent=purchase", "--retentionReturnEvent=page_view",
        "--attributionLookbackDays=7", "--touchpointProperties=src, med ,camp,ref",
        "--ownHosts=Shop.Example.com, app.example.com"));
    assertEquals(new AnalyticsSettings("purchase", "page_view", 7, "src", "med", "camp", "ref",
        java.util.List.of("shop.example.com", "app.example.com")), settings);
  }

  @Test
  void wrongValuesAreRefusedWithWhatToPass() {
    IllegalArgumentException keys = assertThrows(IllegalArgumentException.class,
        () -> AnalyticsOptions.settings(options("--touchpointProperties=utm_source,referrer")));
    assertTrue(keys.getMessage().contains("four property names"), keys.getMessage());
    IllegalArgumentException days = assertThrows(IllegalArgumentException.class,
        () -> AnalyticsOptions.settings(options("--attributionLookbackDays=0")));
    assertTrue(days.getMessage().contains("1 to 365"), days.getMessage());
  }
}
