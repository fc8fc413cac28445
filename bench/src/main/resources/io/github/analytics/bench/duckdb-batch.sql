-- The DuckDB baseline of the batch section: the batch layer's outputs, as far as SQL can compute
-- them, over the same Parquet archive. {archive} and {day} are filled in by DuckDbBaseline.
-- Each statement is timed as part of one run. The record checks follow the rules the README
-- documents (first failing check wins), as pipelines' BatchPipelineTest oracle does (classify.sql
-- there): DuckDB must dead-letter the same records, or the per-minute totals could not agree.
CREATE OR REPLACE MACRO req(doc, path) AS
  CASE
    WHEN json_type(doc, path) IS NULL OR json_type(doc, path) = 'NULL' THEN 'MISSING_FIELD'
    WHEN json_type(doc, path) <> 'VARCHAR' THEN 'WRONG_TYPE'
    WHEN trim(json_extract_string(doc, path)) = '' THEN 'MISSING_FIELD'
  END;
CREATE OR REPLACE MACRO opt(doc, path) AS
  CASE
    WHEN json_type(doc, path) IS NOT NULL AND json_type(doc, path) NOT IN ('NULL', 'VARCHAR')
      THEN 'WRONG_TYPE'
  END;
CREATE OR REPLACE MACRO ts_type(doc, path, required) AS
  CASE
    WHEN json_type(doc, path) IS NULL OR json_type(doc, path) = 'NULL'
        OR (json_type(doc, path) = 'VARCHAR' AND trim(json_extract_string(doc, path)) = '')
      THEN CASE WHEN required THEN 'MISSING_FIELD' END
    WHEN json_type(doc, path) NOT IN ('VARCHAR', 'BIGINT', 'UBIGINT') THEN 'WRONG_TYPE'
  END;
CREATE OR REPLACE MACRO ts_value(doc, path) AS
  CASE
    WHEN json_type(doc, path) = 'VARCHAR' THEN try_cast(json_extract_string(doc, path) AS TIMESTAMPTZ)
    WHEN json_type(doc, path) IN ('BIGINT', 'UBIGINT')
      THEN epoch_ms(CAST(json_extract(doc, path) AS BIGINT))::TIMESTAMPTZ
  END;

