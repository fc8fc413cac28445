/**
 * The dead-letter replay ({@code analytics replay-dead-letters}): {@link
 * io.github.analytics.pipelines.replay.DeadLetterReplay} reads the streaming job's dead-letter topic
 * as a consumer group and sends the records that parse now back into the event topic, in Kafka
 * transactions that also commit the group's offsets, so a run stopped anywhere and run again sends
 * each record once. {@link io.github.analytics.pipelines.replay.ReplaySettings} is what to read and
 * how to decide; {@link io.github.analytics.pipelines.replay.ReplayResult} what a run did.
 */
package io.github.analytics.pipelines.replay;
