package io.github.analytics.generator;

import org.checkerframework.checker.nullness.qual.Nullable;

/** The type-specific content of one event before it is serialized. Fields unused by a type stay null. */
final class EventDraft {
  final String type;
  final long trueTimeMillis;
  final boolean anomalous;
  @Nullable String page;
  /** An external referrer URL; empty for direct traffic. */
  @Nullable String referrer;
  /** The previous page of the session, when the referrer is internal. */
  @Nullable String referrerPage;
  /** The campaign tags of a session's first page view, if it came through a tagged link. */
  Catalog.@Nullable UtmTags utm;
  @Nullable String element;
  @Nullable String productId;
  int quantity;
  long amountUsdCents;
  @Nullable String orderId;
  int items;
  Catalog.@Nullable ErrorKind error;

  EventDraft(String type, long trueTimeMillis, boolean anomalous) {
    this.type = type;
    this.trueTimeMillis = trueTimeMillis;
    this.anomalous = anomalous;
  }
}
