"""A night with no new delivery keeps the published version: nothing is built, the run says `unchanged`.

The published warehouse here is a DuckDB file holding what the decision reads (`marts.publication`), the
ingest database is the real one with its load manifest; no dbt runs (a night that must build is shown by
`prepare_candidate` creating the candidate, as it does before dbt).
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import date, datetime, timedelta

import duckdb
import pytest
from airflow.sdk.exceptions import AirflowSkipException

from readiness import ops, runs, tasks
from readiness.config import Settings
from readiness.unchanged import STATUS_UNCHANGED, forget_published_build, record_published_build

PUBLISHED_AT = datetime(2026, 11, 28, 2, 30)


def _published(settings: Settings) -> None:
    """Night 1 published at PUBLISHED_AT from the deliveries loaded before it."""
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.published_db)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.publication as select 'night-1' as run_id, date '2026-11-28' as as_of_date, "
            "?::timestamp as published_at, '{}'::json as row_counts",
            [PUBLISHED_AT],
        )
    duckdb.connect(str(settings.state_db)).close()
    _loaded(settings, "sha-of-night-1", PUBLISHED_AT - timedelta(minutes=20))
    record_published_build(settings, "night-1")


def _loaded(settings: Settings, load_id: str, received_at: datetime, status: str = ops.STATUS_LOADED) -> None:
    with ops.connect(settings.ingest_db) as con:
        con.execute(
            "insert into ops.load_manifest (load_id, source, extract, file_name, as_of_date, rows_read, rows_loaded, "
            "rows_quarantined, status, received_at) values (?, 'lms', 'statements', ?, ?, 1, 1, 0, ?, ?)",
            [load_id, f"statements_{received_at:%Y-%m-%d}.jsonl", received_at.date(), status, received_at],
        )


def _run(settings: Settings, run_id: str) -> tuple[str, str | None]:
    runs.start_run(settings, run_id, date(2026, 11, 29))
    with contextlib.suppress(AirflowSkipException):
        tasks.prepare_candidate(run_id)
    with ops.connect(settings.ingest_db, read_only=True) as con:
        return con.execute("select status, reason from ops.pipeline_runs where run_id = ?", [run_id]).fetchone()  # type: ignore[return-value]


def _fingerprint(settings: Settings) -> tuple[int, int, str]:
    stat = settings.published_db.stat()
    return stat.st_ino, stat.st_mtime_ns, hashlib.sha256(settings.published_db.read_bytes()).hexdigest()


def test_a_night_with_nothing_new_keeps_the_published_version(settings: Settings) -> None:
    _published(settings)
    _loaded(settings, "sha-rejected", PUBLISHED_AT + timedelta(hours=20), ops.STATUS_REJECTED)  # took out of raw
    before = _fingerprint(settings)

    with pytest.raises(AirflowSkipException, match="no delivery loaded since run night-1"):
        tasks.prepare_candidate("night-2")
    status, reason = _run(settings, "night-2b")

    assert status == STATUS_UNCHANGED
    assert reason and "night-1" in reason
    assert _fingerprint(settings) == before  # the same file, not a copy
    assert not settings.candidate_db.exists()
    assert not settings.versions_dir.exists() or not any(settings.versions_dir.iterdir())


@pytest.mark.parametrize("change", ["a new delivery", "no build state", "other settings", "a rollback", "an erasure"])
def test_a_night_builds_when_something_changed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    _published(settings)
    if change == "a new delivery":
        _loaded(settings, "sha-of-night-2", PUBLISHED_AT + timedelta(hours=23))
    elif change == "no build state":  # an erasure deletes it
        settings.state_db.unlink()
    elif change == "other settings":  # a setting dbt gets as a var changes the marts
        monkeypatch.setenv("READINESS_SMALL_CELL_THRESHOLD", "10")
    elif change == "a rollback":  # another version was put back: the record no longer describes what is published
        record_published_build(settings, "night-0")
    else:  # what `readiness erase` does besides deleting the build state and the person's rows
        forget_published_build(settings)

    status, _ = _run(settings, "night-2")

    assert status == "running"  # not finished: the night goes on to dbt
    assert settings.candidate_db.exists()
