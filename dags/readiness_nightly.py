"""
### readiness_nightly

Every night: land the HR, LMS and finance extracts into `raw.*` (every row loaded or quarantined with a
reason), validate each new delivery with its Great Expectations suite, build the dbt project into a
candidate DuckDB file, audit it (GX on the marts, sanity checks against the published version) and
publish it atomically as `warehouse/readiness.duckdb`; then export the marts (Parquet, CSV) and write
the readiness report (`reports/latest.html`). With `READINESS_WAREHOUSE=postgres` the same steps run on
the Postgres warehouse: candidate schemas, audited and swapped in as `marts` in one transaction.

A bad delivery stops the run before dbt and leaves the published warehouse untouched; the failing
task's log and `ops.pipeline_runs` say what to fix. All logic lives in the `readiness` package; this
file only wires it. Every task that writes DuckDB runs in the single-slot pool `readiness_duckdb`.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, Metadata, TaskGroup, dag, task

# Only light modules at the top: the scheduler re-parses this file every 30 s, and the stages (pandas,
# pyarrow, DuckDB, dbt, GX) are imported by the tasks when they run (tests/dags checks it).
from readiness.config import Settings
from readiness.contracts import SOURCES, extracts_of
from readiness.marts import mart_names
from readiness.tasks import record_failure
from readiness.transform import dbt_task_group

#: DuckDB has one writer per file: every task that writes goes through this one-slot pool.
POOL = "readiness_duckdb"
MART_ASSETS = {
    mart: Asset(name=f"readiness.marts.{mart}", uri=f"duckdb://readiness/marts/{mart}") for mart in mart_names()
}


# --- alerts (readiness.alerts): one message per failed run, one digest per published night ---
def _alert_failed_run(context: dict) -> None:
    from readiness.alerts import notify_failed_run

    notify_failed_run(context)


@dag(
    dag_id="readiness_nightly",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["readiness", "hr", "lms", "finance"],
    doc_md=__doc__,
    on_failure_callback=_alert_failed_run,
    default_args={
        "owner": "data-platform",
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "pool": POOL,
        "on_failure_callback": record_failure,
    },
)
def readiness_nightly() -> None:
    # run_id and ds are filled in by Airflow from the task's context.
    @task
    def start_run(run_id: str | None = None, ds: str | None = None) -> None:
        from readiness import tasks

        tasks.start(str(run_id), pendulum.parse(str(ds)).date())

    @task
    def load(extract: str, run_id: str | None = None) -> dict:
        from readiness import tasks

        return tasks.load(extract, str(run_id))

    @task
    def validate(extract: str) -> dict:
        from readiness import tasks

        return tasks.validate_deliveries(extract)

    @task
    def prepare_candidate() -> str:
        from readiness import tasks

        return tasks.prepare_candidate()

    @task(outlets=list(MART_ASSETS.values()))
    def publish(run_id: str | None = None, ds: str | None = None):
        from readiness import tasks

        row_counts = tasks.publish_candidate(str(run_id), str(ds))
        for mart, asset in MART_ASSETS.items():
            yield Metadata(asset, {"row_count": row_counts[mart]})

    @task
    def export() -> dict:
        from readiness import tasks

        return tasks.export_marts()

    @task
    def report() -> str:
        from readiness import tasks

        return tasks.write_report()

    @task
    def dbt_docs(ds: str | None = None) -> str:
        from readiness import tasks

        return tasks.write_dbt_docs(str(ds))

    @task
    def alert(run_id: str | None = None, ds: str | None = None) -> str | None:
        from readiness.alerts import alert_night

        return alert_night(str(run_id), pendulum.parse(str(ds)).date())

    started = start_run()
    validated = []
    for source in SOURCES:
        with TaskGroup(group_id=source, tooltip=f"Land and validate the {source.upper()} extracts"):
            for extract in extracts_of(source):
                loaded = load.override(task_id=f"load_{extract.name}")(extract.qualified_name)
                checked = validate.override(task_id=f"validate_{extract.name}")(extract.qualified_name)
                started >> loaded >> checked
                validated.append(checked)

    candidate = prepare_candidate()
    transform = dbt_task_group(Settings.from_env(), group_id="transform", pool=POOL, as_of_date="{{ ds }}")
    published = publish()
    validated >> candidate >> transform >> published
    published >> export() >> report()
    published >> dbt_docs()
    published >> alert()


readiness_nightly()
