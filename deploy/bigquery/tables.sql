-- The warehouse's tables in BigQuery, one per output of the batch pipeline.
-- GENERATED from the pipeline's Beam schemas by BigQuerySchemas.ddl: do not edit.
-- Regenerate with: mvn -pl pipelines -am test -Dtest=BigQuerySchemasTest -Dsurefire.failIfNoSpecifiedTests=false -DregenerateDdl=true
-- Apply with: bq query --use_legacy_sql=false --dataset_id=PROJECT:DATASET < deploy/bigquery/tables.sql

CREATE TABLE IF NOT EXISTS `events` (
  `event_id` STRING NOT NULL,
  `event_type` STRING NOT NULL,
  `user_id` STRING NOT NULL,
  `session_id` STRING NOT NULL,
  `properties` STRING NOT NULL,
  `client_timestamp` TIMESTAMP NOT NULL,
  `server_timestamp` TIMESTAMP,
  `event_timestamp` TIMESTAMP NOT NULL,
  `app_version` STRING,
  `platform` STRING NOT NULL,
  `client_ip` STRING,
  `user_agent` STRING,
  `received_at` TIMESTAMP NOT NULL,
  `country` STRING,
  `region` STRING,
  `city` STRING,
  `device_type` STRING,
  `os` STRING,
  `browser` STRING
)
PARTITION BY DATE(`event_timestamp`)
CLUSTER BY `event_type`, `user_id`
OPTIONS (description = "One row per unique valid event, enriched; partitioned by the UTC day of its event time");

CREATE TABLE IF NOT EXISTS `dead_letters` (
  `payload` BYTES NOT NULL,
  `reason` STRING NOT NULL,
  `message` STRING NOT NULL,
  `step` STRING NOT NULL,
  `received_at` TIMESTAMP NOT NULL,
  `source` STRING
)
PARTITION BY DATE(`received_at`)
CLUSTER BY `reason`, `step`
OPTIONS (description = "One row per rejected record with its original payload, the reason and the step; partitioned by the UTC day it arrived");

CREATE TABLE IF NOT EXISTS `event_counts_per_minute` (
  `window_start` TIMESTAMP NOT NULL,
  `window_end` TIMESTAMP NOT NULL,
  `event_type` STRING NOT NULL,
  `platform` STRING NOT NULL,
  `country` STRING NOT NULL,
  `event_count` INT64 NOT NULL
)
PARTITION BY DATE(`window_start`)
CLUSTER BY `event_type`, `platform`, `country`
OPTIONS (description = "Events per minute of event time by event_type, platform and country");

CREATE TABLE IF NOT EXISTS `distinct_users_hourly` (
  `window_start` TIMESTAMP NOT NULL,
  `window_end` TIMESTAMP NOT NULL,
  `event_type` STRING NOT NULL,
  `distinct_users` INT64 NOT NULL,
  `sketch` BYTES NOT NULL,
  `precision` INT64 NOT NULL
)
PARTITION BY DATE(`window_start`)
CLUSTER BY `event_type`
OPTIONS (description = "Estimated distinct users (HLL++ sketch) per hour of event time, per event_type and over all");

CREATE TABLE IF NOT EXISTS `distinct_users_daily` (
  `day` TIMESTAMP NOT NULL,
  `event_type` STRING NOT NULL,
  `distinct_users` INT64 NOT NULL,
  `sketch` BYTES NOT NULL,
  `precision` INT64 NOT NULL
)
PARTITION BY DATE(`day`)
CLUSTER BY `event_type`
OPTIONS (description = "Estimated distinct users per UTC day, per event_type and over all, merged from the hourly sketches");

CREATE TABLE IF NOT EXISTS `active_users` (
  `day` TIMESTAMP NOT NULL,
  `window_days` INT64 NOT NULL,
  `active_users` INT64 NOT NULL,
  `days_with_data` INT64 NOT NULL,
  `precision` INT64 NOT NULL
)
PARTITION BY DATE(`day`)
CLUSTER BY `window_days`
OPTIONS (description = "Active users over the last 1, 7, 28 and 30 days, merged from the daily sketches");

