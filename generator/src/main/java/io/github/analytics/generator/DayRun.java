package io.github.analytics.generator;

import io.github.analytics.schemas.DeadLetterReason;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * One pass over one day: generates sessions minute by minute and hands records out in order of arrival.
 *
 * <p>Sessions that start in minute {@code m} are generated when the run reaches {@code m}. Their
 * records wait in one-minute buckets by arrival time; a bucket is sorted and handed out once the run is
 * past its minute, since every later session, and so every later record, arrives after it starts. Only
 * the sessions in flight and the late records wait, never the day. Users are also bucketed by the
 * minute their post-session pause ends.
 *
 * <p>A {@link GeneratorConfig#timeCompression()} and a {@link GeneratorConfig#timeShift()} apply to the
 * timestamps as they are written (the run keeps its own clock, {@link
 * GeneratedRecord#runArrivalMillis()}), and a {@link
 * GeneratorConfig#windowFrom() window} filters the records as they are handed out; neither changes what
 * the run generates.
 */
final class DayRun implements Iterator<GeneratedRecord> {
  private static final int MINUTES_PER_DAY = 1440;
  private static final long MINUTE = 60_000L;
  private static final long HOUR = 3_600_000L;
  private static final long SESSION_GAP = 30 * MINUTE;

  /** Funnel: sessions that add to cart, and carts that are bought. */
  private static final double CART_RATE = 0.25;
  private static final double PURCHASE_RATE = 0.30;
  /** Chance of an error after any other event, normally and during the burst (20x). */
  private static final double ERROR_RATE = 0.012;
  private static final double BURST_ERROR_RATE = ERROR_RATE * 20;

  /** Page paths built once, so serialization can reuse their encoded form. */
  private static final Pages PAGES = new Pages();

  /** Arrival-time buckets of one minute each; a record may arrive at most this many minutes ahead. */
  private static final int BUCKETS = 4096;

  private static final Comparator<GeneratedRecord> BY_ARRIVAL =
      (a, b) -> {
        int c = Long.compare(a.runArrivalMillis(), b.runArrivalMillis());
        return c != 0 ? c : Long.compare(a.sequence(), b.sequence());
      };

  private final GeneratorConfig config;
  private final long dayStart;
  /**
   * {@link GeneratorConfig#timeShift()} in milliseconds: added to every timestamp written out, never to
   * the run's own clock, so a shifted day makes the same choices as the unshifted one.
   */
  private final long shift;
  /** {@link GeneratorConfig#timeCompression()}: written timestamps run this many times faster. */
  private final int compression;
  /** Unshifted arrival window, {@code [windowStart, windowEnd)}; the whole run when there is none. */
  private final long windowStart;
  private final long windowEnd;
  private boolean windowPassed;
  private final SplittableRandom random;
  private final SplittableRandom malformedRandom;
  private final User[] users;
  private final int[] free;
  private int freeCount;
  /**
   * Users in a session or in the pause after it, by the minute from which they are free again (modulo
   * {@link #BUCKETS}), in the order they became busy.
   */
  private final int[][] busy = new int[BUCKETS][];
  private final int[] busyCount = new int[BUCKETS];
  /** Records not handed out yet, by minute of arrival modulo {@link #BUCKETS}. */
  private final List<List<GeneratedRecord>> pending = new ArrayList<>(BUCKETS);
  private long pendingCount;
  private long flushedMinute;
  private final ArrayDeque<GeneratedRecord> ready = new ArrayDeque<>();
  private final double[] cumulativeTarget = new double[MINUTES_PER_DAY + 1];
  private final List<List<DeadLetterReason>> guaranteedByMinute = new ArrayList<>();
  private final long anomalyStart;
  private final long anomalyEnd;
  private final double lateRateForApps;
  private final double malformedPerValid;
  private final PayloadWriter writer = new PayloadWriter();
  private final MalformedFactory malformed = new MalformedFactory();
  /** Campaign touchpoints: a random stream of their own, so they change no other draw. */
  private final Touchpoints touchpoints;

  private int minute;
  private long sequence;
  private double budgetUsed;
  private double malformedDebt;
  private long validRecordsThisMinute;
  private long sessionCursor;

  DayRun(GeneratorConfig config) {
    this.config = config;
    this.dayStart = config.day().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    this.shift = config.timeShift().toMillis();
    this.compression = config.timeCompression();
    LocalTime from = config.windowFrom();
    Duration length = config.windowLength();
    if (from == null || length == null) {
      this.windowStart = Long.MIN_VALUE;
      this.windowEnd = Long.MAX_VALUE;
    } else {
      this.windowStart = dayStart + from.toNanoOfDay() / 1_000_000;
      this.windowEnd = windowStart + length.toMillis();
    }
    // Separate streams, so changing one share does not reshuffle everything else.
    this.random = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + 1);
    this.malformedRandom = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + 2);
    this.users = Population.of(config, new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + 3));
    this.touchpoints =
        new Touchpoints(config.seed(), config.touchpointShare(), CART_RATE * PURCHASE_RATE);
    this.free = new int[users.length];
    for (int i = 0; i < users.length; i++) {
      free[i] = i;
    }
    this.freeCount = users.length;

    double appActivity = 0;
    double allActivity = 0;
    for (User user : users) {
      allActivity += user.activity;
      if (user.isApp()) {
        appActivity += user.activity;
      }
    }
    // Late arrivals are offline mobile clients catching up: only app users send them.
    this.lateRateForApps =
        appActivity == 0 ? 0 : Math.min(1.0, config.lateShare() * allActivity / appActivity);
    this.malformedPerValid = config.malformedShare() / (1.0 - config.malformedShare());

    // Diurnal traffic: a trough around 06:00 UTC and a peak around 18:00 UTC.
    double sum = 0;
    for (int m = 0; m < MINUTES_PER_DAY; m++) {
      sum += 1.0 + 0.6 * Math.cos(2 * Math.PI * (m / (double) MINUTES_PER_DAY - 0.75));
      cumulativeTarget[m + 1] = sum;
    }
    for (int m = 0; m <= MINUTES_PER_DAY; m++) {
      cumulativeTarget[m] = cumulativeTarget[m] / sum * config.events();
    }

    for (int m = 0; m < MINUTES_PER_DAY; m++) {
      guaranteedByMinute.add(null);
    }
    for (int b = 0; b < BUCKETS; b++) {
      pending.add(null);
    }
    this.flushedMinute = dayStart / MINUTE;
    if (config.malformedShare() > 0) {
      // Every reason the factory makes at least once a day, even the rare ones, at a random minute.
      for (DeadLetterReason reason : MalformedFactory.REASONS) {
        int m = malformedRandom.nextInt(MINUTES_PER_DAY);
        if (guaranteedByMinute.get(m) == null) {
          guaranteedByMinute.set(m, new ArrayList<>());
        }
        guaranteedByMinute.get(m).add(reason);
      }
    }

    if (config.anomalyAt() == null) {
      anomalyStart = Long.MIN_VALUE;
      anomalyEnd = Long.MIN_VALUE;
    } else {
      anomalyStart = dayStart + config.anomalyAt().toSecondOfDay() * 1000L;
      anomalyEnd = anomalyStart + GeneratorConfig.ANOMALY_MINUTES * MINUTE;
    }
  }

  /**
   * Whether a record of the window is left. Records come out in order of arrival, so those before the
   * window are skipped and the first one after it ends the run.
   */
  @Override
  public boolean hasNext() {
    while (!windowPassed) {
      while (ready.isEmpty()) {
        if (minute < MINUTES_PER_DAY) {
          step(minute++);
        } else if (pendingCount > 0) {
          flushMinute();
        } else {
          return false;
        }
      }
      long arrival = ready.peek().runArrivalMillis();
      if (arrival < windowStart) {
        ready.poll();
      } else if (arrival >= windowEnd) {
        windowPassed = true;
        ready.clear();
      } else {
        return true;
      }
    }
    return false;
  }

  @Override
  public GeneratedRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException("The day is fully generated");
    }
    return ready.poll();
  }

  private void step(int m) {
    long minuteStart = dayStart + m * MINUTE;
    releaseUsers(minuteStart);
    validRecordsThisMinute = 0;
    while (budgetUsed < cumulativeTarget[m + 1]) {
      User user = pickUser();
      if (user == null) {
        // Every user is in a session or in the 30-minute pause after one: drop the rest of this minute.
        budgetUsed = cumulativeTarget[m + 1];
        break;
      }
      session(user, minuteStart + random.nextLong(MINUTE));
    }

    malformedDebt += validRecordsThisMinute * malformedPerValid;
    List<DeadLetterReason> guaranteed = guaranteedByMinute.get(m);
    if (guaranteed != null) {
      for (DeadLetterReason reason : guaranteed) {
        malformedRecord(reason, minuteStart);
        malformedDebt -= 1;
      }
    }
    while (malformedDebt >= 1) {
      malformedRecord(MalformedFactory.pickReason(malformedRandom), minuteStart);
      malformedDebt -= 1;
    }

    flushMinute();
  }

  private void add(GeneratedRecord record) {
    // Buckets follow the run's own clock, whatever the written timestamps say.
    long recordMinute = Math.floorDiv(record.runArrivalMillis(), MINUTE);
    if (recordMinute < flushedMinute || recordMinute >= flushedMinute + BUCKETS) {
      throw new IllegalStateException(
          "A record arrives outside the pending window: " + record + " (a bug in the generator)");
    }
    int bucket = (int) Math.floorMod(recordMinute, (long) BUCKETS);
    List<GeneratedRecord> records = pending.get(bucket);
    if (records == null) {
      records = new ArrayList<>();
      pending.set(bucket, records);
    }
    records.add(record);
    pendingCount++;
  }

  /** Hands out every record that arrives in the oldest pending minute, sorted by arrival. */
  private void flushMinute() {
    int bucket = (int) Math.floorMod(flushedMinute, (long) BUCKETS);
    List<GeneratedRecord> records = pending.get(bucket);
    flushedMinute++;
    if (records == null) {
      return;
    }
    pending.set(bucket, null);
    records.sort(BY_ARRIVAL);
    ready.addAll(records);
    pendingCount -= records.size();
  }

  /** Frees the users whose pause ends by {@code minuteStart}. */
  private void releaseUsers(long minuteStart) {
    int bucket = (int) Math.floorMod(minuteStart / MINUTE, (long) BUCKETS);
    int[] released = busy[bucket];
    for (int i = 0; i < busyCount[bucket]; i++) {
      free[freeCount++] = released[i];
    }
    busyCount[bucket] = 0;
  }

  /** Marks {@code user} busy until {@code availableAt}: free from the first minute starting after it. */
  private void markBusy(User user, long availableAt) {
    long freeMinute = Math.floorDiv(availableAt + MINUTE - 1, MINUTE);
    if (freeMinute - flushedMinute >= BUCKETS) {
      throw new IllegalStateException("A session pause reaches too far ahead (a bug in the generator)");
    }
    int bucket = (int) Math.floorMod(freeMinute, (long) BUCKETS);
    int[] users = busy[bucket];
    if (users == null) {
      users = new int[16];
      busy[bucket] = users;
    } else if (busyCount[bucket] == users.length) {
      users = java.util.Arrays.copyOf(users, users.length * 2);
      busy[bucket] = users;
    }
    users[busyCount[bucket]++] = user.index;
  }

  /** A free user, favouring active ones; null if every user is busy. */
  private User pickUser() {
    if (freeCount == 0) {
      return null;
    }
    int slot = 0;
    for (int attempt = 0; attempt < 4; attempt++) {
      slot = random.nextInt(freeCount);
      if (random.nextDouble() < users[free[slot]].activity) {
        break;
      }
    }
    User user = users[free[slot]];
    free[slot] = free[--freeCount];
    return user;
  }

  /** One session: page views, clicks, maybe a cart and a purchase, and the odd error. */
  private void session(User user, long start) {
    byte[] sessionId = Formats.hex(random.nextLong(), 16);
    boolean cart = random.nextDouble() < CART_RATE;
    boolean purchase = cart && random.nextDouble() < PURCHASE_RATE;
    int views = 1;
    while (views < 12 && random.nextDouble() < 0.55) {
      views++;
    }
    int cartAfterView = cart ? random.nextInt(views) : -1;
    sessionCursor = start;
    String referrer = Catalog.EXTERNAL_REFERRERS.pick(random);
    Touchpoints.Touchpoint touchpoint = touchpoints.next(referrer, purchase);
    String page = "/";
    String previousPage = null;
    long cartUsdCents = 0;
    int cartItems = 0;
    for (int v = 0; v < views; v++) {
      if (v > 0) {
        sessionCursor += 3_000 + (long) exponential(40_000, 20 * MINUTE);
      }
      page = v == cartAfterView ? PAGES.product(random.nextInt(Catalog.PRODUCTS) + 1) : randomPage();
      EventDraft view = new EventDraft(Catalog.PAGE_VIEW, sessionCursor, false);
      view.page = page;
      if (v == 0) {
        view.referrer = referrer;
        if (touchpoint != null) {
          view.utm = touchpoint.tags();
          if (touchpoint.referrer() != null) {
            view.referrer = touchpoint.referrer();
          }
        }
      } else {
        view.referrerPage = previousPage;
      }
      event(view, user, sessionId);
      previousPage = page;
      int clicks = random.nextInt(3);
      for (int c = 0; c < clicks; c++) {
        sessionCursor += 1_000 + (long) exponential(8_000, 5 * MINUTE);
        EventDraft click = new EventDraft(Catalog.CLICK, sessionCursor, false);
        click.element = Catalog.CLICK_ELEMENTS.pick(random);
        click.page = page;
        event(click, user, sessionId);
      }
      if (v == cartAfterView) {
        int adds = random.nextDouble() < 0.3 ? 2 : 1;
        for (int a = 0; a < adds; a++) {
          int product =
              a == 0
                  ? Integer.parseInt(page.substring(page.lastIndexOf('/') + 1))
                  : random.nextInt(Catalog.PRODUCTS) + 1;
          sessionCursor += 2_000 + (long) exponential(15_000, 5 * MINUTE);
          EventDraft add = new EventDraft(Catalog.ADD_TO_CART, sessionCursor, false);
          add.page = page;
          add.productId = "p" + product;
          add.quantity = random.nextDouble() < 0.85 ? 1 : 2;
          add.amountUsdCents = Catalog.productPriceUsdCents(product);
          cartUsdCents += add.amountUsdCents * add.quantity;
          cartItems += add.quantity;
          event(add, user, sessionId);
        }
      }
    }
    if (purchase) {
      sessionCursor += 5_000 + (long) exponential(30_000, 10 * MINUTE);
      EventDraft checkout = new EventDraft(Catalog.PAGE_VIEW, sessionCursor, false);
      checkout.page = Pages.CHECKOUT;
      checkout.referrerPage = previousPage;
      event(checkout, user, sessionId);
      sessionCursor += 10_000 + (long) exponential(60_000, 10 * MINUTE);
      EventDraft order = new EventDraft(Catalog.PURCHASE, sessionCursor, false);
      order.page = Pages.CHECKOUT;
      order.orderId = "ORD-" + Formats.hexString(random.nextLong(), 12).toUpperCase(java.util.Locale.ROOT);
      order.items = cartItems;
      order.amountUsdCents = cartUsdCents;
      event(order, user, sessionId);
    }
    // The next session starts after more than 30 minutes of silence.
    markBusy(user, sessionCursor + SESSION_GAP + 1_000 + random.nextLong(60 * MINUTE));
  }

  /** Emits {@code draft}, then maybe an error right after it. */
  private void event(EventDraft draft, User user, byte[] sessionId) {
    emit(draft, user, sessionId);
    budgetUsed++;
    double r = random.nextDouble();
    boolean inBurst = sessionCursor >= anomalyStart && sessionCursor < anomalyEnd;
    if (r < ERROR_RATE || (inBurst && r < BURST_ERROR_RATE)) {
      boolean anomalous = r >= ERROR_RATE;
      sessionCursor += 200 + random.nextInt(2_800);
      EventDraft error = new EventDraft(Catalog.ERROR, sessionCursor, anomalous);
      error.page = draft.page;
      error.error =
          anomalous && random.nextDouble() < 0.8 ? Catalog.BURST_ERROR : Catalog.ERRORS.pick(random);
      emit(error, user, sessionId);
      if (!anomalous) {
        budgetUsed++;
      }
    }
  }

  private void emit(EventDraft draft, User user, byte[] sessionId) {
    long client = draft.trueTimeMillis + user.clockSkewMillis;
    boolean late = user.isApp() && random.nextDouble() < lateRateForApps;
    long received =
        late
            ? draft.trueTimeMillis + HOUR + random.nextLong(5 * HOUR)
            : draft.trueTimeMillis + 50 + random.nextInt(1_951);
    byte[] payload =
        writer.write(
            draft, user, sessionId, random.nextLong(), random.nextLong(), written(client),
            written(received));
    add(
        new GeneratedRecord(
            payload,
            written(received),
            received,
            sequence++,
            late ? RecordKind.LATE : RecordKind.ON_TIME,
            draft.type,
            null,
            draft.anomalous));
    validRecordsThisMinute++;
    if (config.duplicateShare() > 0 && random.nextDouble() < config.duplicateShare()) {
      long retried = received + 1_000 + random.nextInt(29_001);
      add(
          new GeneratedRecord(
              PayloadWriter.withServerTimestamp(payload, written(retried)),
              written(retried),
              retried,
              sequence++,
              RecordKind.DUPLICATE,
              draft.type,
              null,
              draft.anomalous));
      validRecordsThisMinute++;
    }
  }

  /** A time on the run's clock as written out: compressed towards the day's start, then shifted. */
  private long written(long runMillis) {
    return dayStart + Math.floorDiv(runMillis - dayStart, compression) + shift;
  }

  private void malformedRecord(DeadLetterReason reason, long minuteStart) {
    SplittableRandom r = malformedRandom;
    long received = minuteStart + r.nextLong(MINUTE);
    User user = users[r.nextInt(users.length)];
    EventDraft draft;
    if (r.nextBoolean()) {
      draft = new EventDraft(Catalog.PAGE_VIEW, received - 50 - r.nextInt(1_951), false);
      draft.page = PAGES.random(r);
      draft.referrer = Catalog.EXTERNAL_REFERRERS.pick(r);
    } else {
      draft = new EventDraft(Catalog.CLICK, received - 50 - r.nextInt(1_951), false);
      draft.page = PAGES.random(r);
      draft.element = Catalog.CLICK_ELEMENTS.pick(r);
    }
    byte[] base =
        writer.write(
            draft,
            user,
            Formats.hex(r.nextLong(), 16),
            r.nextLong(),
            r.nextLong(),
            written(draft.trueTimeMillis + user.clockSkewMillis),
            written(received));
    add(
        new GeneratedRecord(
            malformed.create(reason, base, r),
            written(received),
            received,
            sequence++,
            RecordKind.MALFORMED,
            null,
            reason,
            false));
  }

  private String randomPage() {
    return PAGES.random(random);
  }

  /** An exponentially distributed duration with the given mean, capped. */
  private double exponential(double mean, double cap) {
    return Math.min(cap, -mean * Math.log(1.0 - random.nextDouble()));
  }
}
