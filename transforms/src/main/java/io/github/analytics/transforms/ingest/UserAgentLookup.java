package io.github.analytics.transforms.ingest;

import java.util.Locale;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Device type, OS and browser from a User-Agent header, through YAUAA.
 *
 * <p>Building the analyzer takes about two seconds and a few hundred MB, so one analyzer is shared by
 * every thread of a worker JVM (YAUAA synchronises its parse and serves repeats from its own cache).
 */
final class UserAgentLookup {
  /** The parsed fields of one User-Agent; each is a value or {@code Event.UNKNOWN}. */
  record Device(String deviceType, String os, String browser) {}

  private static final Object LOCK = new Object();
  private static @Nullable UserAgentAnalyzer shared;
  private static int sharedCacheSize;

  private final UserAgentAnalyzer analyzer;

  private UserAgentLookup(UserAgentAnalyzer analyzer) {
    this.analyzer = analyzer;
  }

  /** The worker's shared lookup; built on first use with the given cache size. */
  static UserAgentLookup shared(int cacheSize) {
    synchronized (LOCK) {
      if (shared == null || sharedCacheSize != cacheSize) {
        shared =
            UserAgentAnalyzer.newBuilder()
                .hideMatcherLoadStats()
                .dropTests()
                .withCache(cacheSize)
                .withField(UserAgent.DEVICE_CLASS)
                .withField(UserAgent.OPERATING_SYSTEM_NAME)
                .withField(UserAgent.AGENT_NAME)
                .build();
        sharedCacheSize = cacheSize;
      }
      return new UserAgentLookup(shared);
    }
  }

  Device lookup(String userAgent) {
    UserAgent parsed = analyzer.parse(userAgent);
    return new Device(
        normalize(parsed.getValue(UserAgent.DEVICE_CLASS)).toLowerCase(Locale.ROOT).replace(' ', '_'),
        normalize(parsed.getValue(UserAgent.OPERATING_SYSTEM_NAME)),
        normalize(parsed.getValue(UserAgent.AGENT_NAME)));
  }

  private static String normalize(@Nullable String value) {
    if (value == null
        || value.isEmpty()
        || value.equals("Unknown")
        || value.equals("??")
        || value.startsWith("Unknown ")) {
      return io.github.analytics.schemas.Event.UNKNOWN;
    }
    return value;
  }
}
