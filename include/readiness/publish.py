"""Publish: audit the candidate warehouse and swap it in atomically, keeping earlier versions.

Readers must see yesterday's warehouse or tonight's, never a mix: the candidate is built in its own
file, audited, stripped of everything that is not for BI, and moved over the published file with
``os.replace`` (atomic on one filesystem). The file it replaces is kept, hard-linked into
``versions/``, for ``readiness rollback``.

The candidate is built in the working folder (owner-only); it becomes group-readable only once it
holds nothing but the marts, just before it moves into the served folder. A version that leaves the
served folder becomes owner-only again (a hard link shares its mode with the file it links).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from readiness import marts
from readiness.audit import AuditFailed, Bounds, audit
from readiness.config import (
    SERVED_DIR_MODE,
    SERVED_FILE_MODE,
    Settings,
    make_private,
    private_dir,
)
from readiness.serve import open_reader
from readiness.warehouse import is_postgres

__all__ = ["AuditFailed", "Publication", "prepare_candidate", "publish", "rollback"]

log = logging.getLogger(__name__)

#: Schemas of the candidate that are build steps, not interface: they hold names and e-mails (staging)
#: and views over the ingest database, which readers do not have.
BUILD_SCHEMAS: tuple[str, ...] = ("staging", "intermediate")


@dataclass(frozen=True)
class Publication:
    run_id: str
    path: Path
    row_counts: dict[str, int]
    published_at: datetime
    #: Seconds spent auditing the candidate, and swapping it in (link, rename, prune): what readers could feel.
    audit_seconds: float = 0.0
    swap_seconds: float = 0.0


#: The publication row: the run and the night it ran for (``as_of_date``), and the newest HR snapshot the
#: people marts describe (``data_as_of_date``): HR's snapshot of the 27th may be published on the 30th, and
#: BI tools and the report must say which date the figures are of. ``unavailable_marts`` (mart -> reason) names
#: the marts published empty because their source is not configured (READINESS_SOURCES): a dashboard on one
#: keeps working and can say why it is blank. One statement for both warehouses.
PUBLICATION_SQL = (
    "create table {schema}.publication as select cast(? as varchar) as run_id, cast(? as date) as as_of_date, "
    "cast(? as date) as data_as_of_date, cast(? as timestamp) as published_at, cast(? as json) as row_counts, "
    "cast(? as json) as unavailable_marts"
)
#: The newest HR snapshot of a marts schema (its org tree, which every people mart is aligned to).
DATA_AS_OF_SQL = "select max(snapshot_date) from {schema}.org_units"


def prepare_candidate(settings: Settings) -> Path:
    """Start tonight's build from an empty candidate: a failed earlier attempt leaves nothing behind.

    On Postgres the candidate is a set of schemas (readiness.pg.prepare_candidate); the data root is returned.
    """
    if is_postgres(settings):
        from readiness import pg

        pg.prepare_candidate(settings)
        return settings.data_dir
    private_dir(settings.build_dir)
    for leftover in (settings.candidate_db, Path(f"{settings.candidate_db}.wal")):
        leftover.unlink(missing_ok=True)
    # Created here, owner-only, so dbt builds into it (names and e-mails in staging) with that mode.
    duckdb.connect(str(settings.candidate_db)).close()
    # The build state (dbt's staging and intermediate models, kept between nights for the incremental ones:
    # names and e-mails) is kept, not emptied; created owner-only the first time, as the candidate.
    _forget_state_built_by_another_project(settings)
    if not settings.state_db.exists():
        duckdb.connect(str(settings.state_db)).close()
    make_private(settings.state_db)
    return make_private(settings.candidate_db)


def _forget_state_built_by_another_project(settings: Settings) -> None:
    """Start the build state over when another dbt project, or other settings, built it.

    Its incremental models hold rows decided by the project that built them: the seeds (GL account categories,
    cloud cost rules, the required skills...), the SQL, and the settings dbt gets as vars (READINESS_SOURCES among
    them: a source switched off keeps its rows there, one switched on would only add its new loads). A night
    after such a change must be a full build, as after an erasure: it costs one full night, never a figure
    quietly decided by yesterday's rules (readiness.unchanged.project_fingerprint says what counts).
    """
    from readiness.unchanged import made_by_this_project, record_project

    record = settings.build_dir / "state-built-by.json"
    if made_by_this_project(settings, record):
        return
    if settings.state_db.exists():
        log.warning(
            "the dbt project or its settings changed since the build state was built: it starts over and "
            "dbt builds in full"
        )
        for stale in (settings.state_db, Path(f"{settings.state_db}.wal")):
            stale.unlink(missing_ok=True)
    record_project(settings, record)


def publish(settings: Settings, run_id: str, as_of_date: str, bounds: Bounds | None = None) -> Publication:
    """Audit the candidate and, only if it passes, swap it in; the published file is never written.

    On Postgres: the candidate schema, audited alike and swapped in in one transaction (readiness.pg.publish).
    """
    if is_postgres(settings):
        from readiness import pg

        return pg.publish(settings, run_id, as_of_date, bounds)  # type: ignore[no-any-return]
    candidate = settings.candidate_db
    already = _published_by(settings, run_id)
    if already and not candidate.exists():
        return already  # a retry after a successful swap: publishing is idempotent per run
    if not candidate.exists():
        raise AuditFailed(f"{candidate} does not exist: the transform step did not build a candidate")
    now = datetime.now(UTC).replace(tzinfo=None)
    started = time.perf_counter()
    con = duckdb.connect(str(candidate))
    try:
        unavailable = marts.unavailable(settings.enabled_sources)
        counts = audit(con, settings.published_db, bounds, unavailable=unavailable).row_counts
        for schema in BUILD_SCHEMAS:
            con.execute(f"drop schema if exists {schema} cascade")
        con.execute("drop table if exists marts.publication")
        data_as_of = con.execute(DATA_AS_OF_SQL.format(schema="marts")).fetchone()[0]  # type: ignore[index]
        con.execute(
            PUBLICATION_SQL.format(schema="marts"),
            [run_id, as_of_date, data_as_of, now, _json(counts), _json(unavailable)],
        )
        con.execute("checkpoint")
    finally:
        con.close()
    # Everything is in the main file after the checkpoint; a WAL beside it would not travel with the rename.
    if Path(f"{candidate}.wal").exists():
        raise AuditFailed(f"{candidate}.wal is left after the checkpoint; the candidate is not published")
    audited = time.perf_counter()
    published = settings.published_db
    _served_folder(settings)
    candidate.chmod(SERVED_FILE_MODE)  # the staging schemas (names, e-mails) are gone
    keep = None
    if published.exists():
        private_dir(settings.versions_dir)
        keep = settings.versions_dir / f"readiness-{now:%Y%m%dT%H%M%S%f}.duckdb"
        os.link(published, keep)
    candidate.replace(published)  # atomic rename on one filesystem
    if keep is not None:
        make_private(keep)  # no longer served; readers that still hold it opened it already
    _prune_versions(settings)
    swapped = time.perf_counter()
    log.info("published %s (%s): audit %.2f s, swap %.4f s", published, counts, audited - started, swapped - audited)
    return Publication(run_id, published, counts, now, audited - started, swapped - audited)


def _published_by(settings: Settings, run_id: str) -> Publication | None:
    """The current publication if ``run_id`` made it."""
    if not settings.published_db.exists():
        return None
    with open_reader(settings.published_db) as con:
        row = con.execute("select run_id, published_at, row_counts::varchar from marts.publication").fetchone()
    if not row or row[0] != run_id:
        return None
    return Publication(run_id, settings.published_db, json.loads(row[2]), row[1])


def _served_folder(settings: Settings) -> None:
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    settings.served_dir.chmod(SERVED_DIR_MODE)
    settings.warehouse_dir.chmod(SERVED_DIR_MODE)


def _json(counts: dict[str, int] | dict[str, str]) -> str:
    return json.dumps(counts, sort_keys=True)


def _versions(settings: Settings, prefix: str = "readiness") -> list[Path]:
    """Kept versions, oldest first (their names carry the time they were replaced)."""
    return sorted(settings.versions_dir.glob(f"{prefix}-*.duckdb")) if settings.versions_dir.exists() else []


def _prune_versions(settings: Settings) -> None:
    for prefix in ("readiness", "rolled-back"):
        versions = _versions(settings, prefix)
        for old in versions[: max(0, len(versions) - settings.keep_versions)]:
            old.unlink()


def rollback(settings: Settings) -> Publication:
    """Put the previous published version back, atomically, as the published warehouse.

    The version rolled back from is kept as ``versions/rolled-back-*.duckdb`` (for inspection, never
    rolled back to), so a second rollback goes one more version back. On Postgres the versions are schemas
    (readiness.pg.rollback), swapped the same way in one transaction.
    """
    if is_postgres(settings):
        from readiness import pg

        return pg.rollback(settings)  # type: ignore[no-any-return]
    versions = _versions(settings)
    if not versions:
        raise FileNotFoundError(
            f"no earlier version in {settings.versions_dir}: nothing to roll back to (a version is kept each time "
            "a new one is published)"
        )
    previous = versions[-1]
    with duckdb.connect(str(previous), read_only=True) as con:
        run_id, published_at, counts = con.execute(
            "select run_id, published_at, row_counts::varchar from marts.publication"
        ).fetchone()  # type: ignore[misc]
    published = settings.published_db
    _served_folder(settings)
    previous.chmod(SERVED_FILE_MODE)
    rolled_back = None
    if published.exists():
        now = datetime.now(UTC).replace(tzinfo=None)
        rolled_back = settings.versions_dir / f"rolled-back-{now:%Y%m%dT%H%M%S%f}.duckdb"
        os.link(published, rolled_back)
    previous.replace(published)  # atomic: readers see the current version or the previous one
    if rolled_back is not None:
        make_private(rolled_back)
    _prune_versions(settings)
    log.info("rolled back %s to run %s", published, run_id)
    return Publication(run_id, published, json.loads(counts), published_at)
