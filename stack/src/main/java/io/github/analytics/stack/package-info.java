/**
 * The local stack: a real single-node Kafka broker (KRaft, in a JVM of its own), a real Redis server
 * and, on request, S3Proxy (an S3-compatible server, in a JVM of its own), on loopback and free ports,
 * started and stopped by tests, the demo and the benchmarks; and a real ClickHouse server, started by
 * the tests of the OLAP deploy files ({@code deploy/clickhouse}).
 */
package io.github.analytics.stack;
