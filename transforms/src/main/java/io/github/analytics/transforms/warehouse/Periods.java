package io.github.analytics.transforms.warehouse;

/** Days and ISO weeks (Monday to Sunday, UTC) as numbers: epoch days, and week indexes. */
enum Periods {
  DAY("day", 1),
  WEEK("week", 7);

  static final long DAY_MILLIS = 86_400_000L;
  /** 1970-01-05, the first Monday after the epoch, is epoch day 4. */
  private static final long FIRST_MONDAY = 4;

  private final String label;
  private final int days;

  Periods(String label, int days) {
    this.label = label;
    this.days = days;
  }

  String label() {
    return label;
  }

  /** The index of the period holding {@code epochDay}. */
  long of(long epochDay) {
    return this == DAY ? epochDay : Math.floorDiv(epochDay - FIRST_MONDAY, 7);
  }

  /** The epoch day the period {@code index} starts on. */
  long firstDay(long index) {
    return this == DAY ? index : index * 7 + FIRST_MONDAY;
  }

  /** The epoch day the period {@code index} ends on. */
  long lastDay(long index) {
    return firstDay(index) + days - 1;
  }

  /** Whether {@code user} sent {@code eventType} during the period {@code index}. */
  boolean active(UserHistory user, long index, String eventType) {
    return this == DAY
        ? user.activeOn(index, eventType)
        : user.activeBetween(firstDay(index), lastDay(index), eventType);
  }
}
