package io.github.analytics.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the streaming layer keeps dashboard values. */
public interface RedisOptions extends PipelineOptions {
  @Description(
      "Redis for dashboards, redis://host:port[/db] (a single server; see the README's key layout)."
          + " Empty: do not write to Redis.")
  @Default.String("redis://localhost:6379")
  String getRedisUri();

  void setRedisUri(String value);

  @Description("Hours before per-minute and per-hour Redis keys expire.")
  @Default.Integer(48)
  int getRedisTtlHours();

  void setRedisTtlHours(int value);

  @Description(
      "Days before per-day Redis keys expire (daily HyperLogLogs, sessions, funnels, active users):"
          + " long enough to merge a month.")
  @Default.Integer(32)
  int getRedisDailyTtlDays();

  void setRedisDailyTtlDays(int value);
}
