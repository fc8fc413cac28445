/**
 * Warehouse analytics: metrics over each user's activity across days (first-seen days, retention
 * cohorts, stickiness, lifecycle), which need more days than one batch run reads. The batch layer
 * computes {@link io.github.analytics.transforms.warehouse.UserActivityDaily} from its run's events and
 * reads the earlier and later days of it (and the first-seen table) back from the warehouse; {@link
 * io.github.analytics.transforms.warehouse.UserHistories} joins both into one {@link
 * io.github.analytics.transforms.warehouse.UserHistory} per user, which every metric here reads. Each
 * metric recomputes exactly the rows its run can change ({@link
 * io.github.analytics.transforms.warehouse.WarehouseMetric#replacedDays}), so re-runs and backfills in
 * any order replace those rows and leave the others alone.
 */
package io.github.analytics.transforms.warehouse;