-- 1. Parse and check every record (JSON parse of the payload bytes).
CREATE OR REPLACE TABLE classified AS
WITH raw AS (
  SELECT payload, received_at, octet_length(payload) AS bytes, try(decode(payload)) AS text
  FROM read_parquet('{archive}/dt=*/hour=*/*.parquet', hive_partitioning = true)
),
parsed AS (
  SELECT *, CASE WHEN text IS NOT NULL AND json_valid(text) THEN text::JSON END AS doc FROM raw
),
checked AS (
  SELECT *,
    CASE
      WHEN bytes > 65536 THEN 'PAYLOAD_TOO_LARGE'
      WHEN text IS NULL THEN 'INVALID_UTF8'
      WHEN doc IS NULL OR json_type(doc) <> 'OBJECT' THEN 'MALFORMED_JSON'
      ELSE coalesce(
        req(doc, '$.event_id'), req(doc, '$.event_type'), req(doc, '$.user_id'),
        req(doc, '$.session_id'), req(doc, '$.platform'),
        ts_type(doc, '$.client_timestamp', true), ts_type(doc, '$.server_timestamp', false),
        opt(doc, '$.app_version'), opt(doc, '$.client_ip'), opt(doc, '$.user_agent'),
        CASE WHEN NOT regexp_full_match(json_extract_string(doc, '$.event_id'),
            '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
          THEN 'INVALID_EVENT_ID' END,
        CASE WHEN ts_value(doc, '$.client_timestamp') IS NULL THEN 'INVALID_TIMESTAMP' END,
        CASE WHEN ts_type(doc, '$.server_timestamp', false) IS NULL
            AND json_type(doc, '$.server_timestamp') NOT IN ('NULL')
            AND trim(coalesce(json_extract_string(doc, '$.server_timestamp'), '')) <> ''
            AND ts_value(doc, '$.server_timestamp') IS NULL
          THEN 'INVALID_TIMESTAMP' END,
        CASE WHEN ts_value(doc, '$.client_timestamp')
              < coalesce(ts_value(doc, '$.server_timestamp'), received_at) - INTERVAL 30 DAY
            OR ts_value(doc, '$.client_timestamp')
              > coalesce(ts_value(doc, '$.server_timestamp'), received_at) + INTERVAL 1 DAY
          THEN 'TIMESTAMP_OUT_OF_RANGE' END,
        CASE WHEN json_type(doc, '$.properties') IS NOT NULL
            AND json_type(doc, '$.properties') NOT IN ('NULL', 'OBJECT')
          THEN 'INVALID_PROPERTIES' END,
        CASE WHEN strlen(CAST(json_extract(doc, '$.properties') AS VARCHAR)) > 16384
          THEN 'PROPERTIES_TOO_LARGE' END,
        'VALID')
    END AS outcome
  FROM parsed
)
SELECT outcome,
       CASE WHEN outcome = 'VALID' THEN lower(json_extract_string(doc, '$.event_id')) END AS event_id,
       CASE WHEN outcome = 'VALID' THEN json_extract_string(doc, '$.event_type') END AS event_type,
       CASE WHEN outcome = 'VALID' THEN json_extract_string(doc, '$.user_id') END AS user_id,
       CASE WHEN outcome = 'VALID' THEN json_extract_string(doc, '$.platform') END AS platform,
       CASE WHEN outcome = 'VALID' THEN least(ts_value(doc, '$.client_timestamp'),
           coalesce(ts_value(doc, '$.server_timestamp'), received_at)) END AS event_time,
       received_at
FROM checked;

-- 2. Deduplicate by event_id: the earliest copy, as the pipeline keeps it.
CREATE OR REPLACE TABLE unique_events AS
SELECT event_id, arg_min(event_type, event_time) AS event_type, arg_min(user_id, event_time) AS user_id,
       arg_min(platform, event_time) AS platform, min(event_time) AS event_time
FROM classified WHERE outcome = 'VALID' GROUP BY event_id;

-- 3. Per-minute counts by event type and platform, for the day of the event time.
CREATE OR REPLACE TABLE per_minute AS
SELECT event_type, platform, date_trunc('minute', event_time) AS minute, count(*) AS n
FROM unique_events WHERE CAST(event_time AS DATE) = DATE '{day}' GROUP BY ALL;

-- 4. Hourly distinct users by event type, approximately (DuckDB's HyperLogLog).
CREATE OR REPLACE TABLE distinct_users_hourly AS
SELECT event_type, date_trunc('hour', event_time) AS hour, approx_count_distinct(user_id) AS users
FROM unique_events WHERE CAST(event_time AS DATE) = DATE '{day}' GROUP BY ALL;

-- 5. Sessions: a user's events in time order, split wherever the gap is 30 minutes or more; a session
--    belongs to the day it starts.
CREATE OR REPLACE TABLE sessions AS
WITH marked AS (
  SELECT user_id, event_id, event_type, event_time,
    CASE WHEN event_time - lag(event_time) OVER (PARTITION BY user_id ORDER BY event_time, event_id)
        < INTERVAL 30 MINUTE THEN 0 ELSE 1 END AS starts
  FROM unique_events
), numbered AS (
  SELECT *, sum(starts) OVER (PARTITION BY user_id ORDER BY event_time, event_id
      ROWS UNBOUNDED PRECEDING) AS session FROM marked
)
SELECT user_id, session, min(event_time) AS session_start, max(event_time) AS session_end,
       count(*) AS events, count(*) FILTER (WHERE event_type = 'page_view') AS page_views
FROM numbered GROUP BY ALL HAVING CAST(min(event_time) AS DATE) = DATE '{day}';
