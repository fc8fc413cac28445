-- The DuckDB baseline of the batch section: the batch layer's outputs, as far as SQL can compute
-- them, over the same Parquet archive. {archive} and {day} are filled in by DuckDbBaseline.
-- Each statement is timed as part of one run. The record checks follow the rules the README
-- documents (first failing check wins), as pipelines' BatchPipelineTest oracle does (classify.sql
-- there): DuckDB must dead-letter the same records, or the per-minute totals could not agree.
--
-- It is written to be as fast as DuckDB is, or the comparison would flatter the pipeline: every JSON
-- function parses its document again, so a record is parsed three times in all, not once per check
-- (dozens): json_valid, json_type given a list of every field's path (one parse for all of them),
-- json_extract_string given a list of the paths whose values are read. The checks below are the
-- oracle's, applied to those types and values instead of (doc, path).
-- classified and unique_events are intermediates, TEMP tables (in memory, spilling to the database's
-- .tmp directory when large): only the outputs are written to the database file, as the pipeline
-- writes only its outputs to the warehouse.

-- t: a field's json_type (NULL when absent, 'NULL' for a JSON null); v: its json_extract_string.
CREATE OR REPLACE MACRO req(t, v) AS
  CASE
    WHEN t IS NULL OR t = 'NULL' THEN 'MISSING_FIELD'
    WHEN t <> 'VARCHAR' THEN 'WRONG_TYPE'
    WHEN trim(v) = '' THEN 'MISSING_FIELD'
  END;
CREATE OR REPLACE MACRO opt(t) AS
  CASE
    WHEN t IS NOT NULL AND t NOT IN ('NULL', 'VARCHAR') THEN 'WRONG_TYPE'
  END;
-- The identifier rule: lengths in code points (length counts them), then one regular expression
-- over the five values at once (concat_ws skips an absent app_version; its space is allowed) for a
-- C0 or C1 control, DEL, U+2028/U+2029 or a bidirectional control.
-- The rule's last clause, no unpaired surrogate, has no test here, as in classify.sql: a VARCHAR
-- holds none, and json_valid is false for a document with a lone surrogate escape anywhere, so such
-- a record is MALFORMED_JSON here (INVALID_IDENTIFIER or VALID to the pipeline). The generator
-- writes none.
CREATE OR REPLACE MACRO bad_idents(event_type, user_id, session_id, platform, app_version) AS
  length(event_type) > 128 OR length(user_id) > 256 OR length(session_id) > 256
    OR length(platform) > 64 OR length(app_version) > 64
    OR regexp_matches(concat_ws(' ', event_type, user_id, session_id, platform, app_version),
        '[\x{00}-\x{1F}\x{7F}-\x{9F}\x{2028}-\x{202E}\x{2066}-\x{2069}]');
CREATE OR REPLACE MACRO ts_type(t, v, required) AS
  CASE
    WHEN t IS NULL OR t = 'NULL' OR (t = 'VARCHAR' AND trim(v) = '')
      THEN CASE WHEN required THEN 'MISSING_FIELD' END
    WHEN t NOT IN ('VARCHAR', 'BIGINT', 'UBIGINT') THEN 'WRONG_TYPE'
  END;
-- An integer's json_extract_string is its digits, so the cast reads what CAST(json AS BIGINT) reads.
CREATE OR REPLACE MACRO ts_value(t, v) AS
  CASE
    WHEN t = 'VARCHAR' THEN try_cast(v AS TIMESTAMPTZ)
    WHEN t IN ('BIGINT', 'UBIGINT') THEN epoch_ms(CAST(v AS BIGINT))::TIMESTAMPTZ
  END;

