package io.github.analytics.bench.streaming;

import static io.github.analytics.bench.streaming.BenchFiles.progress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.generator.Pacer;
import io.github.analytics.serving.LiveMetrics;
import io.github.analytics.serving.QueryServer;
import io.github.analytics.stack.LocalStack;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;

/**
 * Freshness: how long after an event is produced its count is visible in Redis, with the production
 * {@link io.github.analytics.pipelines.StreamingPipeline} running on embedded Flink against a real
 * local Kafka and Redis, and a producer sending valid events at a fixed rate whose event time is the
 * moment of sending ({@link LiveEvents}).
 *
 * <p><b>How "visible" is decided.</b> The dashboard number is the per-minute count: the hash {@code
 * event_counts_per_minute:<minute>} summed over its fields. The producer logs the send time of the
 * k-th event of each minute (its event time is its send time, so it belongs to the wall clock's
 * minute). A sampler reads the hashes of the minutes still behind every {@code samplePeriod} (50 ms,
 * one pipelined round trip) and logs (time, count). The k-th event of a minute is visible at the first
 * sample taken after its send whose count is at least k; its delay is that sample's time minus the send
 * time. This measures what a dashboard shows, with no change to the pipeline. It is an approximation
 * where partitions progress unevenly: the count covers k events, not necessarily the k earliest sent,
 * so single events may be attributed a little early or late, but the distribution over tens of
 * thousands of events is what a reader of the dashboard sees. The sampling period adds up to 50 ms.
 *
 * <p><b>What dominates.</b> The streaming layer fires an open window early every {@code
 * --earlyFiringSeconds} of processing time after the pane's first element (default 5), so an event
 * waits up to that long for the next firing: expect p99 near the early-firing interval plus the
 * pipeline's own latency. Run it with the default and with 1 ({@code main} does both).
 *
 * <p>Before measuring, probe events sent to every partition must appear in Redis (the job is up and
 * its readers and lookups initialised), then {@code warmup} of
 * traffic at the rate is sent and not measured, then {@code duration} is measured.
 */
public final class FreshnessBench {
  public static final double TARGET_P99_MILLIS = 2_000;
  public static final double TARGET_RATE = 20_000;
  /** The dashboard page's freshness target (issue 15): sent to on screen, p99. */
  public static final double PAGE_TARGET_P99_MILLIS = 10_000;
  /** The range the dashboard sampler asks for: the last minutes, enough for any run. */
  static final int DASHBOARD_MINUTES = 30;

  private FreshnessBench() {}

