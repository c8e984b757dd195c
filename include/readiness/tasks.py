"""What each task of the nightly DAG does: one call into the package, and the translation of a
data problem into a failure Airflow must not retry (retrying cannot fix a bad file; it would only
hide the error until the retries run out).

The DAG file imports this module when the scheduler parses it (every 30 s), so the stages, which
bring pandas, pyarrow, DuckDB, dbt and GX, are imported inside the functions, when a task runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

from airflow.sdk.exceptions import AirflowFailException

from readiness.config import Settings
from readiness.contracts import get_extract

log = logging.getLogger(__name__)
T = TypeVar("T")


def data_errors() -> tuple[type[Exception], ...]:
    """Errors in the data or its delivery: a person must act, a retry would fail the same way."""
    from readiness import ingest, ops, publish, validate

    return (
        ingest.NeverDelivered,
        ingest.DeliveriesRejected,
        ops.RawTableMismatch,
        validate.ValidationFailed,
        publish.AuditFailed,
    )


@contextmanager
def _no_retry_on_data_errors() -> Iterator[None]:
    try:
        yield
    except data_errors() as exc:
        log.error("%s", exc)
        raise AirflowFailException(str(exc)) from exc


def _run(func: Callable[[], T]) -> T:
    with _no_retry_on_data_errors():
        return func()


def start(run_id: str, as_of_date: date) -> None:
    from readiness import runs

    runs.start_run(Settings.from_env(), run_id, as_of_date)


def load(extract_name: str, run_id: str) -> dict[str, Any]:
    from readiness import ingest

    settings = Settings.from_env()
    report = _run(lambda: ingest.load_extract(settings, get_extract(extract_name), run_id))
    age = f", latest as-of {report.latest_as_of}" if report.latest_as_of else ""
    log.info("%s: %d new file(s)%s", extract_name, len(report.files), age)
    return {
        "extract": extract_name,
        "files": [f.__dict__ for f in report.files],
        "latest_as_of": str(report.latest_as_of) if report.latest_as_of else None,
    }


def validate_deliveries(extract_name: str) -> dict[str, Any]:
    from readiness import validate

    settings = Settings.from_env()
    report = _run(lambda: validate.validate_extract(settings, get_extract(extract_name)))
    log.info("%s: %s", extract_name, report.summary())
    return {"extract": extract_name, "summary": report.summary(), "success": report.success}


def prepare_candidate(run_id: str | None = None) -> str:
    """Start tonight's candidate, or, when nothing changed since the published version, stop the night here.

    A night with no new delivery (and the same dbt project) would build the same marts again and publish a
    copy, taking a rollback slot: instead the run is recorded as ``unchanged`` and the tasks after this one
    (dbt, publish, export, report) are skipped, so the published version stays the one readers have.
    """
    from airflow.sdk.exceptions import AirflowSkipException

    from readiness import publish, unchanged

    settings = Settings.from_env()
    reason = unchanged.nothing_new(settings)
    if reason is not None:
        unchanged.record_unchanged(settings, run_id or _current_run_id(), reason)
        log.info("nothing to build: %s", reason)
        raise AirflowSkipException(reason)
    _give_back_memory()
    return str(publish.prepare_candidate(settings))


def _give_back_memory() -> None:
    """Hand the memory the loads and validations freed back to the system before dbt's process starts.

    Under `airflow dags test` (`make run`, the benchmark) every task runs in one process: GX leaves the
    frames of a validated batch in reference cycles, and glibc keeps freed memory for reuse, so dbt's
    process would start beside a gigabyte or two of the validations' (at 100,000 workers the process held
    1.9-2.0 GB after validating the three largest deliveries, 1.0-1.5 GB after this). On a worker each task
    is its own process and this costs one collection (about 0.1 s).
    """
    import ctypes
    import gc
    from contextlib import suppress

    gc.collect()
    with suppress(OSError, AttributeError):  # not glibc (macOS, musl): the collection is the larger part
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def build_postgres(as_of_date: str) -> None:
    """The Postgres warehouse's dbt step (READINESS_WAREHOUSE=postgres): `dbt build` into the candidate schemas."""
    from readiness import pg

    output = pg.build(Settings.from_env(), as_of_date)
    log.info("dbt build on %s:\n%s", pg.where(Settings.from_env()), output)


def _current_run_id() -> str:
    from airflow.sdk import get_current_context

    return str(get_current_context()["run_id"])


def publish_candidate(run_id: str, as_of_date: str) -> dict[str, int]:
    from readiness import publish, runs, unchanged

    settings = Settings.from_env()
    started = time.perf_counter()
    publication = _run(lambda: publish.publish(settings, run_id, as_of_date))
    log.info("audit and publish took %.2f s", time.perf_counter() - started)
    runs.finish_run(settings, run_id, published=True, row_counts=publication.row_counts)
    # What the published version was built from, for the next night's test of whether anything changed.
    unchanged.record_published_build(settings, run_id)
    return publication.row_counts


def export_marts() -> dict[str, int]:
    """Parquet and CSV copies of the marts just published."""
    from readiness import export

    return {e.mart: e.rows for e in export.export_marts(Settings.from_env())}


def write_report() -> str:
    from readiness import report

    return str(report.write_report(Settings.from_env()).path)


def write_dbt_docs(as_of_date: str) -> str:
    """The dbt docs site of the published warehouse: every model, column and rule, for its readers.

    The page describes the dbt project (models, macros, seeds, the settings dbt gets): it is made again when
    that changed since it was made, not every night (`dbt docs generate` copies the warehouse and reads its
    catalogue: 10-20 s a night at 10,000 workers, for the same page).
    """
    from readiness.transform import docs_dir, generate_docs
    from readiness.unchanged import made_by_this_project, record_project

    settings = Settings.from_env()
    page, record = docs_dir(settings) / "index.html", settings.build_dir / "docs-project.json"
    if page.exists() and made_by_this_project(settings, record):
        log.info("dbt docs: the project is the one %s describes; not generated again", page)
        return str(page)
    generated = generate_docs(settings, as_of_date=as_of_date)
    record_project(settings, record)
    return str(generated)


def record_failure(context: dict[str, Any]) -> None:
    """on_failure_callback: the run's row in ops.pipeline_runs says which step failed and why."""
    task_instance = context.get("ti") or context.get("task_instance")
    run_id = context.get("run_id") or getattr(context.get("dag_run"), "run_id", None)
    if not run_id:
        return
    try:
        from readiness import runs

        runs.record_task_failure(
            Settings.from_env(),
            str(run_id),
            task_id=str(getattr(task_instance, "task_id", None) or "unknown"),
            try_number=getattr(task_instance, "try_number", None),
            reason=str(context.get("exception") or "see the task log"),
        )
    except Exception:  # the callback must never hide the original failure
        log.exception("could not record the failure in ops.pipeline_runs")
