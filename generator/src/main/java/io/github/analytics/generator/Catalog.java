package io.github.analytics.generator;

import java.util.List;
import java.util.Map;

/**
 * The fixed vocabulary of the synthetic shop: platforms, app versions, user agents, pages, referrers,
 * campaigns, clickable elements, errors and currencies. Everything here is ASCII, so truncating a
 * payload anywhere never splits a character.
 */
final class Catalog {
  static final String WEB = "web";
  static final String IOS = "ios";
  static final String ANDROID = "android";

  static final String PAGE_VIEW = "page_view";
  static final String CLICK = "click";
  static final String ADD_TO_CART = "add_to_cart";
  static final String PURCHASE = "purchase";
  static final String ERROR = "error";

  static final String SHOP_ORIGIN = "https://" + GeneratorConfig.SITE_HOST;

  static final Weighted<String> PLATFORMS =
      Weighted.<String>builder().add(50, WEB).add(30, IOS).add(20, ANDROID).build();

  static final Map<String, Weighted<String>> APP_VERSIONS =
      Map.of(
          WEB, Weighted.<String>builder().add(60, "5.4.0").add(30, "5.3.2").add(10, "5.3.1").build(),
          IOS,
              Weighted.<String>builder()
                  .add(45, "5.4.1")
                  .add(30, "5.4.0")
                  .add(18, "5.3.1")
                  .add(7, "5.2.0")
                  .build(),
          ANDROID,
              Weighted.<String>builder().add(55, "5.4.0").add(35, "5.3.1").add(10, "5.1.3").build());