  /**
   * What to run.
   *
   * @param rate events per second the producer sends
   * @param duration how long the measured traffic lasts
   * @param warmup traffic sent first and not measured (JIT, first checkpoints)
   * @param earlyFiringSeconds the pipeline's {@code --earlyFiringSeconds}
   * @param samplePeriod how often Redis is read
   * @param drain how long after the last send to wait for the last events to be visible
   */
  public record Params(
      double rate,
      Duration duration,
      Duration warmup,
      int earlyFiringSeconds,
      int parallelism,
      int partitions,
      int users,
      boolean archive,
      boolean kafkaSinks,
      boolean geo,
      long checkpointingIntervalMs,
      Duration samplePeriod,
      Duration drain,
      boolean profile,
      Path workDir,
      List<String> pipelineArgs,
      Duration dashboardRefresh) {
    /** The full run's settings at {@code earlyFiringSeconds}: 20k events/s for 60 s after 15 s of warm-up. */
    public static Params defaults(int earlyFiringSeconds) {
      return new Params(TARGET_RATE, Duration.ofSeconds(60), Duration.ofSeconds(15), earlyFiringSeconds, 2, 4,
          100_000, false, true, true, StreamingJob.PRODUCTION_CHECKPOINT_MS, Duration.ofMillis(50),
          Duration.ofSeconds(60), false, null, List.of(), null);
    }

    public Params withRate(double value) {
      return new Params(value, duration, warmup, earlyFiringSeconds, parallelism, partitions, users, archive,
          kafkaSinks, geo, checkpointingIntervalMs, samplePeriod, drain, profile, workDir, pipelineArgs, dashboardRefresh);
    }

    public Params withDuration(Duration value) {
      return new Params(rate, value, warmup, earlyFiringSeconds, parallelism, partitions, users, archive,
          kafkaSinks, geo, checkpointingIntervalMs, samplePeriod, drain, profile, workDir, pipelineArgs, dashboardRefresh);
    }

    public Params withWarmup(Duration value) {
      return new Params(rate, duration, value, earlyFiringSeconds, parallelism, partitions, users, archive,
          kafkaSinks, geo, checkpointingIntervalMs, samplePeriod, drain, profile, workDir, pipelineArgs, dashboardRefresh);
    }

    public Params withParallelism(int value) {
      return new Params(rate, duration, warmup, earlyFiringSeconds, value, partitions, users, archive,
          kafkaSinks, geo, checkpointingIntervalMs, samplePeriod, drain, profile, workDir, pipelineArgs, dashboardRefresh);
    }

    public Params withWorkDir(Path value) {
      return new Params(rate, duration, warmup, earlyFiringSeconds, parallelism, partitions, users, archive,
          kafkaSinks, geo, checkpointingIntervalMs, samplePeriod, drain, profile, value, pipelineArgs, dashboardRefresh);
    }

    /**
     * Measures what the dashboard page is pushed instead of what Redis holds: the serving API runs in
     * this JVM with this refresh period and "visible" is the first Server-Sent Event of {@code
     * /api/v1/dashboard/stream} whose minute count covers the event.
     */
    public Params withDashboardRefresh(Duration value) {
      return new Params(rate, duration, warmup, earlyFiringSeconds, parallelism, partitions, users, archive,
          kafkaSinks, geo, checkpointingIntervalMs, samplePeriod, drain, profile, workDir, pipelineArgs, value);
    }

    public Params withEarlyFiringSeconds(int value) {
      return new Params(rate, duration, warmup, value, parallelism, partitions, users, archive,
          kafkaSinks, geo, checkpointingIntervalMs, samplePeriod, drain, profile, workDir, pipelineArgs, dashboardRefresh);
    }
  }

  /**
   * What was measured; delays in milliseconds from send to visible in Redis.
   *
   * @param achievedRate measured events / duration (below {@code rate} if the producer fell behind)
   * @param measuredEvents events sent during the measured duration
   * @param notVisible measured events not visible by the end of the drain (left out of the
   *     percentiles; any makes the run miss its target)
   */
  public record Result(
      double rate,
      double achievedRate,
      double durationSeconds,
      int earlyFiringSeconds,
      int parallelism,
      long measuredEvents,
      long notVisible,
      double p50Millis,
      double p95Millis,
      double p99Millis,
      double maxMillis,
      double meanMillis,
      long samples,
      boolean targetMet,
      List<String> pipelineArgs,
      List<String> notes,
      String jfrFile,
      List<HotMethod> hotMethods,
      List<HotMethod> hotProjectFrames,
      double targetP99Millis,
      String visibleIn) {

    public String summary() {
      StringBuilder s = new StringBuilder();
      s.append(String.format("Freshness at %,.0f events/s (achieved %,.0f) for %.0f s, --earlyFiringSeconds=%d,"
              + " Flink [local] parallelism %d%n", rate, achievedRate, durationSeconds, earlyFiringSeconds,
          parallelism));
      s.append(String.format("  produce -> visible in " + visibleIn + ": p50 %,.0f ms  p95 %,.0f ms  p99 %,.0f ms  max %,.0f ms"
              + "  mean %,.0f ms  (%,d events, %,d samples)%n", p50Millis, p95Millis, p99Millis, maxMillis,
          meanMillis, measuredEvents, samples));
      s.append(String.format("  p99 target <= %,.0f ms at %,.0f events/s: %s%n", targetP99Millis, TARGET_RATE,
          targetMet ? "MET" : "MISSED"));
      if (notVisible > 0) {
        s.append(String.format("  %,d events not visible by the end of the drain%n", notVisible));
      }
      HotMethod.appendNotesAndProfile(s, notes, jfrFile, hotMethods, hotProjectFrames);
      return s.toString();
    }
  }

  /** Runs the section on a stack of its own (started and stopped here). */
  public static Result run(Params p) {
    Path workDir = BenchFiles.workDir(p.workDir(), "freshness");
    try (LocalStack stack = LocalStack.start(workDir.resolve("stack"))) {
      return run(p, stack, workDir);
    } finally {
      if (p.workDir() == null) {
        BenchFiles.delete(workDir);
      }
    }
  }

