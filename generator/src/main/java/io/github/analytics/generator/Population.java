package io.github.analytics.generator;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** The synthetic users of a run, fixed for the whole day. */
final class Population {
  private static final long MINUTE = 60_000L;
  private static final double SKEWED_CLOCK_SHARE = 0.03;
  private static final long MAX_SKEW = 10 * MINUTE;

  private Population() {}

  /** The day's users, drawn from {@code r}: platform, version, agent, place, address, clock skew, activity. */
  static User[] of(GeneratorConfig config, SplittableRandom r) {
    Weighted.Builder<GeoFixture.Location> places = Weighted.builder();
    for (GeoFixture.Location location : GeoFixture.locations()) {
      if (location.weight() > 0) {
        places.add(location.weight(), location);
      }
    }
    Weighted<GeoFixture.Location> geo = places.build();
    User[] users = new User[config.users()];
    Map<String, String> agents = new HashMap<>();
    for (int i = 0; i < users.length; i++) {
      GeoFixture.Location location = geo.pick(r);
      String platform = Catalog.PLATFORMS.pick(r);
      String version = Catalog.APP_VERSIONS.get(platform).pick(r);
      String template = Catalog.USER_AGENTS.get(platform).pick(r);
      String agent = agents.computeIfAbsent(template + "|" + version, k -> template.replace("{v}", version));
      long skew = 0;
      if (r.nextDouble() < SKEWED_CLOCK_SHARE) {
        skew = r.nextLong(-MAX_SKEW, MAX_SKEW + 1);
      }
      // Heavy-tailed activity: most users are occasional, a few are very active.
      double activity = 0.05 + 0.95 * Math.pow(r.nextDouble(), 3);
      users[i] =
          new User(
              i,
              userId(i + 1),
              platform,
              version,
              agent,
              location,
              GeoFixture.formatIpv4(hostIn(location, r)),
              skew,
              activity);
    }
    return users;
  }

  /** {@code u000123}: at least six digits. */
  private static String userId(int number) {
    String digits = Integer.toString(number);
    return digits.length() >= 6 ? "u" + digits : "u" + "000000".substring(digits.length()) + digits;
  }

  /** A host address in the network, never its first or last address nor one ending in .0 or .255. */
  private static int hostIn(GeoFixture.Location location, SplittableRandom r) {
    long size = location.size();
    if (size < 4) {
      return location.networkAddress();
    }
    while (true) {
      int host = location.networkAddress() + (int) (1 + r.nextLong(size - 2));
      int last = host & 0xFF;
      if (last != 0 && last != 255) {
        return host;
      }
    }
  }
}