  /** User agents by platform; {@code {v}} is replaced by the user's app version. */
  static final Map<String, Weighted<String>> USER_AGENTS =
      Map.of(
          WEB,
          Weighted.<String>builder()
              .add(22, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                  + " Chrome/131.0.0.0 Safari/537.36")
              .add(6, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                  + " Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")
              .add(5, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0")
              .add(9, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like"
                  + " Gecko) Version/18.1 Safari/605.1.15")
              .add(8, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like"
                  + " Gecko) Chrome/131.0.0.0 Safari/537.36")
              .add(3, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                  + " Chrome/131.0.0.0 Safari/537.36")
              .add(2, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0")
              .add(18, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko)"
                  + " Chrome/131.0.0.0 Mobile Safari/537.36")
              .add(5, "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko)"
                  + " SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36")
              .add(16, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15"
                  + " (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1")
              .add(3, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15"
                  + " (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1")
              .add(3, "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like"
                  + " Gecko) Version/17.6 Mobile/15E148 Safari/604.1")
              .build(),
          IOS,
          Weighted.<String>builder()
              .add(40, "ShopApp/{v} (iPhone; iOS 17.4; Scale/3.00)")
              .add(35, "ShopApp/{v} (iPhone; iOS 18.1; Scale/3.00)")
              .add(10, "ShopApp/{v} (iPhone; iOS 16.7.10; Scale/2.00)")
              .add(15, "ShopApp/{v} (iPad; iOS 17.6; Scale/2.00)")
              .build(),
          ANDROID,
          Weighted.<String>builder()
              .add(30, "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UQ1A.240205.004)")
              .add(25, "Dalvik/2.1.0 (Linux; U; Android 14; SM-S918B Build/UP1A.231005.007)")
              .add(15, "Dalvik/2.1.0 (Linux; U; Android 13; SM-A536B Build/TP1A.220624.014)")
              .add(10, "Dalvik/2.1.0 (Linux; U; Android 12; M2101K6G Build/SKQ1.210908.001)")
              .add(20, "okhttp/4.12.0")
              .build());

  static final Weighted<String> EXTERNAL_REFERRERS =
      Weighted.<String>builder()
          .add(35, "https://www.google.com/")
          .add(8, "https://www.bing.com/")
          .add(10, "https://www.facebook.com/")
          .add(6, "https://www.instagram.com/")
          .add(4, "https://t.co/")
          .add(7, "https://newsletter.example.com/")
          .add(30, "") // direct traffic: no referrer
          .build();

  /** The UTM tags of a campaign link, as they land in a page view's properties. */
  record UtmTags(String source, String medium, String campaign) {}

  /** The campaigns of one {@code utm_source}/{@code utm_medium}, equally likely. */
  private static Weighted<UtmTags> campaigns(String source, String medium, String... names) {
    Weighted.Builder<UtmTags> builder = Weighted.builder();
    for (String name : names) {
      builder.add(1, new UtmTags(source, medium, name));
    }
    return builder.build();
  }

  private static final Weighted<UtmTags> NEWSLETTER =
      campaigns("newsletter", "email", "weekly_digest", "black_friday", "welcome_series");
  private static final Weighted<UtmTags> PARTNER =
      campaigns("partner", "affiliate", "coupon_sites", "cashback_portal");

  /**
   * The tags of a campaign visit, by the {@link #EXTERNAL_REFERRERS} entry the visit already has: the
   * ad, post or mail that was clicked links with the tags of its own source. Covers every non-empty
   * entry.
   */
  static final Map<String, Weighted<UtmTags>> CAMPAIGNS_BY_REFERRER =
      Map.of(
          "https://www.google.com/",
              campaigns("google", "cpc", "brand_search", "running_shoes", "black_friday"),
          "https://www.bing.com/", campaigns("bing", "cpc", "brand_search", "black_friday"),
          "https://www.facebook.com/",
              campaigns("facebook", "paid_social", "winter_jackets", "cart_retargeting", "black_friday"),
          "https://www.instagram.com/",
              campaigns("instagram", "paid_social", "winter_jackets", "influencer_q4"),
          "https://t.co/", campaigns("twitter", "social", "product_launch", "black_friday"),
          "https://newsletter.example.com/", NEWSLETTER);

  /**
   * The tags of a campaign visit without a referrer: mail clients and partner apps send none. Picked by
   * source first ({@code newsletter/email} 60%, {@code partner/affiliate} 40%), then campaign.
   */
  static final Weighted<Weighted<UtmTags>> CAMPAIGNS_WITHOUT_REFERRER =
      Weighted.<Weighted<UtmTags>>builder().add(60, NEWSLETTER).add(40, PARTNER).build();

  /**
   * Untagged links that bring visitors who would otherwise arrive direct: full referrer URLs (search
   * results, forum threads), all absolute and ASCII.
   */
  static final Weighted<String> TOUCHPOINT_REFERRERS =
      Weighted.<String>builder()
          .add(25, "https://www.google.com/search?q=best+rain+jacket")
          .add(15, "https://www.google.com/search?q=trail+running+shoes+review")
          .add(10, "https://duckduckgo.com/?q=wool+socks")
          .add(20, "https://news.ycombinator.com/item?id=42213780")
          .add(20, "https://www.reddit.com/r/running/comments/1gx4k2p/which_trail_shoes_for_winter/")
          .add(10, "https://www.producthunt.com/posts/shopapp")
          .build();

  static final List<String> CATEGORIES =
      List.of("shoes", "jackets", "bags", "accessories", "sale", "new-arrivals", "kids", "sports");

  static final List<String> SEARCH_TERMS =
      List.of("running+shoes", "rain+jacket", "backpack", "gift+card", "wool+socks", "sunglasses");

  static final Weighted<String> CLICK_ELEMENTS =
      Weighted.<String>builder()
          .add(30, "product-card")
          .add(12, "nav-menu")
          .add(10, "search-box")
          .add(8, "hero-banner")
          .add(8, "filter-size")
          .add(6, "sort-dropdown")
          .add(10, "image-gallery")
          .add(9, "recommendations")
          .add(4, "footer-link")
          .add(3, "newsletter-signup")
          .build();

  /** Error code and message. */
  record ErrorKind(String code, String message) {}

  static final Weighted<ErrorKind> ERRORS =
      Weighted.<ErrorKind>builder()
          .add(30, new ErrorKind("NETWORK_TIMEOUT", "Request timed out after 30000 ms"))
          .add(20, new ErrorKind("HTTP_500", "Internal server error from /api/cart"))
          .add(15, new ErrorKind("JS_TYPE_ERROR",
              "TypeError: Cannot read properties of undefined (reading 'price')"))
          .add(15, new ErrorKind("IMAGE_LOAD_FAILED", "Failed to load product image"))
          .add(10, new ErrorKind("PAYMENT_DECLINED", "Card declined by issuer"))
          .add(10, new ErrorKind("HTTP_404", "Product not found"))
          .build();

  /** The error that dominates the configured burst. */
  static final ErrorKind BURST_ERROR = new ErrorKind("HTTP_503", "Service unavailable: checkout-api");

  /** A currency: ISO code, units per US dollar, and decimals. */
  record Currency(String code, double perUsd, int decimals) {}

  static final Map<String, Currency> CURRENCY_BY_COUNTRY =
      Map.of(
          "US", new Currency("USD", 1.0, 2),
          "GB", new Currency("GBP", 0.79, 2),
          "DE", new Currency("EUR", 0.92, 2),
          "FR", new Currency("EUR", 0.92, 2),
          "BR", new Currency("BRL", 5.4, 2),
          "IN", new Currency("INR", 84.0, 2),
          "JP", new Currency("JPY", 150.0, 0),
          "CA", new Currency("CAD", 1.38, 2),
          "AU", new Currency("AUD", 1.52, 2));

  static final Currency DEFAULT_CURRENCY = new Currency("USD", 1.0, 2);

  /** Number of products in the shop. */
  static final int PRODUCTS = 400;

  private Catalog() {}

  /** A stable price for a product, in US cents, between 4.99 and 199.99. */
  static long productPriceUsdCents(int productId) {
    long h = (productId * 0x9E3779B97F4A7C15L) >>> 40;
    long dollars = 4 + h % 196;
    long[] endings = {99, 90, 0, 49};
    return dollars * 100 + endings[(int) ((h >>> 8) & 3)];
  }

  /** Formats an amount in US cents in {@code currency}, as a JSON number, e.g. {@code 59.90}. */
  static String money(long usdCents, Currency currency) {
    if (currency.decimals() == 0) {
      return Long.toString(Math.round(usdCents * currency.perUsd() / 100.0));
    }
    long local = Math.round(usdCents * currency.perUsd());
    long cents = local % 100;
    return (local / 100) + (cents < 10 ? ".0" : ".") + cents;
  }
}
