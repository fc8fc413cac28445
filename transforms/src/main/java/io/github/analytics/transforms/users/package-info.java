/**
 * The per-user stage: one stateful step keyed by {@code user_id} that carries everything both layers
 * compute per user — deduplication and the per-user metrics (sessions, funnels) — so that the events
 * are shuffled once for all of them, with one state cell and one timer per user. {@link
 * io.github.analytics.transforms.users.UserMetric} is what a per-user metric implements; {@link
 * io.github.analytics.transforms.users.UserStage} runs them.
 */
package io.github.analytics.transforms.users;
