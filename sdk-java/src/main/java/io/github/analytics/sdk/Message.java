package io.github.analytics.sdk;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One call of Segment's tracking API ({@code track}, {@code page}, {@code screen}, {@code identify}),
 * as the collector accepts it. Immutable: each {@code withX} returns a copy.
 *
 * <p>Every message gets its {@code messageId} (a random UUID) and its {@code timestamp} (the app's
 * clock) when it is made, so a batch sent again after a failure carries the same ids, and the
 * pipeline's dedupe counts it once.
 *
 * <pre>{@code
 * analytics.enqueue(Message.track("user-42", "Order Completed").withProperties(Map.of("revenue", 19.99)));
 * }</pre>
 */
public final class Message {
  private final String type;
  private final String userId;
  private final String anonymousId;
  private final String name;
  private final Map<String, Object> fields;
  private final Instant timestamp;
  private final String messageId;

  private Message(String type, String userId, String anonymousId, String name, Map<String, Object> fields,
      Instant timestamp, String messageId) {
    this.type = type;
    this.userId = userId;
    this.anonymousId = anonymousId;
    this.name = name;
    this.fields = fields;
    this.timestamp = timestamp;
    this.messageId = messageId;
  }

  private static Message of(String type, String userId, String name) {
    return new Message(type, userId, null, name, Map.of(), Instant.now(), UUID.randomUUID().toString());
  }

  /** Something {@code userId} did, e.g. {@code "Order Completed"}. */
  public static Message track(String userId, String event) {
    return of("track", userId, requireText(event, "event"));
  }

  /** A web page {@code userId} viewed, e.g. {@code "Pricing"}. */
  public static Message page(String userId, String name) {
    return of("page", userId, name);
  }

  /** A mobile screen {@code userId} viewed. */
  public static Message screen(String userId, String name) {
    return of("screen", userId, name);
  }

  /** Who {@code userId} is; the traits go with {@link #withTraits}. */
  public static Message identify(String userId) {
    return of("identify", userId, null);
  }

  /** The event's properties ({@code track}, {@code page}, {@code screen}); copied. */
  public Message withProperties(Map<String, ?> properties) {
    return withField("properties", properties);
  }

  /** The user's traits ({@code identify}); copied. */
  public Message withTraits(Map<String, ?> traits) {
    return withField("traits", traits);
  }

  /** The visitor's id before they sign in; a message needs a user id, an anonymous id or both. */
  public Message withAnonymousId(String id) {
    return new Message(type, userId, id, name, fields, timestamp, messageId);
  }

  /** When it happened by the app's clock (default: when the message was made). */
  public Message withTimestamp(Instant time) {
    return new Message(type, userId, anonymousId, name, fields, Objects.requireNonNull(time, "time"), messageId);
  }

  /** An id of the app's own, for a message it may send twice (default: a random UUID). */
  public Message withMessageId(String id) {
    return new Message(type, userId, anonymousId, name, fields, timestamp, requireText(id, "messageId"));
  }

  /** Segment's {@code context} object (app, device, os, locale ...); copied. */
  public Message withContext(Map<String, ?> context) {
    return withField("context", context);
  }

  public String type() {
    return type;
  }

  public String messageId() {
    return messageId;
  }

  public Instant timestamp() {
    return timestamp;
  }

  /** The JSON object the collector reads, as a map Jackson writes. */
  Map<String, Object> toJson() {
    if (userId == null && anonymousId == null) {
      throw new IllegalArgumentException("A " + type + " message needs a userId or an anonymousId"
          + " (Message." + type + "(userId, ...) or withAnonymousId)");
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("type", type);
    json.put("messageId", messageId);
    json.put("timestamp", timestamp.toString());
    if (userId != null) {
      json.put("userId", userId);
    }
    if (anonymousId != null) {
      json.put("anonymousId", anonymousId);
    }
    if (name != null) {
      json.put(type.equals("track") ? "event" : "name", name);
    }
    json.putAll(fields);
    return json;
  }

  private Message withField(String field, Map<String, ?> value) {
    Map<String, Object> copy = new LinkedHashMap<>(fields);
    copy.put(field, Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(value, field))));
    return new Message(type, userId, anonymousId, name, Collections.unmodifiableMap(copy), timestamp, messageId);
  }

  private static String requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("The " + what + " must not be empty");
    }
    return value;
  }

  @Override
  public String toString() {
    return type + " " + messageId + " (user " + (userId != null ? userId : anonymousId) + ")";
  }
}
