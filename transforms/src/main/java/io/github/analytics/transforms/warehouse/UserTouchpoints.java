package io.github.analytics.transforms.warehouse;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.metrics.PerEventFn;
import io.github.analytics.transforms.metrics.MetricTransform;
import io.github.analytics.transforms.metrics.SessionizeEvents;
import io.github.analytics.transforms.metrics.TopLevelProperties;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The marketing touchpoints and the purchases of each user, one row per event: what revenue
 * attribution credits, read back from the warehouse by later runs.
 *
 * <p>A <b>touchpoint</b> is an event whose {@code properties} carry a non-empty string {@code
 * utm_source} or {@code referrer} (the property names are {@link AnalyticsSettings}'s), a referrer
 * not from one of the site's own hosts (strings count, without leading and trailing spaces; numbers,
 * objects and nulls do not). Its channel follows Google Analytics' rules: {@code source} is {@code
 * utm_source}, else the referrer's host (lower case, without {@code www.}); {@code medium} is {@code
 * utm_medium}, else {@code referral} for a referrer and {@value #NOT_SET} for a {@code utm_source}
 * without a medium; {@code campaign} is {@code utm_campaign}, else {@value #NOT_SET}. A <b>purchase</b>
 * is a {@code purchase} event, with the revenue {@code sessions} counts (its numeric {@code revenue}
 * property, else 0). An event that is both gets a row of each kind.
 */
public final class UserTouchpoints extends MetricTransform<Event> {
  private static final long serialVersionUID = 1L;

  public static final String NAME = "user_touchpoints";
  public static final String TOUCHPOINT = "touchpoint";
  public static final String PURCHASE = "purchase";
  public static final String NOT_SET = "(not set)";

  public static final Schema SCHEMA =
      Schema.builder()
          .addDateTimeField("event_timestamp")
          .addStringField("user_id")
          .addStringField("event_id")
          .addStringField("kind")
          .addDoubleField("revenue")
          .addStringField("source")
          .addStringField("medium")
          .addStringField("campaign")
          .build();

  public static final List<String> KEY_COLUMNS = List.of("event_timestamp", "user_id", "event_id", "kind");

  private final AnalyticsSettings keys;

  private UserTouchpoints(AnalyticsSettings keys) {
    this.keys = keys;
  }

  /** Touchpoints read from {@code utm_source}, {@code utm_medium}, {@code utm_campaign}, {@code
   * referrer}. */
  public static UserTouchpoints of() {
    return new UserTouchpoints(AnalyticsSettings.defaults());
  }

  /** Touchpoints read from the properties {@code settings} names. */
  public static UserTouchpoints of(AnalyticsSettings settings) {
    return new UserTouchpoints(settings);
  }

  @Override
  public Schema outputSchema() {
    return SCHEMA;
  }

  @Override
  public List<String> keyColumns() {
    return KEY_COLUMNS;
  }

  @Override
  public PCollection<Row> expand(PCollection<Event> events) {
    return perEvent(events, "TouchpointsAndPurchases", new RowsFn(keys)).setRowSchema(SCHEMA);
  }

  /** The channel of a touchpoint's properties (the default names), or null when they hold none. */
  static String @Nullable [] channel(String properties) {
    return channel(properties, AnalyticsSettings.defaults());
  }

  /** The channel of a touchpoint's properties, or null when they hold none. */
  static String @Nullable [] channel(String properties, AnalyticsSettings keys) {
    return channel(properties, keys, names(keys));
  }

  /** The property names a touchpoint is read from. */
  private static Set<String> names(AnalyticsSettings keys) {
    return Set.copyOf(
        List.of(keys.sourceKey(), keys.mediumKey(), keys.campaignKey(), keys.referrerKey()));
  }

  /** As {@link #channel(String, AnalyticsSettings)}, with {@code names} built once by the caller. */
  private static String @Nullable [] channel(
      String properties, AnalyticsSettings keys, Set<String> names) {
    if (!properties.contains(keys.sourceKey()) && !properties.contains(keys.referrerKey())) {
      return null;
    }
    Map<String, String> values = TopLevelProperties.readStrings(properties, names);
    if (values == null) {
      return null;
    }
    String source = trimmed(values.get(keys.sourceKey()));
    String medium = trimmed(values.get(keys.mediumKey()));
    String campaign = trimmed(values.get(keys.campaignKey()));
    if (source == null) {
      String referrer = trimmed(values.get(keys.referrerKey()));
      if (referrer == null) {
        return null;
      }
      source = host(referrer);
      if (keys.ownHosts().contains(source)) {
        // Navigation within the site: not where the user came from.
        return null;
      }
      medium = medium == null ? "referral" : medium;
    }
    return new String[] {source, medium == null ? NOT_SET : medium,
        campaign == null ? NOT_SET : campaign};
  }

  /** A JSON string field's text without its leading and trailing spaces, or null if absent or empty. */
  private static @Nullable String trimmed(@Nullable String text) {
    if (text == null) {
      return null;
    }
    int start = 0;
    int end = text.length();
    while (start < end && text.charAt(start) == ' ') {
      start++;
    }
    while (end > start && text.charAt(end - 1) == ' ') {
      end--;
    }
    return start == end ? null : text.substring(start, end);
  }

  /**
   * The host of a URL: after {@code scheme://} (or {@code //}), without user info or port. Lenient
   * where {@link java.net.URI} is strict (spaces, underscores), as referrers are written by browsers.
   */
  private static final Pattern HOST =
      Pattern.compile("^(?:[A-Za-z][A-Za-z0-9+.-]*:)?//(?:[^/?#@]*@)?(\\[[^\\]/?#]*\\]|[^/?#:]*)");

  /** A referrer's host, lower case and without {@code www.}; the text itself if it has none. */
  static String host(String referrer) {
    Matcher m = HOST.matcher(referrer);
    String host = m.find() ? m.group(1) : "";
    if (host.isEmpty()) {
      return referrer.toLowerCase(Locale.ROOT);
    }
    host = host.toLowerCase(Locale.ROOT);
    return host.startsWith("www.") ? host.substring(4) : host;
  }

  private static final class RowsFn extends PerEventFn<Row> {
    private static final long serialVersionUID = 1L;
    private final AnalyticsSettings keys;
    private final Set<String> names;

    RowsFn(AnalyticsSettings keys) {
      this.keys = keys;
      this.names = names(keys);
    }

    @Override
    protected void process(Event event, OutputReceiver<Row> out) {
      String[] channel = channel(event.getProperties(), keys, names);
      if (channel != null) {
        out.output(Row.withSchema(SCHEMA).attachValues(event.getEventTimestamp(), event.getUserId(),
            event.getEventId(), TOUCHPOINT, 0.0, channel[0], channel[1], channel[2]));
      }
      if (SessionizeEvents.PURCHASE.equals(event.getEventType())) {
        OptionalDouble revenue = SessionizeEvents.revenue(event.getProperties());
        out.output(Row.withSchema(SCHEMA).attachValues(event.getEventTimestamp(), event.getUserId(),
            event.getEventId(), PURCHASE, revenue.isPresent() ? revenue.getAsDouble() : 0.0,
            NOT_SET, NOT_SET, NOT_SET));
      }
    }
  }
}