CREATE TABLE IF NOT EXISTS `sessions` (
  `user_id` STRING NOT NULL,
  `session_id` STRING NOT NULL,
  `session_start` TIMESTAMP NOT NULL,
  `session_end` TIMESTAMP NOT NULL,
  `duration_seconds` INT64 NOT NULL,
  `event_count` INT64 NOT NULL,
  `page_views` INT64 NOT NULL,
  `first_event_type` STRING NOT NULL,
  `last_event_type` STRING NOT NULL,
  `revenue` FLOAT64 NOT NULL,
  `client_session_id` STRING NOT NULL,
  `client_session_ids` INT64 NOT NULL
)
PARTITION BY DATE(`session_start`)
CLUSTER BY `user_id`
OPTIONS (description = "User sessions: events separated by less than the inactivity gap, per user_id");

CREATE TABLE IF NOT EXISTS `funnel_conversion` (
  `funnel` STRING NOT NULL,
  `day` TIMESTAMP NOT NULL,
  `step` INT64 NOT NULL,
  `step_name` STRING NOT NULL,
  `users` INT64 NOT NULL,
  `step_conversion` FLOAT64 NOT NULL,
  `overall_conversion` FLOAT64 NOT NULL,
  `median_seconds_to_step` FLOAT64
)
PARTITION BY DATE(`day`)
CLUSTER BY `funnel`, `step`
OPTIONS (description = "Users reaching each step of each conversion funnel per UTC day of the attempt's start, with step and overall conversion and the median seconds from the first step");

CREATE TABLE IF NOT EXISTS `anomalies` (
  `series` STRING NOT NULL,
  `series_key` STRING NOT NULL,
  `window_start` TIMESTAMP NOT NULL,
  `window_end` TIMESTAMP NOT NULL,
  `value` INT64 NOT NULL,
  `mean` FLOAT64 NOT NULL,
  `stddev` FLOAT64 NOT NULL,
  `z_score` FLOAT64 NOT NULL,
  `direction` STRING NOT NULL
)
PARTITION BY DATE(`window_start`)
CLUSTER BY `series`, `series_key`
OPTIONS (description = "Per-minute event counts per event_type beyond the threshold in standard deviations of their rolling mean");

CREATE TABLE IF NOT EXISTS `errors_per_version_per_minute` (
  `window_start` TIMESTAMP NOT NULL,
  `window_end` TIMESTAMP NOT NULL,
  `app_version` STRING NOT NULL,
  `platform` STRING NOT NULL,
  `error_count` INT64 NOT NULL
)
PARTITION BY DATE(`window_start`)
CLUSTER BY `app_version`, `platform`
OPTIONS (description = "Error events per minute of event time by app_version and platform");

CREATE TABLE IF NOT EXISTS `user_activity_daily` (
  `day` TIMESTAMP NOT NULL,
  `user_id` STRING NOT NULL,
  `event_count` INT64 NOT NULL,
  `event_types` ARRAY<STRING>,
  `revenue` FLOAT64 NOT NULL,
  `first_event_at` TIMESTAMP NOT NULL,
  `last_event_at` TIMESTAMP NOT NULL
)
PARTITION BY DATE(`day`)
CLUSTER BY `user_id`
OPTIONS (description = "What each user did on each UTC day: events, event types, purchase revenue, first and last event time");

CREATE TABLE IF NOT EXISTS `user_first_seen` (
  `user_id` STRING NOT NULL,
  `event_type` STRING NOT NULL,
  `first_seen_day` TIMESTAMP NOT NULL
)
PARTITION BY DATE(`first_seen_day`)
CLUSTER BY `user_id`, `event_type`
OPTIONS (description = "The first UTC day each user sent each event type, and any event ('all'), over all runs");

