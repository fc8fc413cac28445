package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.AddressNotFoundException;
import com.maxmind.geoip2.model.CityResponse;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MmdbWriterTest {
  @TempDir Path dir;

  @Test
  void geoip2ReadsTheFixtureDatabase() throws Exception {
    Path file = dir.resolve("geo/GeoIP2-City-synthetic.mmdb");
    MmdbWriter.writeGeoFixture(file);
    try (DatabaseReader reader = new DatabaseReader.Builder(file.toFile()).build()) {
      CityResponse london = reader.city(InetAddress.getByName("81.2.69.142"));
      assertEquals("GB", london.getCountry().getIsoCode());
      assertEquals("United Kingdom", london.getCountry().getName());
      assertEquals("London", london.getCity().getName());
      assertEquals("ENG", london.getMostSpecificSubdivision().getIsoCode());
      assertEquals("England", london.getMostSpecificSubdivision().getName());
      assertEquals("Europe/London", london.getLocation().getTimeZone());
      assertEquals(51.5142, london.getLocation().getLatitude(), 1e-9);
      assertEquals(20, london.getLocation().getAccuracyRadius());
      assertFalse(london.getCountry().isInEuropeanUnion());
      assertEquals("81.2.69.0/24", london.getTraits().getNetwork().toString());

      CityResponse newYork = reader.city(InetAddress.getByName("74.101.200.7"));
      assertEquals("US", newYork.getCountry().getIsoCode());
      assertEquals("NY", newYork.getMostSpecificSubdivision().getIsoCode());
      assertEquals("New York", newYork.getCity().getName());

      CityResponse saoPaulo = reader.city(InetAddress.getByName("177.32.255.254"));
      assertEquals("S\u00e3o Paulo", saoPaulo.getCity().getName());
      CityResponse paris = reader.city(InetAddress.getByName("82.64.0.1"));
      assertEquals("\u00cele-de-France", paris.getMostSpecificSubdivision().getName());
      assertTrue(paris.getCountry().isInEuropeanUnion());
      CityResponse tokyo = reader.city(InetAddress.getByName("126.0.1.2"));
      assertEquals("13", tokyo.getMostSpecificSubdivision().getIsoCode());

      assertThrows(AddressNotFoundException.class, () -> reader.city(InetAddress.getByName("10.0.0.1")));
      assertFalse(reader.tryCity(InetAddress.getByName("81.2.70.1")).isPresent());
      assertFalse(reader.tryCity(InetAddress.getByName("81.2.68.255")).isPresent());

      assertEquals("GeoIP2-City", reader.getMetadata().getDatabaseType());
      assertEquals(List.of("en"), reader.getMetadata().getLanguages());
      assertEquals(4, reader.getMetadata().getIpVersion());
      assertEquals(2, reader.getMetadata().getBinaryFormatMajorVersion());
      assertEquals(MmdbWriter.DEFAULT_BUILD_EPOCH_SECONDS * 1000, reader.getMetadata().getBuildDate().getTime());
    }
  }

  @Test
  void everyGeneratedIpResolvesToItsFixtureLocation() throws Exception {
    Path file = dir.resolve("city.mmdb");
    MmdbWriter.writeGeoFixture(file);
    ObjectMapper mapper = new ObjectMapper();
    GeneratorConfig config =
        GeneratorConfig.forDay(LocalDate.of(2026, 11, 27)).withEvents(5_000).withUsers(1_000).withMalformedShare(0);
    int checked = 0;
    try (DatabaseReader reader = new DatabaseReader.Builder(file.toFile()).build()) {
      Iterator<GeneratedRecord> records = EventGenerator.of(config).iterator();
      while (records.hasNext()) {
        String ip = mapper.readTree(records.next().payload()).get("client_ip").asText();
        GeoFixture.Location expected = GeoFixture.locate(ip).orElseThrow();
        CityResponse city = reader.city(InetAddress.getByName(ip));
        assertEquals(expected.countryIsoCode(), city.getCountry().getIsoCode(), ip);
        assertEquals(expected.subdivisionIsoCode(), city.getMostSpecificSubdivision().getIsoCode(), ip);
        assertEquals(expected.cityName(), city.getCity().getName(), ip);
        checked++;
      }
    }
    assertTrue(checked > 4_000);
  }

  @Test
  void longStringsUseEverySizeForm() throws Exception {
    // Sizes around the control byte thresholds: < 29, 29 + 1 byte, 285 + 2 bytes, 65,821 + 3 bytes.
    int[] lengths = {28, 29, 284, 285, 65_820, 65_821, 70_000};
    List<GeoFixture.Location> locations = new ArrayList<>();
    for (int i = 0; i < lengths.length; i++) {
      locations.add(
          new GeoFixture.Location("GB", "United Kingdom", "ENG", "England", "x".repeat(lengths[i]),
              "10.0." + i + ".0/24", 51.5, -0.1, "Europe/London", 1));
    }
    Path file = dir.resolve("long.mmdb");
    MmdbWriter.writeCity(file, locations);
    try (DatabaseReader reader = new DatabaseReader.Builder(file.toFile()).build()) {
      for (int i = 0; i < lengths.length; i++) {
        CityResponse city = reader.city(InetAddress.getByName("10.0." + i + ".9"));
        assertEquals(lengths[i], city.getCity().getName().length(), "length " + lengths[i]);
      }
    }
  }

  @Test
  void overlappingNetworksAreRejected() {
    GeoFixture.Location wide =
        new GeoFixture.Location("GB", "United Kingdom", "ENG", "England", "London", "81.2.0.0/16",
            0, 0, "Europe/London", 1);
    GeoFixture.Location narrow = GeoFixture.locate("81.2.69.1").orElseThrow();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> MmdbWriter.cityDatabase(List.of(wide, narrow), 0));
    assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> MmdbWriter.cityDatabase(List.of(narrow, wide), 0));
    assertThrows(IllegalArgumentException.class, () -> MmdbWriter.cityDatabase(List.of(), 0));
  }

  @Test
  void outputIsReproducible() throws Exception {
    Path a = dir.resolve("a.mmdb");
    Path b = dir.resolve("b.mmdb");
    MmdbWriter.writeGeoFixture(a);
    MmdbWriter.writeGeoFixture(b);
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
  }
}
