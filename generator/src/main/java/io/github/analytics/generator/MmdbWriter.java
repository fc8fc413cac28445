package io.github.analytics.generator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a MaxMind DB (format 2.0, <a href="https://maxmind.github.io/MaxMind-DB/">specification</a>)
 * of type {@code GeoIP2-City} for IPv4 networks, so geolocation can be tested with the real {@code
 * com.maxmind.geoip2.DatabaseReader} and without a licensed database.
 *
 * <pre>{@code
 * MmdbWriter.writeGeoFixture(Path.of("data/geo/GeoIP2-City-synthetic.mmdb"));
 * try (DatabaseReader reader = new DatabaseReader.Builder(file.toFile()).build()) {
 *   CityResponse london = reader.city(InetAddress.getByName("81.2.69.142")); // GB, ENG, London
 * }
 * }</pre>
 *
 * <p>Layout: a binary search tree over the 32 address bits (record size 24, one node per trie branch;
 * a record is a child node, "no data" ({@code node_count}), or a pointer {@code node_count + 16 + offset}
 * into the data section), 16 zero bytes, the data section, then {@code 0xAB 0xCD 0xEF "MaxMind.com"} and
 * the metadata map. Each location's record is
 *
 * <pre>{@code
 * {"city": {"names": {"en": "London"}},
 *  "country": {"iso_code": "GB", "names": {"en": "United Kingdom"}},
 *  "location": {"accuracy_radius": 20, "latitude": 51.5142, "longitude": -0.0931, "time_zone": "Europe/London"},
 *  "registered_country": {"iso_code": "GB", "names": {"en": "United Kingdom"}},
 *  "subdivisions": [{"iso_code": "ENG", "names": {"en": "England"}}]}
 * }</pre>
 *
 * <p>plus {@code "is_in_european_union": true} in {@code country} for EU members. The output is a pure
 * function of the arguments. Networks must not overlap.
 */
public final class MmdbWriter {
  /** The {@code database_type} in the metadata; geoip2's {@code city()} accepts it. */
  public static final String DATABASE_TYPE = "GeoIP2-City";
  /** The default {@code build_epoch}: 2026-01-01T00:00:00Z, fixed so the file is reproducible. */
  public static final long DEFAULT_BUILD_EPOCH_SECONDS = 1_767_225_600L;

  private static final int RECORD_SIZE = 24;
  private static final int DATA_SECTION_SEPARATOR = 16;
  private static final byte[] METADATA_MARKER = {
    (byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'
  };
  private static final Set<String> EU =
      Set.of("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
          "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE");

  // Data types of the format.
  private static final int UTF8_STRING = 2;
  private static final int DOUBLE = 3;
  private static final int UINT16 = 5;
  private static final int UINT32 = 6;
  private static final int MAP = 7;
  private static final int UINT64 = 9;
  private static final int ARRAY = 11;
  private static final int BOOLEAN = 14;

  private static final int EMPTY = -1;

  private MmdbWriter() {}

  /** Writes the database of every {@link GeoFixture} location to {@code file}, creating directories. */
  public static void writeGeoFixture(Path file) throws IOException {
    writeCity(file, GeoFixture.locations(), DEFAULT_BUILD_EPOCH_SECONDS);
  }

  /** Writes a City database of {@code locations} to {@code file}, creating its parent directories. */
  public static void writeCity(Path file, List<GeoFixture.Location> locations) throws IOException {
    writeCity(file, locations, DEFAULT_BUILD_EPOCH_SECONDS);
  }

  /**
   * Writes a City database of {@code locations} with the given {@code build_epoch} (seconds since the
   * epoch) to {@code file}, creating its parent directories and replacing the file.
   *
   * @throws IllegalArgumentException if two networks overlap or the list is empty
   */
  public static void writeCity(Path file, List<GeoFixture.Location> locations, long buildEpochSeconds)
      throws IOException {
    byte[] bytes = cityDatabase(locations, buildEpochSeconds);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, bytes);
  }

