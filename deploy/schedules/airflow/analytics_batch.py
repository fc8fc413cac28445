"""Airflow DAGs for the batch layer: an hourly run and a backfill of any range.

Both call `analytics backfill`, which skips days already complete (their marker matches the archive),
replaces rather than adds to a day that runs, and exits 1 if a day failed, so Airflow's retries and
catch-up are safe. Set the Airflow Variables `analytics_jar` (the bundle, see the README's Packaging)
and `analytics_args` (archive, warehouse and runner options, as in deploy/schedules/cron/batch.env).
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.models.param import Param
from airflow.operators.bash import BashOperator

COMMAND = (
    "java -Xmx2g -XX:+UseParallelGC -jar {{ var.value.analytics_jar }} backfill"
    " --from {{ params.get('from') or data_interval_start.subtract(days=1).strftime('%Y-%m-%d') }}"
    " --to {{ params.get('to') or data_interval_end.strftime('%Y-%m-%d') }}"
    " {{ '--force' if params.get('force') else '' }}"
    " {{ var.value.analytics_args }}"
)

DEFAULTS = {
    "owner": "analytics",
    # A failed day exits 1; the retry runs only the days that are not complete.
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
}

with DAG(
    dag_id="analytics_batch_hourly",
    description="The batch layer for yesterday and today (UTC), every hour",
    schedule="10 * * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    # Two runs at once would write the same days.
    max_active_runs=1,
    default_args=DEFAULTS,
    params={"from": None, "to": None, "force": False},
) as hourly:
    BashOperator(task_id="batch", bash_command=COMMAND, execution_timeout=timedelta(minutes=55))

with DAG(
    dag_id="analytics_backfill",
    description="A backfill of a range of days: trigger with from/to (and force to re-run complete days)",
    schedule=None,
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULTS,
    params={
        "from": Param("2026-11-01", type="string", format="date", description="First day (UTC)"),
        "to": Param("2026-11-07", type="string", format="date", description="Last day (UTC)"),
        "force": Param(False, type="boolean", description="Re-run days already complete"),
    },
) as backfill:
    BashOperator(task_id="backfill", bash_command=COMMAND)
