-- 02: the stored per-minute counts: one row per (window_start, event_type, platform, country) after
-- merges, holding the MAXIMUM count seen for the key.
--
-- Why max: the pipeline publishes the absolute count of a key at every pane (early panes, the on-time
-- pane, late panes, and again after a replay), and each later pane's count is >= the earlier's. The
-- maximum of all records of a key is therefore the latest count, whatever the order the records arrive
-- in and however often one is repeated; a sum would count every pane again.
--
-- AggregatingMergeTree with maxState rather than SimpleAggregateFunction(max, ...): ClickHouse 18.16
-- does not know SimpleAggregateFunction ("Unknown data type family"). Rather than ReplacingMergeTree:
-- a ReplacingMergeTree is only deduplicated after a merge (or with FINAL at query time), while
-- maxMerge ... GROUP BY (04) is exact at any moment, over merged and unmerged parts alike.
CREATE TABLE IF NOT EXISTS analytics.events_per_minute_agg
(
    window_start     DateTime,                          -- stored as epoch seconds: no time zone
    event_type       String,
    platform         String,
    country          String,
    event_count      AggregateFunction(max, UInt64),
    window_end       AggregateFunction(max, DateTime),
    last_emitted_at  AggregateFunction(max, DateTime)   -- when the newest pane was published (seconds)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(window_start)
ORDER BY (window_start, event_type, platform, country)
