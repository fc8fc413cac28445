/**
 * The local stack: a real single-node Kafka broker (KRaft, in a JVM of its own), a real Redis
 * server and, on request, S3Proxy (an S3-compatible server, in a JVM of its own), on loopback and
 * free ports, started and stopped by tests, the demo and the benchmarks.
 */
package io.github.analytics.stack;
