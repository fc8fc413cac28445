package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GeoFixtureTest {
  @Test
  void londonUsesMaxMindsTestNetwork() {
    GeoFixture.Location london = GeoFixture.locate("81.2.69.142").orElseThrow();
    assertEquals("GB", london.countryIsoCode());
    assertEquals("ENG", london.subdivisionIsoCode());
    assertEquals("London", london.cityName());
    assertEquals("81.2.69.0/24", london.cidr());
    assertFalse(GeoFixture.locate("10.1.2.3").isPresent());
  }

  @Test
  void networksDoNotOverlapAndUsAndGbDominate() {
    List<GeoFixture.Location> locations = GeoFixture.locations();
    assertTrue(locations.size() >= 10);
    Map<String, Integer> weightByCountry = new HashMap<>();
    int total = 0;
    for (GeoFixture.Location a : locations) {
      assertTrue(a.prefixLength() == 16 || a.prefixLength() == 24, a.cidr());
      for (GeoFixture.Location b : locations) {
        if (a != b) {
          assertFalse(a.contains(GeoFixture.formatIpv4(b.networkAddress())), a + " / " + b);
        }
      }
      weightByCountry.merge(a.countryIsoCode(), a.weight(), Integer::sum);
      total += a.weight();
    }
    int usAndGb = weightByCountry.get("US") + weightByCountry.get("GB");
    assertTrue(usAndGb * 2 > total, "US+GB weight " + usAndGb + " of " + total);
    for (Map.Entry<String, Integer> e : weightByCountry.entrySet()) {
      if (!e.getKey().equals("US") && !e.getKey().equals("GB")) {
        assertTrue(e.getValue() < weightByCountry.get("GB"), e.toString());
      }
    }
  }

  @Test
  void badNetworksAreRejectedWithAHint() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new GeoFixture.Location("GB", "United Kingdom", "ENG", "England", "London",
                "81.2.69.1/24", 0, 0, "Europe/London", 1));
    assertTrue(e.getMessage().contains("host bits"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new GeoFixture.Location("GB", "United Kingdom", "ENG", "England", "London",
            "81.2.69.0", 0, 0, "Europe/London", 1));
  }
}
