package io.github.analytics.transforms.warehouse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.analytics.schemas.Event;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link UserTouchpoints}: which events are touchpoints and purchases, and their channels. */
@ExtendWith(TestPipelineExtension.class)
class UserTouchpointsTest {

  @Test
  void channelsFollowTheUtmParametersThenTheReferrersHost() {
    assertArrayEquals(new String[] {"google", "cpc", "spring"},
        UserTouchpoints.channel("{\"utm_source\":\"google\",\"utm_medium\":\"cpc\",\"utm_campaign\":\"spring\"}"));
    // A source without medium or campaign: (not set); the referrer is ignored when utm_source is set.
    assertArrayEquals(new String[] {"newsletter", "(not set)", "(not set)"},
        UserTouchpoints.channel("{\"utm_source\":\"newsletter\",\"referrer\":\"https://mail.example.com/\"}"));
    // A referrer alone: its host without www., medium referral.
    assertArrayEquals(new String[] {"news.ycombinator.com", "referral", "(not set)"},
        UserTouchpoints.channel("{\"referrer\":\"https://news.ycombinator.com/item?id=1\"}"));
    assertArrayEquals(new String[] {"google.com", "referral", "(not set)"},
        UserTouchpoints.channel("{\"referrer\":\"https://WWW.Google.com/search?q=x\"}"));
    // Empty values, other types of value and other keys are not touchpoints.
    assertNull(UserTouchpoints.channel("{\"utm_source\":\"  \"}"));
    assertNull(UserTouchpoints.channel("{\"utm_source\":{\"a\":1}}"));
    assertNull(UserTouchpoints.channel("{\"utm_source\":42,\"referrer\":true}"));
    // Hosts as browsers write them, where java.net.URI would refuse: an underscore, a port, a user.
    assertArrayEquals(new String[] {"my_site.com", "referral", "(not set)"},
        UserTouchpoints.channel("{\"referrer\":\" http://me@My_Site.com:8080/a b \"}"));
    assertNull(UserTouchpoints.channel("{\"page\":\"/utm_source\"}"));
    assertNull(UserTouchpoints.channel("{}"));
    // Other property names, as --touchpointProperties sets them.
    AnalyticsSettings own = AnalyticsSettings.defaults().withTouchpointKeys("src", "med", "camp", "ref");
    assertArrayEquals(new String[] {"ads", "cpm", "q4"},
        UserTouchpoints.channel("{\"src\":\"ads\",\"med\":\"cpm\",\"camp\":\"q4\"}", own));
    assertNull(UserTouchpoints.channel("{\"utm_source\":\"google\"}", own));
    // The site's own hosts are navigation, not touchpoints; a campaign on such a page still counts.
    AnalyticsSettings shop = AnalyticsSettings.defaults().withOwnHosts(List.of(" Shop.Example.com "));
    assertNull(UserTouchpoints.channel("{\"referrer\":\"https://www.shop.example.com/cart\"}", shop));
    assertArrayEquals(new String[] {"google", "(not set)", "(not set)"}, UserTouchpoints.channel(
        "{\"utm_source\":\"google\",\"referrer\":\"https://shop.example.com/\"}", shop));
    assertArrayEquals(new String[] {"bing.com", "referral", "(not set)"},
        UserTouchpoints.channel("{\"referrer\":\"https://www.bing.com/\"}", shop));
  }

  private static Event event(String id, String type, String properties) {
    Instant at = Instant.parse("2026-02-01T10:00:00Z");
    return Event.builder().setEventId(id).setEventType(type).setUserId("u").setSessionId("s")
        .setProperties(properties).setClientTimestamp(at).setEventTimestamp(at).setPlatform("web")
        .setReceivedAt(at).build();
  }

  @Test
  void oneRowPerTouchpointAndPerPurchase(TestPipeline p) {
    PCollection<Row> rows = p.apply(Create.of(
            event("1", "page_view", "{\"utm_source\":\"google\"}"),
            event("2", "page_view", "{\"page\":\"/\"}"),
            event("3", "purchase", "{\"revenue\":12.5}"),
            event("4", "purchase", "{\"revenue\":5,\"referrer\":\"https://partner.example/\"}")))
        .apply(UserTouchpoints.of());
    PAssert.that(rows).satisfies(all -> {
      List<String> got = new ArrayList<>();
      all.forEach(r -> got.add(r.getString("event_id") + "|" + r.getString("kind") + "|"
          + r.getDouble("revenue") + "|" + r.getString("source")));
      got.sort(null);
      assertEquals(List.of("1|touchpoint|0.0|google", "3|purchase|12.5|(not set)",
          "4|purchase|5.0|(not set)", "4|touchpoint|0.0|partner.example"), got);
      return null;
    });
    p.run().waitUntilFinish();
  }
}
