package io.github.analytics.transforms.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link RevenueAttribution} on hand-worked journeys; each expected credit is worked out in the
 * comments from the models' definitions.
 */
@ExtendWith(TestPipelineExtension.class)
class RevenueAttributionTest {

  private static Row touch(String user, String id, String at, String source, String medium,
      String campaign) {
    return Row.withSchema(UserTouchpoints.SCHEMA).attachValues(Instant.parse(at), user, id,
        UserTouchpoints.TOUCHPOINT, 0.0, source, medium, campaign);
  }

  private static Row purchase(String user, String id, String at, double revenue) {
    return Row.withSchema(UserTouchpoints.SCHEMA).attachValues(Instant.parse(at), user, id,
        UserTouchpoints.PURCHASE, revenue, UserTouchpoints.NOT_SET, UserTouchpoints.NOT_SET,
        UserTouchpoints.NOT_SET);
  }

  @Test
  void everyModelCreditsTheTouchpointsOfTheThirtyDaysBeforeAndSumsToTheRevenue(TestPipeline p) {
    List<Row> rows = List.of(
        // u: google on 02-01, the newsletter on 02-08, a Hacker News referral on 02-15 at the
        // purchase's instant (included: up to the purchase itself), then buys for 100.
        touch("u", "a", "2026-02-01T10:00:00Z", "google", "cpc", "spring"),
        touch("u", "b", "2026-02-08T10:00:00Z", "newsletter", "email", "launch"),
        touch("u", "c", "2026-02-15T10:00:00Z", "news.ycombinator.com", "referral", "(not set)"),
        purchase("u", "p", "2026-02-15T10:00:00Z", 100),
        // v buys for 30 with no touchpoint: (direct) in every model.
        purchase("v", "q", "2026-02-20T08:00:00Z", 30),
        // w: a partner touchpoint exactly 30 days before the purchase (included) and a twitter one
        // a minute earlier still (excluded); buys for 10.
        touch("w", "s", "2026-01-16T11:59:00Z", "twitter", "social", "x"),
        touch("w", "t", "2026-01-16T12:00:00Z", "partner", "affiliate", "deal"),
        purchase("w", "r", "2026-02-15T12:00:00Z", 10));
    // The run's day 01-31 rewrites the purchases of 01-31 .. 03-02.
    DayRange run = DayRange.of(LocalDate.parse("2026-01-31"), LocalDate.parse("2026-01-31"));
    PCollection<Row> credits = p.apply(Create.of(rows).withRowSchema(UserTouchpoints.SCHEMA))
        .apply(RevenueAttribution.of(run));
    PAssert.that(credits).satisfies(all -> {
      // day|model|source -> revenue|purchases, rounded to 4 decimals
      Map<String, String> got = new TreeMap<>();
      for (Row r : all) {
        got.put(r.getDateTime("day").toInstant().toString().substring(0, 10) + "|"
                + r.getString("model") + "|" + r.getString("source"),
            String.format(java.util.Locale.ROOT, "%.4f|%.4f", r.getDouble("revenue"),
                r.getDouble("purchases")));
      }
      String d = "2026-02-15|";
      // u's 100 plus w's 10 on 02-15.
      assertEquals("100.0000|1.0000", got.get(d + "first_touch|google"));
      assertEquals("100.0000|1.0000", got.get(d + "last_touch|news.ycombinator.com"));
      assertEquals("33.3333|0.3333", got.get(d + "linear|newsletter"));
      assertEquals("40.0000|0.4000", got.get(d + "position_based|google"));
      assertEquals("20.0000|0.2000", got.get(d + "position_based|newsletter"));
      assertEquals("40.0000|0.4000", got.get(d + "position_based|news.ycombinator.com"));
      // Time decay: ages 14, 7 and 0 days weigh 1/4, 1/2 and 1, so 100 x (1/7, 2/7, 4/7).
      assertEquals("14.2857|0.1429", got.get(d + "time_decay|google"));
      assertEquals("28.5714|0.2857", got.get(d + "time_decay|newsletter"));
      assertEquals("57.1429|0.5714", got.get(d + "time_decay|news.ycombinator.com"));
      // w: one touchpoint takes all, in every model; the twitter one is outside the window.
      for (String model : RevenueAttribution.MODELS) {
        assertEquals("10.0000|1.0000", got.get(d + model + "|partner"), model);
        assertEquals("30.0000|1.0000", got.get("2026-02-20|" + model + "|(direct)"), model);
      }
      assertEquals(null, got.get(d + "first_touch|twitter"));
      // Each model's credits on 02-15 sum to the day's revenue, 110, and its purchases, 2.
      for (String model : RevenueAttribution.MODELS) {
        double revenue = 0;
        double purchases = 0;
        for (Row r : all) {
          if (r.getString("model").equals(model)
              && r.getDateTime("day").toInstant().toString().startsWith("2026-02-15")) {
            revenue += r.getDouble("revenue");
            purchases += r.getDouble("purchases");
          }
        }
        assertEquals(110, revenue, 1e-9, model);
        assertEquals(2, purchases, 1e-9, model);
      }
      return null;
    });
    p.run().waitUntilFinish();
  }
}
