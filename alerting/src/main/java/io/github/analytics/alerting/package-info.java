/**
 * The alerting service ({@code analytics alerts}): rules from a YAML file evaluated over the anomaly
 * stream and the metrics the streaming job writes to Redis ({@link io.github.analytics.alerting.RuleEvaluator}),
 * notified to a webhook with Alertmanager's semantics ({@link io.github.analytics.alerting.Notifier}),
 * delivered with retries ({@link io.github.analytics.alerting.WebhookDelivery}) and logged so restarts
 * neither lose nor repeat a notification ({@link io.github.analytics.alerting.NotificationLog}). No Beam.
 */
package io.github.analytics.alerting;
