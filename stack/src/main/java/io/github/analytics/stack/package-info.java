/**
 * The local stack: a real single-node Kafka broker (KRaft, in a JVM of its own) and a real Redis
 * server on loopback and free ports, started and stopped by tests, the demo and the benchmarks.
 */
package io.github.analytics.stack;