CREATE TABLE IF NOT EXISTS `retention_daily` (
  `cohort_type` STRING NOT NULL,
  `cohort_day` TIMESTAMP NOT NULL,
  `day_n` INT64 NOT NULL,
  `start_event` STRING NOT NULL,
  `return_event` STRING NOT NULL,
  `cohort_size` INT64 NOT NULL,
  `retained` INT64 NOT NULL,
  `retained_or_later` INT64 NOT NULL,
  `complete` BOOL NOT NULL
)
PARTITION BY DATE(`cohort_day`)
CLUSTER BY `cohort_type`, `day_n`, `start_event`, `return_event`
OPTIONS (description = "Daily retention cohorts (first-time and recurring): users of each cohort day active N = 0..30 days later, exactly then and then or later");

CREATE TABLE IF NOT EXISTS `retention_weekly` (
  `cohort_type` STRING NOT NULL,
  `cohort_week` TIMESTAMP NOT NULL,
  `week_n` INT64 NOT NULL,
  `start_event` STRING NOT NULL,
  `return_event` STRING NOT NULL,
  `cohort_size` INT64 NOT NULL,
  `retained` INT64 NOT NULL,
  `retained_or_later` INT64 NOT NULL,
  `complete` BOOL NOT NULL
)
PARTITION BY DATE(`cohort_week`)
CLUSTER BY `cohort_type`, `week_n`, `start_event`, `return_event`
OPTIONS (description = "Weekly retention cohorts (ISO weeks): users of each cohort week active N = 0..12 weeks later, exactly then and then or later");

CREATE TABLE IF NOT EXISTS `stickiness` (
  `day` TIMESTAMP NOT NULL,
  `window_days` INT64 NOT NULL,
  `active_days` INT64 NOT NULL,
  `users_exactly` INT64 NOT NULL,
  `users_at_least` INT64 NOT NULL,
  `days_with_data` INT64 NOT NULL
)
PARTITION BY DATE(`day`)
CLUSTER BY `window_days`, `active_days`
OPTIONS (description = "Users active on exactly and at least N of the last 7 and 28 days, per day");

CREATE TABLE IF NOT EXISTS `user_lifecycle` (
  `period` STRING NOT NULL,
  `period_start` TIMESTAMP NOT NULL,
  `active_users` INT64 NOT NULL,
  `new_users` INT64 NOT NULL,
  `returning_users` INT64 NOT NULL,
  `resurrecting_users` INT64 NOT NULL,
  `dormant_users` INT64 NOT NULL
)
PARTITION BY DATE(`period_start`)
CLUSTER BY `period`
OPTIONS (description = "New, returning, resurrecting and dormant users per day and per ISO week");

CREATE TABLE IF NOT EXISTS `user_touchpoints` (
  `event_timestamp` TIMESTAMP NOT NULL,
  `user_id` STRING NOT NULL,
  `event_id` STRING NOT NULL,
  `kind` STRING NOT NULL,
  `revenue` FLOAT64 NOT NULL,
  `source` STRING NOT NULL,
  `medium` STRING NOT NULL,
  `campaign` STRING NOT NULL
)
PARTITION BY DATE(`event_timestamp`)
CLUSTER BY `user_id`, `event_id`, `kind`
OPTIONS (description = "Each user's marketing touchpoints (utm_source or referrer, with source, medium and campaign) and purchases (with revenue), one row per event");

CREATE TABLE IF NOT EXISTS `revenue_attribution` (
  `day` TIMESTAMP NOT NULL,
  `model` STRING NOT NULL,
  `source` STRING NOT NULL,
  `medium` STRING NOT NULL,
  `campaign` STRING NOT NULL,
  `revenue` FLOAT64 NOT NULL,
  `purchases` FLOAT64 NOT NULL
)
PARTITION BY DATE(`day`)
CLUSTER BY `model`, `source`, `medium`, `campaign`
OPTIONS (description = "Purchase revenue credited to the touchpoints of the 30 days (--attributionLookbackDays) before, per purchase day, channel and model (first touch, last touch, linear, position-based 40/20/40, time decay with a 7-day half-life)");
