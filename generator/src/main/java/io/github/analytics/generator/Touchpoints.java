package io.github.analytics.generator;

import java.util.SplittableRandom;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Decides which sessions arrive through a campaign touchpoint, and which: the UTM tags or the referrer
 * that the session's first page view gains.
 *
 * <p>Its draws come from a random stream of its own, one {@link SplittableRandom#split() split} per
 * session whatever happens, so the rest of the day (users, sessions, times, ids, counts, every other
 * byte) is the same for any {@link GeneratorConfig#touchpointShare()}; a session's touchpoint depends
 * only on the seed, the session's place in the day and the share. A higher share keeps the sessions a
 * lower one touches, with the same tags, and adds others.
 *
 * <p>What a touched session gains depends on the external referrer it already has (drawn by {@link
 * DayRun} as before): a session from Google, Bing, Facebook, Instagram, t.co or the newsletter gets the
 * UTM tags of that source ({@link Catalog#CAMPAIGNS_BY_REFERRER}); a session that would arrive direct
 * gets, two times in three, only a referrer URL ({@link Catalog#TOUCHPOINT_REFERRERS}), otherwise the tags
 * of a newsletter or affiliate link, which come without a referrer. The existing referrer is never
 * replaced. With the default referrer mix (70% external), about 80% of touchpoints are UTM tags and 20%
 * referrer only.
 *
 * <p>Campaign visitors buy somewhat more often: a session that ends in a purchase is touched with odds
 * {@value #PURCHASE_ODDS_RATIO} times those of one that does not, the two chances chosen so that the
 * expected share of touched sessions is still the configured one. Whether a session buys is read, never
 * drawn here, so purchases are exactly those of the day without touchpoints.
 */
final class Touchpoints {
  /** How much larger the odds of a touchpoint are for a session that buys than for one that does not. */
  static final double PURCHASE_ODDS_RATIO = 1.5;
  /** Of the touched sessions that would arrive direct, the share that gains only a referrer. */
  static final double REFERRER_ONLY_SHARE_OF_DIRECT = 2.0 / 3.0;

  /** What a session's first page view gains: UTM tags, or a referrer where it had none. */
  record Touchpoint(Catalog.@Nullable UtmTags tags, @Nullable String referrer) {}

  private final SplittableRandom random;
  private final double shareIfPurchase;
  private final double shareOtherwise;

  /**
   * @param seed the config's seed
   * @param share the fraction of sessions to touch, in [0, 1]
   * @param purchaseShare the expected fraction of sessions that end in a purchase, in [0, 1)
   */
  Touchpoints(long seed, double share, double purchaseShare) {
    // Another multiplier than DayRun's streams (seed * 0x9E3779B97F4A7C15L + 1, 2, 3): that one is
    // SplittableRandom's own increment, so those streams for seed s + 1 are the ones for s one draw on.
    this.random = new SplittableRandom(seed * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL);
    // P(touch | purchase) from the odds ratio; P(touch | no purchase) keeps P(touch) = share.
    double odds = PURCHASE_ODDS_RATIO * share;
    this.shareIfPurchase = share >= 1.0 ? 1.0 : odds / (1.0 - share + odds);
    this.shareOtherwise =
        Math.min(1.0, Math.max(0.0, (share - purchaseShare * shareIfPurchase) / (1.0 - purchaseShare)));
  }

  /**
   * The touchpoint of the next session, or null for none.
   *
   * @param referrer the external referrer of the session's first page view; empty for direct traffic
   * @param purchase whether the session ends in a purchase
   */
  @Nullable Touchpoint next(String referrer, boolean purchase) {
    SplittableRandom r = random.split();
    if (r.nextDouble() >= (purchase ? shareIfPurchase : shareOtherwise)) {
      return null;
    }
    if (!referrer.isEmpty()) {
      Weighted<Catalog.UtmTags> campaigns = Catalog.CAMPAIGNS_BY_REFERRER.get(referrer);
      if (campaigns == null) {
        throw new IllegalStateException(
            "No campaigns for the referrer " + referrer + " (add it to Catalog.CAMPAIGNS_BY_REFERRER)");
      }
      return new Touchpoint(campaigns.pick(r), null);
    }
    if (r.nextDouble() < REFERRER_ONLY_SHARE_OF_DIRECT) {
      return new Touchpoint(null, Catalog.TOUCHPOINT_REFERRERS.pick(r));
    }
    return new Touchpoint(Catalog.CAMPAIGNS_WITHOUT_REFERRER.pick(r).pick(r), null);
  }
}
