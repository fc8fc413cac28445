package io.github.analytics.generator;

/** A synthetic user: attributes fixed for the whole day. */
final class User {
  final int index;
  final String id;
  /** {@link #id} and {@link #ip} as ASCII bytes, written without escaping. */
  final byte[] idBytes;
  final byte[] ipBytes;
  final String platform;
  final String appVersion;
  final String userAgent;
  final GeoFixture.Location location;
  final String ip;
  final long clockSkewMillis;
  final double activity;
  final Catalog.Currency currency;

  User(
      int index,
      String id,
      String platform,
      String appVersion,
      String userAgent,
      GeoFixture.Location location,
      String ip,
      long clockSkewMillis,
      double activity) {
    this.index = index;
    this.id = id;
    this.idBytes = id.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    this.platform = platform;
    this.appVersion = appVersion;
    this.userAgent = userAgent;
    this.location = location;
    this.ip = ip;
    this.ipBytes = ip.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    this.clockSkewMillis = clockSkewMillis;
    this.activity = activity;
    this.currency =
        Catalog.CURRENCY_BY_COUNTRY.getOrDefault(location.countryIsoCode(), Catalog.DEFAULT_CURRENCY);
  }

  boolean isApp() {
    return !Catalog.WEB.equals(platform);
  }
}
