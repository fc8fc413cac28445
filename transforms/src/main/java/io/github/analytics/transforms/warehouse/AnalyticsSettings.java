package io.github.analytics.transforms.warehouse;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The settings of the warehouse analytics: which events start and continue a retention cohort, which
 * properties make an event a touchpoint, and how far back a purchase credits touchpoints.
 *
 * @param retentionStartEvent the event type that puts a user in a cohort, or {@value UserHistory#ANY}
 * @param retentionReturnEvent the event type that counts as a return, or {@value UserHistory#ANY}
 * @param lookbackDays the days before a purchase whose touchpoints it credits
 * @param sourceKey the property a touchpoint's source is read from ({@code utm_source})
 * @param mediumKey the property of its medium ({@code utm_medium})
 * @param campaignKey the property of its campaign ({@code utm_campaign})
 * @param referrerKey the property of the referring URL, whose host is the source when there is none
 *     ({@code referrer})
 * @param ownHosts the site's own hosts: a referrer from one of them is navigation within the site,
 *     not a touchpoint (Google Analytics' referral exclusion); none by default
 */
public record AnalyticsSettings(
    String retentionStartEvent,
    String retentionReturnEvent,
    int lookbackDays,
    String sourceKey,
    String mediumKey,
    String campaignKey,
    String referrerKey,
    List<String> ownHosts)
    implements Serializable {
  public static final int DEFAULT_LOOKBACK_DAYS = 30;

  public AnalyticsSettings {
    Objects.requireNonNull(retentionStartEvent, "retentionStartEvent");
    Objects.requireNonNull(retentionReturnEvent, "retentionReturnEvent");
    if (lookbackDays < 1 || lookbackDays > 365) {
      throw new IllegalArgumentException(
          "The attribution lookback is 1 to 365 days, got " + lookbackDays);
    }
    ownHosts = ownHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty())
        .toList();
    for (String key : new String[] {sourceKey, mediumKey, campaignKey, referrerKey}) {
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException("Touchpoint property names must not be empty");
      }
    }
  }

  /** Any event starts and continues a cohort; utm_source/utm_medium/utm_campaign/referrer; 30 days. */
  public static AnalyticsSettings defaults() {
    return new AnalyticsSettings(UserHistory.ANY, UserHistory.ANY, DEFAULT_LOOKBACK_DAYS,
        "utm_source", "utm_medium", "utm_campaign", "referrer", List.of());
  }

  public AnalyticsSettings withRetentionEvents(String start, String returning) {
    return new AnalyticsSettings(start, returning, lookbackDays, sourceKey, mediumKey, campaignKey,
        referrerKey, ownHosts);
  }

  public AnalyticsSettings withLookbackDays(int days) {
    return new AnalyticsSettings(retentionStartEvent, retentionReturnEvent, days, sourceKey,
        mediumKey, campaignKey, referrerKey, ownHosts);
  }

  public AnalyticsSettings withTouchpointKeys(
      String source, String medium, String campaign, String referrer) {
    return new AnalyticsSettings(retentionStartEvent, retentionReturnEvent, lookbackDays, source,
        medium, campaign, referrer, ownHosts);
  }

  /** The site's own hosts (lower case, without {@code www.} as a referrer's source is written). */
  public AnalyticsSettings withOwnHosts(List<String> hosts) {
    return new AnalyticsSettings(retentionStartEvent, retentionReturnEvent, lookbackDays, sourceKey,
        mediumKey, campaignKey, referrerKey, hosts);
  }
}
