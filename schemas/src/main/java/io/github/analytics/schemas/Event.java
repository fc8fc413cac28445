package io.github.analytics.schemas;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A valid product event: the fields the client sent, the collector's context, and the enrichment.
 *
 * <p>Parsing fills the client and collector fields; the enrichment fields ({@code country} to {@code
 * browser}) are null until {@code EnrichEvents} runs, which sets each to a value or to {@link #UNKNOWN}.
 * Beam infers the schema from the getters; the field names are the snake_case column names used by
 * every sink.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class Event implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The value an enrichment field takes when it cannot be determined. */
  public static final String UNKNOWN = "unknown";

  /** A UUID chosen by the client; retries of one event share it. Lower case, canonical form. */
  @SchemaFieldNumber("0")
  @SchemaFieldName("event_id")
  public abstract String getEventId();

  /** For example {@code page_view}, {@code click}, {@code add_to_cart}, {@code purchase}, {@code error}. */
  @SchemaFieldNumber("1")
  @SchemaFieldName("event_type")
  public abstract String getEventType();

  @SchemaFieldNumber("2")
  @SchemaFieldName("user_id")
  public abstract String getUserId();

  /** The session as the client saw it; the platform also computes sessions of its own. */
  @SchemaFieldNumber("3")
  @SchemaFieldName("session_id")
  public abstract String getSessionId();

  /** Free-form event properties: a JSON object, in compact form. */
  @SchemaFieldNumber("4")
  @SchemaFieldName("properties")
  public abstract String getProperties();

  /** When the client says the event happened, by its own clock. */
  @SchemaFieldNumber("5")
  @SchemaFieldName("client_timestamp")
  public abstract Instant getClientTimestamp();

  /** When the collector received the event, if it said so. */
  @SchemaFieldNumber("6")
  @SchemaFieldName("server_timestamp")
  public abstract @Nullable Instant getServerTimestamp();

  /**
   * Event time: the timestamp that windows use in both layers. It is {@code client_timestamp}, but
   * never later than the time the event was received, so a client clock running fast cannot push
   * events into the future.
   */
  @SchemaFieldNumber("7")
  @SchemaFieldName("event_timestamp")
  public abstract Instant getEventTimestamp();

  @SchemaFieldNumber("8")
  @SchemaFieldName("app_version")
  public abstract @Nullable String getAppVersion();

  /** For example {@code web}, {@code ios}, {@code android}. */
  @SchemaFieldNumber("9")
  @SchemaFieldName("platform")
  public abstract String getPlatform();

  /** The client's IP address as the collector saw it; the source of geolocation. */
  @SchemaFieldNumber("10")
  @SchemaFieldName("client_ip")
  public abstract @Nullable String getClientIp();

  /** The client's User-Agent header; the source of device type, OS and browser. */
  @SchemaFieldNumber("11")
  @SchemaFieldName("user_agent")
  public abstract @Nullable String getUserAgent();

  /** When the record reached the platform (collector or broker). */
  @SchemaFieldNumber("12")
  @SchemaFieldName("received_at")
  public abstract Instant getReceivedAt();

  /** ISO 3166-1 alpha-2 country code, or {@link #UNKNOWN}. */
  @SchemaFieldNumber("13")
  @SchemaFieldName("country")
  public abstract @Nullable String getCountry();

  /** ISO 3166-2 subdivision code (without the country prefix), or {@link #UNKNOWN}. */
  @SchemaFieldNumber("14")
  @SchemaFieldName("region")
  public abstract @Nullable String getRegion();

  /** City name in English, or {@link #UNKNOWN}. */
  @SchemaFieldNumber("15")
  @SchemaFieldName("city")
  public abstract @Nullable String getCity();

  /** Lower case device class: {@code desktop}, {@code phone}, {@code tablet}, ... or {@link #UNKNOWN}. */
  @SchemaFieldNumber("16")
  @SchemaFieldName("device_type")
  public abstract @Nullable String getDeviceType();

  /** Operating system name, for example {@code iOS}, or {@link #UNKNOWN}. */
  @SchemaFieldNumber("17")
  @SchemaFieldName("os")
  public abstract @Nullable String getOs();

  /** Browser or app name, for example {@code Chrome}, or {@link #UNKNOWN}. */
  @SchemaFieldNumber("18")
  @SchemaFieldName("browser")
  public abstract @Nullable String getBrowser();

  public static Builder builder() {
    return new AutoValue_Event.Builder();
  }

  public abstract Builder toBuilder();

  /** Builds an {@link Event}; parsing sets the client fields, enrichment the rest. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setEventId(String value);

    public abstract Builder setEventType(String value);

    public abstract Builder setUserId(String value);

    public abstract Builder setSessionId(String value);

    public abstract Builder setProperties(String value);

    public abstract Builder setClientTimestamp(Instant value);

    public abstract Builder setServerTimestamp(@Nullable Instant value);

    public abstract Builder setEventTimestamp(Instant value);

    public abstract Builder setAppVersion(@Nullable String value);

    public abstract Builder setPlatform(String value);

    public abstract Builder setClientIp(@Nullable String value);

    public abstract Builder setUserAgent(@Nullable String value);

    public abstract Builder setReceivedAt(Instant value);

    public abstract Builder setCountry(@Nullable String value);

    public abstract Builder setRegion(@Nullable String value);

    public abstract Builder setCity(@Nullable String value);

    public abstract Builder setDeviceType(@Nullable String value);

    public abstract Builder setOs(@Nullable String value);

    public abstract Builder setBrowser(@Nullable String value);

    public abstract Event build();
  }
}
