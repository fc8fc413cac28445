package io.github.analytics.transforms.ingest;

import com.maxmind.db.CHMCache;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.record.Subdivision;
import io.github.analytics.schemas.Event;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.Channels;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Country, region and city from an IP address, through a MaxMind-format City database ({@code .mmdb}).
 *
 * <p>The database is read through Beam's file systems, so it may live on a local path, {@code s3://} or
 * {@code gs://}; it is loaded into memory once per worker JVM and path, and shared by all threads
 * (MaxMind's reader is thread-safe), with a node cache in front of it.
 */
final class GeoLookup {
  /** The location of one IP; each field is a value or {@code Event.UNKNOWN}. */
  record Location(String country, String region, String city) {}

  /** What a lookup found. */
  enum Status {
    FOUND,
    NOT_FOUND,
    INVALID_IP
  }

  record Result(Status status, Location location) {}

  static final Location UNKNOWN_LOCATION = new Location(Event.UNKNOWN, Event.UNKNOWN, Event.UNKNOWN);

  private static final Pattern IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");
  private static final Pattern IPV6 = Pattern.compile("^[0-9a-fA-F:.]+$");
  private static final Map<String, DatabaseReader> READERS = new HashMap<>();

  private final DatabaseReader reader;

  private GeoLookup(DatabaseReader reader) {
    this.reader = reader;
  }

  /** The worker's shared lookup for the database at {@code path}, loaded on first use. */
  static GeoLookup shared(String path) {
    synchronized (READERS) {
      DatabaseReader reader = READERS.get(path);
      if (reader == null) {
        reader = open(path);
        READERS.put(path, reader);
      }
      return new GeoLookup(reader);
    }
  }

  private static DatabaseReader open(String path) {
    try {
      MatchResult.Metadata file = FileSystems.matchSingleFileSpec(path);
      try (InputStream in = Channels.newInputStream(FileSystems.open(file.resourceId()))) {
        return new DatabaseReader.Builder(in).withCache(new CHMCache()).build();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot open the GeoIP database at "
              + path
              + ": give the path of a GeoIP2/GeoLite2 City .mmdb file, or leave it unset to skip"
              + " geolocation",
          e);
    }
  }

  /** Looks up one address; never throws for bad input, only for a broken database. */
  Result lookup(String ip) throws IOException {
    // Only literal addresses: InetAddress.getByName would resolve a host name over DNS.
    if (!(IPV4.matcher(ip).matches() || (ip.indexOf(':') >= 0 && IPV6.matcher(ip).matches()))) {
      return new Result(Status.INVALID_IP, UNKNOWN_LOCATION);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      return new Result(Status.INVALID_IP, UNKNOWN_LOCATION);
    }
    Optional<CityResponse> response;
    try {
      response = reader.tryCity(address);
    } catch (com.maxmind.geoip2.exception.GeoIp2Exception e) {
      return new Result(Status.NOT_FOUND, UNKNOWN_LOCATION);
    }
    if (response.isEmpty()) {
      return new Result(Status.NOT_FOUND, UNKNOWN_LOCATION);
    }
    CityResponse city = response.get();
    Subdivision subdivision = city.getMostSpecificSubdivision();
    return new Result(
        Status.FOUND,
        new Location(
            orUnknown(city.getCountry() == null ? null : city.getCountry().getIsoCode()),
            orUnknown(subdivision == null ? null : subdivision.getIsoCode()),
            orUnknown(city.getCity() == null ? null : city.getCity().getName())));
  }

  private static String orUnknown(String value) {
    return value == null || value.isEmpty() ? Event.UNKNOWN : value;
  }
}
