-- The oracle: classifies every archived record with SQL alone, independently of the Java parser,
-- following the rules the README documents (first failing check wins). {archive} and the dates are
-- filled in by the test. Result: one row per record with its outcome ('VALID' or a reason code),
-- and for valid records the event time: the client's clock, capped at the server's (or arrival) time.
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
-- An identifier longer than its limit in code points (length counts them), or holding a C0 or C1
-- control, DEL, U+2028/U+2029 or a bidirectional control; NULL when the field is absent.
-- The rule's last clause, no unpaired surrogate, needs no test here and cannot have one: a VARCHAR
-- is UTF-8 and holds none, and DuckDB's JSON reader refuses a document with a lone surrogate escape
-- anywhere ('\ud800': json_valid is false, "no low surrogate in string"). Such a record is
-- MALFORMED_JSON to this oracle, as it was before the rule, where the parser says
-- INVALID_IDENTIFIER (in an identifier) or VALID (elsewhere, e.g. user_agent). The generator writes
-- no lone surrogate; a pair ('\ud83d\ude00', one emoji) is read as its character and allowed.
CREATE OR REPLACE MACRO bad_ident(doc, path, max_length) AS
  length(json_extract_string(doc, path)) > max_length
    OR regexp_matches(json_extract_string(doc, path),
        '[\x{00}-\x{1F}\x{7F}-\x{9F}\x{2028}-\x{202E}\x{2066}-\x{2069}]');
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

CREATE OR REPLACE TABLE oracle AS
WITH raw AS (
  SELECT payload, received_at, octet_length(payload) AS bytes, try(decode(payload)) AS text
  FROM read_parquet('{archive}/dt=*/hour=*/*.parquet', hive_partitioning = true)
  WHERE dt BETWEEN '{from}' AND '{to}'
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
        CASE WHEN bad_ident(doc, '$.event_type', 128) OR bad_ident(doc, '$.user_id', 256)
            OR bad_ident(doc, '$.session_id', 256) OR bad_ident(doc, '$.platform', 64)
            OR bad_ident(doc, '$.app_version', 64)
          THEN 'INVALID_IDENTIFIER' END,
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
       CASE WHEN outcome = 'VALID' THEN json_extract_string(doc, '$.properties') END AS properties,
       CASE WHEN outcome = 'VALID' THEN json_extract_string(doc, '$.platform') END AS platform,
       CASE WHEN outcome = 'VALID' THEN json_extract_string(doc, '$.app_version') END AS app_version,
       CASE WHEN outcome = 'VALID' THEN least(ts_value(doc, '$.client_timestamp'),
           coalesce(ts_value(doc, '$.server_timestamp'), received_at)) END AS event_time,
       received_at
FROM checked;
