package io.github.analytics.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Limits and lookups of the shared ingest path (parse, deduplicate, enrich); the same in both layers. */
public interface IngestOptions extends PipelineOptions {
  @Description("Payloads larger than this many bytes are dead-lettered as PAYLOAD_TOO_LARGE.")
  @Default.Integer(65536)
  int getMaxPayloadBytes();

  void setMaxPayloadBytes(int value);

  @Description(
      "A 'properties' object larger than this many bytes (compact JSON) is dead-lettered as"
          + " PROPERTIES_TOO_LARGE.")
  @Default.Integer(16384)
  int getMaxPropertiesBytes();

  void setMaxPropertiesBytes(int value);

  @Description(
      "How many hours before its arrival an event's client_timestamp may lie (offline clients buffer);"
          + " older ones are dead-lettered as TIMESTAMP_OUT_OF_RANGE.")
  @Default.Integer(720)
  int getMaxClientClockPastHours();

  void setMaxClientClockPastHours(int value);

  @Description(
      "How many hours after its arrival an event's client_timestamp may lie before it is dead-lettered"
          + " as TIMESTAMP_OUT_OF_RANGE. Within this bound, event time is capped at the arrival time.")
  @Default.Integer(24)
  int getMaxClientClockFutureHours();

  void setMaxClientClockFutureHours(int value);

  @Description(
      "Events repeating an event_id seen within this many hours of event time are dropped as"
          + " duplicates (and counted).")
  @Default.Integer(24)
  int getDedupeHorizonHours();

  void setDedupeHorizonHours(int value);

  @Description(
      "MaxMind-format City database (.mmdb: GeoIP2 or GeoLite2 City) for geolocation, on any Beam file"
          + " system. Unset: country, region and city are 'unknown'.")
  String getGeoDatabase();

  void setGeoDatabase(String value);

  @Description("Entries in each worker's user-agent lookup cache.")
  @Default.Integer(50000)
  int getUserAgentCacheSize();

  void setUserAgentCacheSize(int value);
}