  /** The events of one minute of event time: when each was sent, and what Redis showed when. */
  private static final class MinuteLog {
    final long minute;
    long[] sendNanos = new long[1 << 14];
    volatile int produced;
    long[] sampleNanos = new long[256];
    long[] sampleCounts = new long[256];
    int samples;
    volatile long latestCount;

    MinuteLog(long minute) {
      this.minute = minute;
    }

    /** Producer thread only. */
    void sent(long nanos) {
      if (produced == sendNanos.length) {
        sendNanos = Arrays.copyOf(sendNanos, sendNanos.length * 2);
      }
      sendNanos[produced] = nanos;
      produced = produced + 1;
    }

    /** Sampler thread only. */
    void sampled(long nanos, long count) {
      if (samples == sampleNanos.length) {
        sampleNanos = Arrays.copyOf(sampleNanos, samples * 2);
        sampleCounts = Arrays.copyOf(sampleCounts, samples * 2);
      }
      sampleNanos[samples] = nanos;
      sampleCounts[samples] = count;
      samples++;
      latestCount = count;
    }

    boolean covered() {
      return latestCount >= produced;
    }
  }

  /** Runs the section on {@code stack}, in a topic of its own. */
  public static Result run(Params p, LocalStack stack, Path workDir) {
    String topic = "bench-freshness-" + p.earlyFiringSeconds() + "s-" + System.currentTimeMillis();
    StreamingJob.createTopics(stack, topic, p.partitions());
    List<String> notes = new ArrayList<>();
    List<String> args = StreamingJob.args(stack, topic, new StreamingJob.Settings(p.parallelism(),
        p.earlyFiringSeconds(), p.archive(), p.kafkaSinks(), p.geo(), p.checkpointingIntervalMs(),
        p.pipelineArgs()), workDir);
    ConcurrentSkipListMap<Long, MinuteLog> minutes = new ConcurrentSkipListMap<>();
    AtomicReference<Throwable> samplerFailure = new AtomicReference<>();
    JfrProfiler profiler = null;
    JfrProfiler.Profile profile = null;
    long measureStart;
    long measureEnd;
    long measuredSent = 0;

    progress("streaming pipeline: " + String.join(" ", args));
    StreamingJob job = StreamingJob.start(args);
    JedisPool pool = null;
    QueryServer server = null;
    SamplerThread sampler;
    if (p.dashboardRefresh() == null) {
      sampler = new Sampler(stack, minutes, p.samplePeriod(), samplerFailure);
    } else {
      pool = new JedisPool(stack.redis().host(), stack.redis().port());
      server = QueryServer.start(new LiveMetrics(pool), null, "127.0.0.1", 0, 8, p.dashboardRefresh());
      URI stream = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/dashboard/stream?minutes="
          + DASHBOARD_MINUTES);
      progress("sampling what the dashboard is pushed: " + stream + " (refresh " + p.dashboardRefresh() + ")");
      sampler = new DashboardSampler(stream, minutes, samplerFailure);
    }
    try (LiveEvents events = LiveEvents.open(stack.kafka().bootstrapServers(), topic, 20_000, p.users(), 7)) {
      sampler.start();
      // 1. The job is up once probe events sent to every partition (so every source reader and, by
      // their users, most downstream instances have started and initialised their lookups) are visible.
      MinuteLog probe = null;
      int probes = 0;
      for (int round = 0; round < 4; round++) {
        for (int partition = 0; partition < p.partitions(); partition++) {
          MinuteLog log = send(events, minutes, partition);
          probes = log == probe ? probes + 1 : 1;
          probe = log;
        }
      }
      int wanted = probes;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (probe.latestCount < wanted) {
        checkAlive(job, samplerFailure);
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Probe events sent to every partition of " + topic + " were not all"
              + " counted in Redis within 5 minutes (" + probe.latestCount + " of " + wanted + " in their"
              + " minute): the job is not running or not writing Redis; look above for its errors");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
      progress("job up (probe visible); warm-up " + p.warmup() + " then measuring " + p.duration() + " at "
          + p.rate() + " events/s");

      // 2. Warm-up then measured traffic at the rate.
      if (p.profile()) {
        profiler = JfrProfiler.start(workDir.resolve("freshness-" + p.earlyFiringSeconds() + "s.jfr"));
      }
      Pacer pacer = Pacer.of(p.rate());
      long start = System.nanoTime();
      measureStart = start + p.warmup().toNanos();
      measureEnd = measureStart + p.duration().toNanos();
      long nextCheck = start + TimeUnit.SECONDS.toNanos(5);
      long now;
      while ((now = System.nanoTime()) < measureEnd) {
        pacer.acquire();
        send(events, minutes);
        if (now >= measureStart) {
          measuredSent++;
        }
        if (now > nextCheck) {
          checkAlive(job, samplerFailure);
          nextCheck = now + TimeUnit.SECONDS.toNanos(5);
        }
      }
      progress(String.format("sent %,d measured events; waiting up to %s for the last to be visible",
          measuredSent, p.drain()));

      // 3. Drain: until every minute's count covers what was sent.
      long drainDeadline = System.nanoTime() + p.drain().toNanos();
      while (!minutes.values().stream().allMatch(MinuteLog::covered) && System.nanoTime() < drainDeadline) {
        checkAlive(job, samplerFailure);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
      if (profiler != null) {
        profile = profiler.stop(15);
        profiler = null;
      }
    } finally {
      sampler.stopAndJoin();
      if (server != null) {
        server.close();
      }
      if (pool != null) {
        pool.close();
      }
      if (profiler != null) {
        profiler.close();
      }
      job.cancel();
    }

    // 4. Delays of the measured events.
    long[] delays = new long[(int) Math.min(Integer.MAX_VALUE - 8, measuredSent + 16)];
    int n = 0;
    long notVisible = 0;
    long samples = 0;
    // The worst delay of the events sent in each second of the measurement: shows whether the tail is
    // spread out or comes from a few stalls (a checkpoint, a collection, the minute's on-time firing).
    long[] worstBySecond = new long[(int) Math.max(1, p.duration().toSeconds() + 1)];
    for (MinuteLog log : minutes.values()) {
      samples += log.samples;
      int j = 0;
      long runningMax = log.samples > 0 ? log.sampleCounts[0] : 0;
      for (int k = 1; k <= log.produced; k++) {
        long sentAt = log.sendNanos[k - 1];
        while (j < log.samples && (runningMax < k || log.sampleNanos[j] < sentAt)) {
          j++;
          if (j < log.samples) {
            runningMax = Math.max(runningMax, log.sampleCounts[j]);
          }
        }
        if (sentAt < measureStart || sentAt >= measureEnd) {
          continue;
        }
        if (j >= log.samples) {
          notVisible++;
        } else if (n < delays.length) {
          long delay = log.sampleNanos[j] - sentAt;
          delays[n++] = delay;
          int second = (int) Math.min(worstBySecond.length - 1, (sentAt - measureStart) / 1_000_000_000L);
          worstBySecond[second] = Math.max(worstBySecond[second], delay);
        }
      }
    }
    progress("worst delay (ms) of the events sent in each second: " + Arrays.stream(worstBySecond)
        .mapToObj(d -> Long.toString(d / 1_000_000L)).collect(java.util.stream.Collectors.joining(" ")));
    long[] sorted = Arrays.copyOf(delays, n);
    Arrays.sort(sorted);
    double p50 = percentileMillis(sorted, 0.50);
    double p95 = percentileMillis(sorted, 0.95);
    double p99 = percentileMillis(sorted, 0.99);
    double max = n == 0 ? Double.NaN : sorted[n - 1] / 1e6;
    double mean = n == 0 ? Double.NaN : Arrays.stream(sorted).average().orElse(0) / 1e6;
    double achieved = measuredSent / (p.duration().toNanos() / 1e9);
    double target = p.dashboardRefresh() == null ? TARGET_P99_MILLIS : PAGE_TARGET_P99_MILLIS;
    boolean met = notVisible == 0 && n > 0 && p99 <= target;
    if (achieved < p.rate() * 0.95) {
      notes.add(String.format("the producer reached only %,.0f of %,.0f events/s: the machine is saturated"
          + " (producer, broker, Redis and the job share it); the delays are at that rate", achieved, p.rate()));
    }
    if (!met) {
      notes.add(String.format("missed: p99 %,.0f ms against %,.0f ms%s", p99, target,
          p.earlyFiringSeconds() * 1000 > target
              ? "; expected with --earlyFiringSeconds=" + p.earlyFiringSeconds()
                  + ": an event waits up to that long for the next early firing"
              : ""));
    }
    if (notVisible > 0) {
      notes.add(String.format("%,d of %,d measured events were not visible %s after the last send: the job"
          + " falls behind at this rate, or counts were lost", notVisible, measuredSent, p.drain()));
    }
    return new Result(p.rate(), achieved, p.duration().toNanos() / 1e9, p.earlyFiringSeconds(), p.parallelism(),
        measuredSent, notVisible, p50, p95, p99, max, mean, samples, met, args, notes,
        profile == null ? null : profile.file().toString(),
        profile == null ? List.of() : profile.selfTop(),
        profile == null ? List.of() : profile.byProjectFrame(), target,
        p.dashboardRefresh() == null ? "Redis" : "the dashboard's pushes");
  }

