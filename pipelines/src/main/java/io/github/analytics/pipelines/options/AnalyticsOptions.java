package io.github.analytics.pipelines.options;

import io.github.analytics.transforms.warehouse.AnalyticsSettings;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The options of the warehouse analytics, which only the batch layer computes. */
public interface AnalyticsOptions extends PipelineOptions {
  @Description("The event type that puts a user in a retention cohort on the day (first_time: the first"
      + " day) they send it; 'all' for any event.")
  @Default.String("all")
  String getRetentionStartEvent();

  void setRetentionStartEvent(String value);

  @Description("The event type that counts as a return in the retention tables; 'all' for any event.")
  @Default.String("all")
  String getRetentionReturnEvent();

  void setRetentionReturnEvent(String value);

  @Description("Days before a purchase whose touchpoints revenue attribution credits (1 to 365).")
  @Default.Integer(30)
  int getAttributionLookbackDays();

  void setAttributionLookbackDays(int value);

  @Description("The event properties a touchpoint's source, medium, campaign and referring URL are read"
      + " from, comma-separated, in that order.")
  @Default.String("utm_source,utm_medium,utm_campaign,referrer")
  String getTouchpointProperties();

  void setTouchpointProperties(String value);

  @Description("The site's own hosts, comma-separated (e.g. shop.example.com): a referrer from one of"
      + " them is navigation within the site, not a touchpoint (Google Analytics' referral exclusion).")
  @Default.String("")
  String getOwnHosts();

  void setOwnHosts(String value);

  /** The settings these options give, checked. */
  static AnalyticsSettings settings(AnalyticsOptions options) {
    List<String> keys = List.of(options.getTouchpointProperties().split(",", -1)).stream()
        .map(String::trim).toList();
    if (keys.size() != 4 || keys.stream().anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException("--touchpointProperties needs four property names (source,"
          + " medium, campaign, referrer), comma-separated; got '" + options.getTouchpointProperties()
          + "'");
    }
    if (options.getRetentionStartEvent().isBlank() || options.getRetentionReturnEvent().isBlank()) {
      throw new IllegalArgumentException(
          "--retentionStartEvent and --retentionReturnEvent take an event type, or 'all'");
    }
    return AnalyticsSettings.defaults()
        .withRetentionEvents(
            options.getRetentionStartEvent().trim(), options.getRetentionReturnEvent().trim())
        .withLookbackDays(options.getAttributionLookbackDays())
        .withTouchpointKeys(keys.get(0), keys.get(1), keys.get(2), keys.get(3))
        .withOwnHosts(List.of(options.getOwnHosts().split(",")));
  }
}
