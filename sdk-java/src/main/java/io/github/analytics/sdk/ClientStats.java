package io.github.analytics.sdk;

/**
 * What an {@link Analytics} client did with the messages given to it, since it was made. Every
 * message given to {@code enqueue} ends in exactly one of {@code delivered}, {@code rejected},
 * {@code dropped}, {@code failed}, or is still {@code pending}.
 *
 * @param enqueued messages given to {@code enqueue}
 * @param delivered accepted by the collector (it answered 200 for their batch and did not reject them)
 * @param rejected refused for good: the collector put them on its dead-letter topic (it answered 200
 *     and counted them rejected), or answered 400, 401, 403 or 413 for their batch, or the message
 *     was over {@link AnalyticsSettings#MAX_MESSAGE_BYTES} or could not be written as JSON
 * @param dropped not queued because {@link AnalyticsSettings#maxQueuedMessages} were held already
 * @param failed given up after {@link AnalyticsSettings#maxRetries} retries, or still unsent when
 *     {@code close} ran out of time
 * @param pending queued or being sent now
 * @param requests HTTP requests made, retries included
 * @param retries requests that were a retry of a failed one
 */
public record ClientStats(long enqueued, long delivered, long rejected, long dropped, long failed, long pending,
    long requests, long retries) {}