  private static MinuteLog send(LiveEvents events, ConcurrentSkipListMap<Long, MinuteLog> minutes) {
    return send(events, minutes, null);
  }

  private static MinuteLog send(LiveEvents events, ConcurrentSkipListMap<Long, MinuteLog> minutes,
      Integer partition) {
    long millis = System.currentTimeMillis();
    MinuteLog log = minutes.computeIfAbsent(MinuteCounts.minuteOf(millis), MinuteLog::new);
    long nanos = System.nanoTime();
    events.send(millis, partition);
    log.sent(nanos);
    return log;
  }

  private static void checkAlive(StreamingJob job, AtomicReference<Throwable> samplerFailure) {
    job.checkRunning();
    Throwable failure = samplerFailure.get();
    if (failure != null) {
      throw new IllegalStateException("The Redis sampler failed", failure);
    }
  }

  /** The nearest-rank {@code q} quantile of sorted nanoseconds, in milliseconds; NaN for none. */
  public static double percentileMillis(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
  }

  /** Logs, on its own thread, what a reader of the dashboard sees of each minute's count, and when. */
  private abstract static class SamplerThread extends Thread {
    final ConcurrentSkipListMap<Long, MinuteLog> minutes;
    final AtomicReference<Throwable> failure;
    volatile boolean stop;