-- 1. Parse and check every record (JSON parse of the payload bytes).
CREATE OR REPLACE TEMP TABLE classified AS
WITH raw AS (
  SELECT received_at, octet_length(payload) AS bytes, try(decode(payload)) AS text
  FROM read_parquet('{archive}/dt=*/hour=*/*.parquet', hive_partitioning = true)
),
typed AS (
  -- '$' is the root: the record is an object only if its type is OBJECT. An oversized payload is
  -- dead-lettered whatever it holds, so it is not parsed.
  SELECT received_at, bytes, text,
    CASE WHEN bytes <= 65536 AND json_valid(text) THEN json_type(text, ['$', '$.event_id',
        '$.event_type', '$.user_id', '$.session_id', '$.platform', '$.client_timestamp',
        '$.server_timestamp', '$.app_version', '$.client_ip', '$.user_agent', '$.properties']) END AS t
  FROM raw
),
valued AS (
  SELECT received_at, bytes, text, t,
    CASE WHEN t[1] = 'OBJECT' THEN json_extract_string(text, ['$.event_id', '$.event_type',
        '$.user_id', '$.session_id', '$.platform', '$.client_timestamp', '$.server_timestamp',
        '$.properties', '$.app_version']) END AS v
  FROM typed
),
fields AS (
  SELECT received_at, bytes, text IS NULL AS invalid_utf8, t[1] AS t_root,
    t[2] AS t_event_id, t[3] AS t_event_type, t[4] AS t_user_id, t[5] AS t_session_id,
    t[6] AS t_platform, t[7] AS t_client_timestamp, t[8] AS t_server_timestamp,
    t[9] AS t_app_version, t[10] AS t_client_ip, t[11] AS t_user_agent, t[12] AS t_properties,
    v[1] AS event_id, v[2] AS event_type, v[3] AS user_id, v[4] AS session_id, v[5] AS platform,
    v[6] AS client_timestamp, v[7] AS server_timestamp,
    -- an object's json_extract_string is the object written compactly, as json_extract writes it
    v[8] AS properties, v[9] AS app_version
  FROM valued
),
timed AS (
  SELECT *, ts_value(t_client_timestamp, client_timestamp) AS client_ts,
    ts_value(t_server_timestamp, server_timestamp) AS server_ts
  FROM fields
),
checked AS (
  SELECT *,
    CASE
      WHEN bytes > 65536 THEN 'PAYLOAD_TOO_LARGE'
      WHEN invalid_utf8 THEN 'INVALID_UTF8'
      WHEN t_root IS NULL OR t_root <> 'OBJECT' THEN 'MALFORMED_JSON'
      ELSE coalesce(
        req(t_event_id, event_id), req(t_event_type, event_type), req(t_user_id, user_id),
        req(t_session_id, session_id), req(t_platform, platform),
        ts_type(t_client_timestamp, client_timestamp, true),
        ts_type(t_server_timestamp, server_timestamp, false),
        opt(t_app_version), opt(t_client_ip), opt(t_user_agent),
        CASE WHEN bad_idents(event_type, user_id, session_id, platform, app_version)
          THEN 'INVALID_IDENTIFIER' END,
        CASE WHEN NOT regexp_full_match(event_id,
            '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
          THEN 'INVALID_EVENT_ID' END,
        CASE WHEN client_ts IS NULL THEN 'INVALID_TIMESTAMP' END,
        CASE WHEN ts_type(t_server_timestamp, server_timestamp, false) IS NULL
            AND t_server_timestamp NOT IN ('NULL')
            AND trim(coalesce(server_timestamp, '')) <> ''
            AND server_ts IS NULL
          THEN 'INVALID_TIMESTAMP' END,
        CASE WHEN client_ts < coalesce(server_ts, received_at) - INTERVAL 30 DAY
            OR client_ts > coalesce(server_ts, received_at) + INTERVAL 1 DAY
          THEN 'TIMESTAMP_OUT_OF_RANGE' END,
        CASE WHEN t_properties IS NOT NULL AND t_properties NOT IN ('NULL', 'OBJECT')
          THEN 'INVALID_PROPERTIES' END,
        CASE WHEN strlen(properties) > 16384 THEN 'PROPERTIES_TOO_LARGE' END,
        'VALID')
    END AS outcome
  FROM timed
)
-- event_id as a UUID: every text the check above admits casts, and reads back as lower(event_id),
-- the form the pipeline stores; 16 bytes hash and sort faster than 36 characters.
SELECT outcome,
       CASE WHEN outcome = 'VALID' THEN CAST(event_id AS UUID) END AS event_id,
       CASE WHEN outcome = 'VALID' THEN event_type END AS event_type,
       CASE WHEN outcome = 'VALID' THEN user_id END AS user_id,
       CASE WHEN outcome = 'VALID' THEN platform END AS platform,
       CASE WHEN outcome = 'VALID' THEN least(client_ts, coalesce(server_ts, received_at)) END AS event_time,
       received_at
FROM checked;

-- 2. Deduplicate by event_id: the earliest copy, as the pipeline keeps it. One arg_min of the whole
--    copy rather than one per column: a single aggregate, and the fields of one copy together.
CREATE OR REPLACE TEMP TABLE unique_events AS
SELECT event_id, first.event_type, first.user_id, first.platform, first.event_time
FROM (
  SELECT event_id, arg_min({'event_type': event_type, 'user_id': user_id, 'platform': platform,
      'event_time': event_time}, event_time) AS first
  FROM classified WHERE outcome = 'VALID' GROUP BY event_id
);

-- 3. Per-minute counts by event type and platform, for the day of the event time.
CREATE OR REPLACE TABLE per_minute AS
SELECT event_type, platform, date_trunc('minute', event_time) AS minute, count(*) AS n
FROM unique_events WHERE CAST(event_time AS DATE) = DATE '{day}' GROUP BY ALL;

-- 4. Hourly distinct users by event type, approximately (DuckDB's HyperLogLog).
CREATE OR REPLACE TABLE distinct_users_hourly AS
SELECT event_type, date_trunc('hour', event_time) AS hour, approx_count_distinct(user_id) AS users
FROM unique_events WHERE CAST(event_time AS DATE) = DATE '{day}' GROUP BY ALL;

-- 5. Sessions: a user's events in time order, split wherever the gap is 30 minutes or more; a session
--    belongs to the day it starts. The gap test compares timestamps (previous > this - 30 min), the
--    same test as (this - previous < 30 min) without computing an interval per event.
CREATE OR REPLACE TABLE sessions AS
WITH marked AS (
  SELECT user_id, event_id, event_type, event_time,
    CASE WHEN lag(event_time) OVER (PARTITION BY user_id ORDER BY event_time, event_id)
        > event_time - INTERVAL 30 MINUTE THEN 0 ELSE 1 END AS starts
  FROM unique_events
), numbered AS (
  SELECT *, sum(starts) OVER (PARTITION BY user_id ORDER BY event_time, event_id
      ROWS UNBOUNDED PRECEDING) AS session FROM marked
)
SELECT user_id, session, min(event_time) AS session_start, max(event_time) AS session_end,
       count(*) AS events, count(*) FILTER (WHERE event_type = 'page_view') AS page_views
FROM numbered GROUP BY ALL HAVING CAST(min(event_time) AS DATE) = DATE '{day}';
