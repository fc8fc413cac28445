package io.github.analytics.generator;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The places the generator's users live in, each with the IPv4 network their addresses come from.
 *
 * <p>{@link MmdbWriter#writeGeoFixture} turns this table into a MaxMind DB, so enrichment can be tested
 * end to end: every generated {@code client_ip} resolves to its user's country, subdivision and city.
 * London uses {@code 81.2.69.0/24}, the network of MaxMind's own test databases; the other networks are
 * plausible public ranges, only meaningful together with the synthetic database. Weights are relative
 * shares of users; the United States and the United Kingdom dominate.
 */
public final class GeoFixture {

  /**
   * One place and its network.
   *
   * @param countryIsoCode ISO 3166-1 alpha-2, for example {@code GB}
   * @param countryName English country name
   * @param subdivisionIsoCode ISO 3166-2 subdivision code without the country prefix, for example {@code ENG}
   * @param subdivisionName English subdivision name
   * @param cityName English city name
   * @param cidr the IPv4 network, {@code a.b.c.d/len}
   * @param latitude city latitude
   * @param longitude city longitude
   * @param timeZone IANA time zone
   * @param weight relative share of users
   */
  public record Location(
      String countryIsoCode,
      String countryName,
      String subdivisionIsoCode,
      String subdivisionName,
      String cityName,
      String cidr,
      double latitude,
      double longitude,
      String timeZone,
      int weight) {

    /** Checks the fields; the CIDR must be a valid IPv4 network with no host bits set. */
    public Location {
      Objects.requireNonNull(countryIsoCode, "countryIsoCode");
      Objects.requireNonNull(countryName, "countryName");
      Objects.requireNonNull(subdivisionIsoCode, "subdivisionIsoCode");
      Objects.requireNonNull(subdivisionName, "subdivisionName");
      Objects.requireNonNull(cityName, "cityName");
      Objects.requireNonNull(timeZone, "timeZone");
      int prefix = parsePrefix(cidr);
      int address = parseIpv4(cidr.substring(0, cidr.indexOf('/')));
      if (prefix < 32 && (address & ~mask(prefix)) != 0) {
        throw new IllegalArgumentException(
            "CIDR " + cidr + " has host bits set: write the network address, e.g. 81.2.69.0/24");
      }
      if (weight < 0) {
        throw new IllegalArgumentException("weight of " + cityName + " is negative: use 0 or more");
      }
    }

    /** The network address as a 32-bit integer (big-endian bit order). */
    public int networkAddress() {
      return parseIpv4(cidr.substring(0, cidr.indexOf('/')));
    }

    /** The prefix length, 0 to 32. */
    public int prefixLength() {
      return parsePrefix(cidr);
    }

    /** Whether the dotted-quad IPv4 address lies in this network. */
    public boolean contains(String ipv4) {
      int prefix = prefixLength();
      return (parseIpv4(ipv4) & mask(prefix)) == networkAddress();
    }

    /** Number of addresses in the network. */
    public long size() {
      return 1L << (32 - prefixLength());
    }
  }

  private static final List<Location> LOCATIONS =
      List.of(
          new Location("GB", "United Kingdom", "ENG", "England", "London", "81.2.69.0/24",
              51.5142, -0.0931, "Europe/London", 24),
          new Location("US", "United States", "CA", "California", "San Francisco", "50.204.0.0/16",
              37.7749, -122.4194, "America/Los_Angeles", 17),
          new Location("US", "United States", "NY", "New York", "New York", "74.101.0.0/16",
              40.7128, -74.0060, "America/New_York", 17),
          new Location("DE", "Germany", "BE", "Berlin", "Berlin", "85.214.0.0/16",
              52.5200, 13.4050, "Europe/Berlin", 8),
          new Location("FR", "France", "IDF", "\u00cele-de-France", "Paris", "82.64.0.0/16",
              48.8566, 2.3522, "Europe/Paris", 7),
          new Location("BR", "Brazil", "SP", "S\u00e3o Paulo", "S\u00e3o Paulo", "177.32.0.0/16",
              -23.5505, -46.6333, "America/Sao_Paulo", 5),
          new Location("IN", "India", "MH", "Maharashtra", "Mumbai", "49.36.0.0/16",
              19.0760, 72.8777, "Asia/Kolkata", 6),
          new Location("JP", "Japan", "13", "Tokyo", "Tokyo", "126.0.0.0/16",
              35.6762, 139.6503, "Asia/Tokyo", 5),
          new Location("CA", "Canada", "ON", "Ontario", "Toronto", "99.224.0.0/16",
              43.6532, -79.3832, "America/Toronto", 6),
          new Location("AU", "Australia", "NSW", "New South Wales", "Sydney", "1.144.0.0/16",
              -33.8688, 151.2093, "Australia/Sydney", 5));

  private GeoFixture() {}

  /** All locations, in a fixed order. */
  public static List<Location> locations() {
    return LOCATIONS;
  }

  /** The location whose network contains {@code ipv4}, if any. */
  public static Optional<Location> locate(String ipv4) {
    for (Location location : LOCATIONS) {
      if (location.contains(ipv4)) {
        return Optional.of(location);
      }
    }
    return Optional.empty();
  }

  /** Parses a dotted-quad IPv4 address into a 32-bit integer. */
  static int parseIpv4(String ip) {
    String[] parts = ip.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("'" + ip + "' is not a dotted-quad IPv4 address such as 81.2.69.142");
    }
    int value = 0;
    for (String part : parts) {
      int octet;
      try {
        octet = Integer.parseInt(part);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + ip + "' is not a dotted-quad IPv4 address such as 81.2.69.142", e);
      }
      if (octet < 0 || octet > 255) {
        throw new IllegalArgumentException("'" + ip + "' has an octet outside 0-255");
      }
      value = (value << 8) | octet;
    }
    return value;
  }

  /** Formats a 32-bit integer as a dotted-quad IPv4 address. */
  static String formatIpv4(int ip) {
    return ((ip >>> 24) & 0xFF) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF);
  }

  private static int parsePrefix(String cidr) {
    Objects.requireNonNull(cidr, "cidr");
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + cidr + "' is not a CIDR: write it like 81.2.69.0/24");
    }
    int prefix;
    try {
      prefix = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + cidr + "' is not a CIDR: write it like 81.2.69.0/24", e);
    }
    if (prefix < 0 || prefix > 32) {
      throw new IllegalArgumentException("'" + cidr + "' has a prefix outside 0-32");
    }
    parseIpv4(cidr.substring(0, slash));
    return prefix;
  }

  private static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }
}