    SamplerThread(String name, ConcurrentSkipListMap<Long, MinuteLog> minutes,
        AtomicReference<Throwable> failure) {
      super(name);
      setDaemon(true);
      this.minutes = minutes;
      this.failure = failure;
    }

    void stopAndJoin() {
      stop = true;
      interruptReads();
      try {
        join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Unblocks a read under way, if the sampler blocks on one. */
    void interruptReads() {}
  }

  /** Reads the counts of the minutes still behind, every period, on its own Redis connection. */
  private static final class Sampler extends SamplerThread {
    private final LocalStack stack;
    private final long periodNanos;

    Sampler(LocalStack stack, ConcurrentSkipListMap<Long, MinuteLog> minutes, Duration period,
        AtomicReference<Throwable> failure) {
      super("freshness-sampler", minutes, failure);
      this.stack = stack;
      this.periodNanos = period.toNanos();
    }

    @Override
    public void run() {
      try (Jedis redis = new Jedis(stack.redis().host(), stack.redis().port())) {
        long next = System.nanoTime();
        while (!stop) {
          List<Long> behind = new ArrayList<>();
          for (MinuteLog log : minutes.values()) {
            if (!log.covered()) {
              behind.add(log.minute);
            }
          }
          if (!behind.isEmpty()) {
            Map<Long, Long> counts = MinuteCounts.read(redis, behind);
            long at = System.nanoTime();
            counts.forEach((minute, count) -> minutes.get(minute).sampled(at, count));
          }
          next += periodNanos;
          long wait = next - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          } else {
            next = System.nanoTime();
          }
        }
      } catch (Throwable e) {
        failure.set(e);
      }
    }
  }

  /**
   * Listens to the dashboard's Server-Sent Events, as the page does, and logs each push's count of
   * every minute measured: the page draws a push as it arrives, so this is what is on screen, less
   * the browser's few milliseconds of drawing.
   */
  private static final class DashboardSampler extends SamplerThread {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI stream;
    private volatile InputStream body;

    DashboardSampler(URI stream, ConcurrentSkipListMap<Long, MinuteLog> minutes,
        AtomicReference<Throwable> failure) {
      super("dashboard-sampler", minutes, failure);
      this.stream = stream;
    }

