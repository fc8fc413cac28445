package io.github.analytics.transforms.ingest;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds geolocation (country, region, city) from {@code client_ip} and the device (type, OS, browser)
 * from {@code user_agent}. Every field it cannot determine becomes {@link Event#UNKNOWN}; a failed
 * lookup is counted and never loses the event, so the output has exactly the input's events.
 *
 * <p>Geolocation needs a MaxMind-format City database ({@code .mmdb}, GeoIP2 or GeoLite2 City); without
 * one the location fields are {@link Event#UNKNOWN}. Lookups are cached per worker: MaxMind's node cache
 * and YAUAA's result cache ({@link #withUserAgentCacheSize}, default {@value
 * #DEFAULT_USER_AGENT_CACHE_SIZE} entries).
 *
 * <p>Windowing and timestamps pass through unchanged.
 *
 * <pre>{@code
 * PCollection<Event> enriched = events.apply("EnrichEvents",
 *     EnrichEvents.of().withGeoDatabase("s3://my-bucket/GeoLite2-City.mmdb"));
 * }</pre>
 */
public final class EnrichEvents extends PTransform<PCollection<Event>, PCollection<Event>> {
  private static final long serialVersionUID = 1L;

  /** Distinct user agents are few next to events; this covers a busy day's long tail. */
  public static final int DEFAULT_USER_AGENT_CACHE_SIZE = 50_000;

  private final @Nullable String geoDatabase;
  private final int userAgentCacheSize;

  private EnrichEvents(@Nullable String geoDatabase, int userAgentCacheSize) {
    this.geoDatabase = geoDatabase;
    this.userAgentCacheSize = userAgentCacheSize;
  }

  /** Enriches without geolocation (until {@link #withGeoDatabase} is given). */
  public static EnrichEvents of() {
    return new EnrichEvents(null, DEFAULT_USER_AGENT_CACHE_SIZE);
  }

  /** Looks up locations in the MaxMind City database at {@code path} (any Beam file system). */
  public EnrichEvents withGeoDatabase(@Nullable String path) {
    return new EnrichEvents(path == null || path.isBlank() ? null : path, userAgentCacheSize);
  }

  public EnrichEvents withUserAgentCacheSize(int entries) {
    return new EnrichEvents(geoDatabase, entries);
  }

  /**
   * Builds this JVM's shared user-agent analyzer now (10 to 15 s), so that an embedded runner, whose
   * workers share the launcher's JVM, does not build it while the first events wait.
   */
  public static void warmUp(int userAgentCacheSize) {
    UserAgentLookup.shared(userAgentCacheSize);
  }

  @Override
  public PCollection<Event> expand(PCollection<Event> input) {
    if (userAgentCacheSize < 0) {
      throw new IllegalArgumentException(
          "EnrichEvents needs a user-agent cache size of 0 or more, got " + userAgentCacheSize);
    }
    return input
        .apply("LookUpGeoAndDevice", ParDo.of(new EnrichFn(geoDatabase, userAgentCacheSize)))
        .setCoder(input.getCoder());
  }

  /** Looks up both enrichments for one event; counts, and never drops, what it cannot find. */
  static final class EnrichFn extends DoFn<Event, Event> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EnrichFn.class);
    /** Addresses remembered per worker thread in front of the database. */
    private static final int RECENT_IPS = 100_000;
    /** User agents remembered per worker thread in front of YAUAA's own cache. */
    private static final int RECENT_AGENTS = 20_000;
    private static final UserAgentLookup.Device UNKNOWN_DEVICE =
        new UserAgentLookup.Device(Event.UNKNOWN, Event.UNKNOWN, Event.UNKNOWN);

    private final @Nullable String geoDatabase;
    private final int userAgentCacheSize;
    private final Counter geoFound = PipelineCounters.counter(PipelineCounters.GEO_FOUND);
    private final Counter geoNotFound = PipelineCounters.counter(PipelineCounters.GEO_NOT_FOUND);
    private final Counter geoInvalidIp = PipelineCounters.counter(PipelineCounters.GEO_INVALID_IP);
    private final Counter geoFailed = PipelineCounters.counter(PipelineCounters.GEO_LOOKUP_FAILED);
    private final Counter uaUnknown = PipelineCounters.counter(PipelineCounters.USER_AGENT_UNKNOWN);
    private final Counter uaFailed =
        PipelineCounters.counter(PipelineCounters.USER_AGENT_LOOKUP_FAILED);

    private transient @Nullable GeoLookup geo;
    private transient UserAgentLookup userAgents;
    // In front of the shared lookups: no locking, no re-decoding of the database's records, no
    // re-reading of YAUAA's result. An app's clients repeat their address and user agent on every event.
    private transient Map<String, GeoLookup.Result> recentIps;
    private transient Map<String, UserAgentLookup.Device> recentAgents;

    EnrichFn(@Nullable String geoDatabase, int userAgentCacheSize) {
      this.geoDatabase = geoDatabase;
      this.userAgentCacheSize = userAgentCacheSize;
    }

    @Setup
    public void setup() {
      geo = geoDatabase == null ? null : GeoLookup.shared(geoDatabase);
      userAgents = UserAgentLookup.shared(userAgentCacheSize);
      recentIps = lru(RECENT_IPS);
      recentAgents = lru(Math.max(1, Math.min(userAgentCacheSize, RECENT_AGENTS)));
    }

    /** A map that forgets its least recently used entry beyond {@code size}; one thread's own. */
    private static <V> Map<String, V> lru(int size) {
      return new LinkedHashMap<>(Math.min(size, 1 << 16), 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
          return size() > size;
        }
      };
    }

    @ProcessElement
    public void processElement(@Element Event event, OutputReceiver<Event> out) {
      GeoLookup.Location location = GeoLookup.UNKNOWN_LOCATION;
      if (geo != null && event.getClientIp() != null) {
        try {
          GeoLookup.Result result = recentIps.get(event.getClientIp());
          if (result == null) {
            result = geo.lookup(event.getClientIp());
            recentIps.put(event.getClientIp(), result);
          }
          location = result.location();
          switch (result.status()) {
            case FOUND -> geoFound.inc();
            case NOT_FOUND -> geoNotFound.inc();
            case INVALID_IP -> geoInvalidIp.inc();
          }
        } catch (Exception e) {
          geoFailed.inc();
          LOG.warn("GeoIP lookup failed for event {}; location set to unknown", event.getEventId(), e);
        }
      }
      UserAgentLookup.Device device = UNKNOWN_DEVICE;
      if (event.getUserAgent() != null) {
        try {
          UserAgentLookup.Device known = recentAgents.get(event.getUserAgent());
          if (known == null) {
            known = userAgents.lookup(event.getUserAgent());
            recentAgents.put(event.getUserAgent(), known);
          }
          device = known;
        } catch (RuntimeException e) {
          uaFailed.inc();
          LOG.warn("User-agent lookup failed for event {}; device set to unknown",
              event.getEventId(), e);
        }
      }
      if (Event.UNKNOWN.equals(device.deviceType())) {
        uaUnknown.inc();
      }
      out.output(
          event.toBuilder()
              .setCountry(location.country())
              .setRegion(location.region())
              .setCity(location.city())
              .setDeviceType(device.deviceType())
              .setOs(device.os())
              .setBrowser(device.browser())
              .build());
    }
  }
}
