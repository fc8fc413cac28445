/**
 * The collector: the HTTP front door apps send events to. It speaks Segment's HTTP tracking API (so
 * Segment's SDKs send to it unchanged) and the project's own native format, checks each request,
 * stamps each event with the server's time, the client's address and user agent, and publishes it to
 * Kafka keyed by {@code user_id}; it answers 200 only once the broker has acknowledged every event.
 */
package io.github.analytics.collector;