    @Override
    public void run() {
      try {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<InputStream> response = client.send(
            HttpRequest.newBuilder(stream).header("Accept", "text/event-stream").build(),
            HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
          throw new IllegalStateException("GET " + stream + " answered " + response.statusCode());
        }
        body = response.body();
        BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        StringBuilder data = new StringBuilder();
        String event = "message";
        String line;
        while (!stop && (line = lines.readLine()) != null) {
          if (line.startsWith("event:")) {
            event = line.substring("event:".length()).strip();
          } else if (line.startsWith("data:")) {
            data.append(line.substring("data:".length()).strip());
          } else if (line.isEmpty() && data.length() > 0) {
            long at = System.nanoTime();
            if (event.equals("message")) {
              record(JSON.readTree(data.toString()), at);
            } else {
              progress("the dashboard pushed " + event + ": " + data);
            }
            data.setLength(0);
            event = "message";
          }
        }
      } catch (Throwable e) {
        if (!stop) {
          failure.set(e);
        }
      }
    }

    private void record(JsonNode answer, long at) {
      for (JsonNode bucket : answer.path("events_per_minute").path("buckets")) {
        MinuteLog log = minutes.get(Instant.parse(bucket.get("start").asText()).toEpochMilli());
        if (log != null) {
          log.sampled(at, bucket.path("count").asLong());
        }
      }
    }

    @Override
    void interruptReads() {
      InputStream open = body;
      if (open != null) {
        try {
          open.close();
        } catch (IOException e) {
          // Closing only unblocks the read; the sampler stops either way.
        }
      }
    }
  }

  private static final String USAGE = String.join("\n",
      "FreshnessBench: produce-to-visible-in-Redis delay of the streaming pipeline on Flink [local] at a",
      "fixed rate; runs once per --earlyFiringSeconds value. Arguments (--name=value):",
      "  --rate=20000 --duration=60 --warmup=15 (seconds or ISO-8601) --earlyFiringSeconds=5,1",
      "  --parallelism=2 --partitions=4 --users=100000 --archive=false --kafkaSinks=true --geo=true",
      "  --checkpointingIntervalMs=60000 --samplePeriodMs=50 --drain=60 --profile=false",
      "  --dashboardRefreshMs=0 (over 0: measure what the dashboard page is pushed, the serving API in",
      "    this JVM refreshing that often, instead of Redis)",
      "  --workDir=DIR (default: a temporary directory, deleted after)",
      "  --pipelineArg=--option=value (repeatable: passed to the pipeline)");

  public static void main(String[] argv) {
    BenchFiles.quietLogs();
    BenchArgs a = BenchArgs.parse(argv, Set.of("rate", "duration", "warmup", "earlyFiringSeconds", "parallelism",
        "partitions", "users", "archive", "kafkaSinks", "geo", "checkpointingIntervalMs", "samplePeriodMs",
        "drain", "profile", "workDir", "dashboardRefreshMs"), USAGE);
    Path base = a.getPath("workDir", null);
    List<Result> results = new ArrayList<>();
    for (String early : a.getString("earlyFiringSeconds", "5,1").split(",")) {
      Params d = Params.defaults(Integer.parseInt(early.trim()));
      Params p = new Params(
          a.getLong("rate", (long) d.rate()),
          a.getDuration("duration", d.duration()),
          a.getDuration("warmup", d.warmup()),
          d.earlyFiringSeconds(),
          a.getInt("parallelism", d.parallelism()),
          a.getInt("partitions", d.partitions()),
          a.getInt("users", d.users()),
          a.getBoolean("archive", d.archive()),
          a.getBoolean("kafkaSinks", d.kafkaSinks()),
          a.getBoolean("geo", d.geo()),
          a.getLong("checkpointingIntervalMs", d.checkpointingIntervalMs()),
          Duration.ofMillis(a.getLong("samplePeriodMs", d.samplePeriod().toMillis())),
          a.getDuration("drain", d.drain()),
          a.getBoolean("profile", d.profile()),
          base == null ? null : base.resolve("early-" + d.earlyFiringSeconds() + "s"),
          a.pipelineArgs(),
          a.getLong("dashboardRefreshMs", 0) > 0
              ? Duration.ofMillis(a.getLong("dashboardRefreshMs", 0)) : null);
      results.add(run(p));
    }
    results.forEach(r -> System.out.print(r.summary()));
    System.exit(0); // Flink's and Kafka's non-daemon threads would keep the JVM up
  }

}