  /** The bytes of a City database of {@code locations}. */
  public static byte[] cityDatabase(List<GeoFixture.Location> locations, long buildEpochSeconds) {
    if (locations.isEmpty()) {
      throw new IllegalArgumentException("No locations: pass at least one, e.g. GeoFixture.locations()");
    }
    if (buildEpochSeconds < 0) {
      throw new IllegalArgumentException("buildEpochSeconds must not be negative");
    }
    // Data section, one record per distinct location, in input order.
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    Map<String, Integer> offsetByContent = new HashMap<>();
    List<Integer> offsets = new ArrayList<>();
    for (GeoFixture.Location location : locations) {
      byte[] record = encode(cityRecord(location));
      String key = new String(record, StandardCharsets.ISO_8859_1);
      Integer offset = offsetByContent.get(key);
      if (offset == null) {
        offset = data.size();
        offsetByContent.put(key, offset);
        data.write(record, 0, record.length);
      }
      offsets.add(offset);
    }

    // Search tree: a binary trie over the network bits; data ids are stored as -(2 + id).
    Tree tree = new Tree();
    for (int i = 0; i < locations.size(); i++) {
      GeoFixture.Location location = locations.get(i);
      tree.insert(location.networkAddress(), location.prefixLength(), i, location.cidr());
    }
    int nodeCount = tree.size();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int node = 0; node < nodeCount; node++) {
      writeRecord(out, tree.resolve(tree.left.get(node), nodeCount, offsets));
      writeRecord(out, tree.resolve(tree.right.get(node), nodeCount, offsets));
    }
    out.write(new byte[DATA_SECTION_SEPARATOR], 0, DATA_SECTION_SEPARATOR);
    byte[] dataBytes = data.toByteArray();
    out.write(dataBytes, 0, dataBytes.length);
    out.write(METADATA_MARKER, 0, METADATA_MARKER.length);
    byte[] metadata = encode(metadata(nodeCount, buildEpochSeconds));
    out.write(metadata, 0, metadata.length);
    return out.toByteArray();
  }

  private static Map<String, Object> cityRecord(GeoFixture.Location location) {
    Map<String, Object> country = new LinkedHashMap<>();
    country.put("iso_code", location.countryIsoCode());
    if (EU.contains(location.countryIsoCode())) {
      country.put("is_in_european_union", Boolean.TRUE);
    }
    country.put("names", Map.of("en", location.countryName()));

    Map<String, Object> place = new LinkedHashMap<>();
    place.put("accuracy_radius", new Uint16(20));
    place.put("latitude", location.latitude());
    place.put("longitude", location.longitude());
    place.put("time_zone", location.timeZone());

    Map<String, Object> subdivision = new LinkedHashMap<>();
    subdivision.put("iso_code", location.subdivisionIsoCode());
    subdivision.put("names", Map.of("en", location.subdivisionName()));

    Map<String, Object> record = new LinkedHashMap<>();
    record.put("city", Map.of("names", Map.of("en", location.cityName())));
    record.put("country", country);
    record.put("location", place);
    record.put("registered_country", country);
    record.put("subdivisions", List.of(subdivision));
    return record;
  }

  private static Map<String, Object> metadata(int nodeCount, long buildEpochSeconds) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("binary_format_major_version", new Uint16(2));
    metadata.put("binary_format_minor_version", new Uint16(0));
    metadata.put("build_epoch", new Uint64(buildEpochSeconds));
    metadata.put("database_type", DATABASE_TYPE);
    metadata.put(
        "description",
        Map.of("en", "Synthetic GeoIP2 City database for the analytics generator's test networks"));
    metadata.put("ip_version", new Uint16(4));
    metadata.put("languages", List.of("en"));
    metadata.put("node_count", new Uint32(nodeCount));
    metadata.put("record_size", new Uint16(RECORD_SIZE));
    return metadata;
  }

  private static void writeRecord(ByteArrayOutputStream out, long value) {
    if (value >= (1L << RECORD_SIZE)) {
      throw new IllegalStateException(
          "Record value " + value + " does not fit in " + RECORD_SIZE + " bits: too many networks");
    }
    out.write((int) (value >>> 16) & 0xFF);
    out.write((int) (value >>> 8) & 0xFF);
    out.write((int) value & 0xFF);
  }

  /** Encodes a value of the data section: String, Double, Boolean, Map, List, Uint16/32/64. */
  static byte[] encode(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    encode(value, out);
    return out.toByteArray();
  }

  private static void encode(Object value, ByteArrayOutputStream out) {
    if (value instanceof String) {
      byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
      control(UTF8_STRING, utf8.length, out);
      out.write(utf8, 0, utf8.length);
    } else if (value instanceof Double) {
      control(DOUBLE, 8, out);
      unsigned(Double.doubleToLongBits((Double) value), 8, out);
    } else if (value instanceof Boolean) {
      control(BOOLEAN, ((Boolean) value) ? 1 : 0, out);
    } else if (value instanceof Uint16) {
      unsignedValue(UINT16, ((Uint16) value).value(), out);
    } else if (value instanceof Uint32) {
      unsignedValue(UINT32, ((Uint32) value).value(), out);
    } else if (value instanceof Uint64) {
      unsignedValue(UINT64, ((Uint64) value).value(), out);
    } else if (value instanceof Map) {
      // Sorted keys: the same map always encodes to the same bytes.
      TreeMap<String, Object> sorted = new TreeMap<>();
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        sorted.put((String) entry.getKey(), entry.getValue());
      }
      control(MAP, sorted.size(), out);
      for (Map.Entry<String, Object> entry : sorted.entrySet()) {
        encode(entry.getKey(), out);
        encode(entry.getValue(), out);
      }
    } else if (value instanceof List) {
      List<?> list = (List<?>) value;
      control(ARRAY, list.size(), out);
      for (Object element : list) {
        encode(element, out);
      }
    } else {
      throw new IllegalArgumentException(
          "Cannot encode " + value + " (" + (value == null ? "null" : value.getClass().getName())
              + "): use String, Double, Boolean, Map, List or an unsigned wrapper");
    }
  }

  private static void unsignedValue(int type, long value, ByteArrayOutputStream out) {
    int length = 0;
    for (long v = value; v != 0; v >>>= 8) {
      length++;
    }
    control(type, length, out);
    unsigned(value, length, out);
  }

  private static void unsigned(long value, int length, ByteArrayOutputStream out) {
    for (int i = length - 1; i >= 0; i--) {
      out.write((int) (value >>> (8 * i)) & 0xFF);
    }
  }

  /** The control byte(s): type in the top three bits (0 plus an extra byte when above 7), then size. */
  static void control(int type, int size, ByteArrayOutputStream out) {
    if (size < 0 || size >= 65_821 + (1 << 24)) {
      throw new IllegalArgumentException("Size " + size + " cannot be encoded");
    }
    int first = type <= 7 ? type << 5 : 0;
    byte[] sizeBytes;
    if (size < 29) {
      first |= size;
      sizeBytes = new byte[0];
    } else if (size < 29 + 256) {
      first |= 29;
      sizeBytes = new byte[] {(byte) (size - 29)};
    } else if (size < 285 + 65_536) {
      first |= 30;
      int rest = size - 285;
      sizeBytes = new byte[] {(byte) (rest >>> 8), (byte) rest};
    } else {
      first |= 31;
      int rest = size - 65_821;
      sizeBytes = new byte[] {(byte) (rest >>> 16), (byte) (rest >>> 8), (byte) rest};
    }
    out.write(first);
    if (type > 7) {
      out.write(type - 7);
    }
    out.write(sizeBytes, 0, sizeBytes.length);
  }

  /** A value to encode as uint16. */
  private record Uint16(int value) {}

  /** A value to encode as uint32. */
  private record Uint32(long value) {}

  /** A value to encode as uint64. */
  private record Uint64(long value) {}

  /** The binary trie of the search tree. */
  private static final class Tree {
    final List<Integer> left = new ArrayList<>();
    final List<Integer> right = new ArrayList<>();

    Tree() {
      allocate();
    }

    int size() {
      return left.size();
    }

    private int allocate() {
      left.add(EMPTY);
      right.add(EMPTY);
      return left.size() - 1;
    }

    void insert(int network, int prefix, int dataId, String cidr) {
      if (prefix < 1) {
        throw new IllegalArgumentException(
            cidr + " covers every address: use networks with a prefix of at least 1");
      }
      int node = 0;
      for (int depth = 0; depth < prefix; depth++) {
        boolean one = ((network >>> (31 - depth)) & 1) == 1;
        List<Integer> side = one ? right : left;
        int record = side.get(node);
        if (depth == prefix - 1) {
          if (record != EMPTY) {
            throw new IllegalArgumentException(cidr + " overlaps another network: remove one of them");
          }
          side.set(node, -(2 + dataId));
        } else if (record == EMPTY) {
          int child = allocate();
          side.set(node, child);
          node = child;
        } else if (record < EMPTY) {
          throw new IllegalArgumentException(cidr + " overlaps another network: remove one of them");
        } else {
          node = record;
        }
      }
    }

    long resolve(int record, int nodeCount, List<Integer> offsets) {
      if (record == EMPTY) {
        return nodeCount;
      }
      if (record >= 0) {
        return record;
      }
      return (long) nodeCount + DATA_SECTION_SEPARATOR + offsets.get(-(record + 2));
    }
  }
}
