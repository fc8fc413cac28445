/**
 * The local stack: a real single-node Kafka broker (KRaft, in a JVM of its own) and a real Redis
 * server on loopback and free ports, started and stopped by tests, the demo and the benchmarks; and a
 * real ClickHouse server, started by the tests of the OLAP deploy files ({@code deploy/clickhouse}).
 */
package io.github.analytics.stack;
