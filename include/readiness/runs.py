"""Runs: the record of each pipeline run (``ops.pipeline_runs``), source freshness and the run summary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from readiness import ops
from readiness.config import Settings, make_private
from readiness.contracts import EXTRACTS


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def start_run(settings: Settings, run_id: str, as_of_date: date) -> None:
    settings.ensure_dirs()
    with _ops(settings) as con:
        # delete + insert rather than DuckDB's `insert or replace`: the same SQL runs on Postgres.
        con.execute("begin")
        con.execute("delete from ops.pipeline_runs where run_id = ?", [run_id])
        con.execute(
            "insert into ops.pipeline_runs (run_id, as_of_date, started_at, status) values (?, ?, ?, ?)",
            [run_id, as_of_date, _now(), "running"],
        )
        con.execute("commit")


@contextmanager
def _ops(settings: Settings) -> Iterator[Any]:
    """The ops tables of the configured warehouse, through a connection taking ``?`` parameters."""
    if settings.warehouse == "postgres":
        from readiness import pg

        with pg.connect(settings) as pg_con:
            yield pg.QmarkConnection(pg_con)
        return
    with ops.connect(settings.ingest_db) as con:
        make_private(settings.ingest_db)
        yield con


def finish_run(
    settings: Settings,
    run_id: str,
    *,
    published: bool,
    row_counts: dict[str, int] | None = None,
    failed_task: str | None = None,
    reason: str | None = None,
) -> None:
    with _ops(settings) as con:
        con.execute(
            "update ops.pipeline_runs set finished_at = ?, status = ?, published = ?, failed_task = ?, reason = ?, "
            "row_counts = coalesce(?, row_counts) where run_id = ?",
            [
                _now(),
                _status(published, failed_task),
                published,
                failed_task,
                reason,
                json.dumps(row_counts) if row_counts is not None else None,
                run_id,
            ],
        )


def _status(published: bool, failed_task: str | None) -> str:
    if not published:
        return "failed"
    # The new warehouse is live, but a step after it (exports, report, docs) failed: say so loudly.
    return "published_with_errors" if failed_task else "published"


def was_published(settings: Settings, run_id: str) -> bool:
    with ops.connect(settings.ingest_db, read_only=True) as con:
        row = con.execute("select published from ops.pipeline_runs where run_id = ?", [run_id]).fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class Freshness:
    extract: str
    latest_as_of: date | None
    age_days: int | None
    new_this_run: int
    statuses: dict[str, int]


@dataclass
class RunSummary:
    run_id: str | None
    status: str | None
    reason: str | None
    warehouse: str
    published_run_id: str | None
    mart_rows: dict[str, int] = field(default_factory=dict)
    extracts: list[Freshness] = field(default_factory=list)


def freshness(con: duckdb.DuckDBPyConnection, as_of: date, run_id: str | None) -> list[Freshness]:
    """How old each extract's latest loaded delivery is, and what this run received of it."""
    result = []
    for extract in EXTRACTS:
        # A re-sent unchanged file is still a delivery: it counts for freshness, not as new rows.
        latest = con.execute(
            "select max(as_of_date) from (select as_of_date from ops.load_manifest where source = $1 and "
            "extract = $2 and status = $3 union all select as_of_date from ops.duplicate_deliveries "
            "where source = $1 and extract = $2)",
            [extract.source, extract.name, ops.STATUS_LOADED],
        ).fetchone()[0]  # type: ignore[index]
        statuses = dict(
            con.execute(
                "select status, count(*) from (select status from ops.load_manifest where source = $1 and "
                "extract = $2 and run_id = $3 union all select 'unchanged' from ops.duplicate_deliveries "
                "where source = $1 and extract = $2 and run_id = $3) group by status",
                [extract.source, extract.name, run_id],
            ).fetchall()
        )
        result.append(
            Freshness(
                extract.qualified_name,
                latest,
                (as_of - latest).days if latest else None,
                sum(statuses.values()),
                statuses,
            )
        )
    return result


def summarise(settings: Settings, run_id: str | None = None) -> RunSummary:
    """The last run (or ``run_id``): status, rows per published mart, validation and freshness per extract."""
    with ops.connect(settings.ingest_db, read_only=True) as con:
        query = "select run_id, status, reason, as_of_date from ops.pipeline_runs "
        row = (
            con.execute(query + "where run_id = ?", [run_id]).fetchone()
            if run_id
            else con.execute(query + "order by started_at desc limit 1").fetchone()
        )
        run_id, status, reason, as_of = row if row else (None, None, None, date.today())
        extracts = freshness(con, as_of, run_id)
    summary = RunSummary(run_id, status, reason, str(settings.published_db), None, extracts=extracts)
    if settings.published_db.exists():
        with duckdb.connect(str(settings.published_db), read_only=True) as pub:
            summary.published_run_id = pub.execute("select run_id from marts.publication").fetchone()[0]  # type: ignore[index]
            tables = pub.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and table_name <> 'publication' order by 1"
            ).fetchall()
            summary.mart_rows = {
                t: pub.execute(f"select count(*) from marts.{t}").fetchone()[0]  # type: ignore[index]
                for (t,) in tables
            }
    return summary
