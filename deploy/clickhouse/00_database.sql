-- 00: the database every other file writes into. One statement per file: ClickHouse's HTTP interface
-- refuses several statements in one request, and apply.sh sends each file as one request.
CREATE DATABASE IF NOT EXISTS analytics
