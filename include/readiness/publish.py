"""Publish: audit the candidate warehouse and swap it in atomically, keeping earlier versions.

Readers must see yesterday's warehouse or tonight's, never a mix: the candidate is built in its own
file, audited, stripped of everything that is not for BI, and moved over the published file with
``os.replace`` (atomic on one filesystem). The file it replaces is kept, hard-linked into
``versions/``, for ``readiness rollback``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from readiness.config import Settings
from readiness.contracts import MARTS

log = logging.getLogger(__name__)

#: Schemas of the candidate that are build steps, not interface: they hold names and e-mails (staging)
#: and views over the ingest database, which readers do not have.
BUILD_SCHEMAS: tuple[str, ...] = ("staging", "intermediate")


class AuditFailed(Exception):
    """The candidate is not fit to publish; the published warehouse was left as it was."""


@dataclass(frozen=True)
class Publication:
    run_id: str
    path: Path
    row_counts: dict[str, int]
    published_at: datetime


def prepare_candidate(settings: Settings) -> Path:
    """Start tonight's build from an empty candidate: a failed earlier attempt leaves nothing behind."""
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    for leftover in (settings.candidate_db, Path(f"{settings.candidate_db}.wal")):
        leftover.unlink(missing_ok=True)
    return settings.candidate_db


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    missing = [m for m in MARTS if m not in present]
    if missing:
        raise AuditFailed(f"the candidate has no marts.{', marts.'.join(missing)}: dbt did not build them")
    return {m: con.execute(f"select count(*) from marts.{m}").fetchone()[0] for m in MARTS}  # type: ignore[index]


def audit(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Checks that stop a publication; dbt's tests and contracts ran before this in `dbt build`."""
    counts = mart_row_counts(con)
    empty = [m for m, n in counts.items() if n == 0]
    if empty:
        raise AuditFailed(f"marts.{', marts.'.join(empty)} came out empty; an empty mart is never published")
    return counts


def publish(settings: Settings, run_id: str, as_of_date: str) -> Publication:
    candidate = settings.candidate_db
    already = _published_by(settings, run_id)
    if already and not candidate.exists():
        return already  # a retry after a successful swap: publishing is idempotent per run
    if not candidate.exists():
        raise AuditFailed(f"{candidate} does not exist: the transform step did not build a candidate")
    now = datetime.now(UTC).replace(tzinfo=None)
    con = duckdb.connect(str(candidate))
    try:
        counts = audit(con)
        for schema in BUILD_SCHEMAS:
            con.execute(f"drop schema if exists {schema} cascade")
        con.execute(
            "create or replace table marts.publication as select ?::varchar as run_id, ?::date as as_of_date, "
            "?::timestamp as published_at, ?::json as row_counts",
            [run_id, as_of_date, now, _json(counts)],
        )
        con.execute("checkpoint")
    finally:
        con.close()
    published = settings.published_db
    if published.exists():
        settings.versions_dir.mkdir(parents=True, exist_ok=True)
        keep = settings.versions_dir / f"readiness-{now:%Y%m%dT%H%M%S%f}.duckdb"
        os.link(published, keep)
    candidate.replace(published)  # atomic rename on one filesystem
    _prune_versions(settings)
    log.info("published %s (%s)", published, counts)
    return Publication(run_id, published, counts, now)


def _published_by(settings: Settings, run_id: str) -> Publication | None:
    """The current publication if ``run_id`` made it."""
    if not settings.published_db.exists():
        return None
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        row = con.execute("select run_id, published_at, row_counts::varchar from marts.publication").fetchone()
    if not row or row[0] != run_id:
        return None
    import json

    return Publication(run_id, settings.published_db, json.loads(row[2]), row[1])


def _json(counts: dict[str, int]) -> str:
    import json

    return json.dumps(counts, sort_keys=True)


def _prune_versions(settings: Settings) -> None:
    versions = sorted(settings.versions_dir.glob("readiness-*.duckdb")) if settings.versions_dir.exists() else []
    for old in versions[: max(0, len(versions) - settings.keep_versions)]:
        old.unlink()
