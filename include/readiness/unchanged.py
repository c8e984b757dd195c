"""A night with no new delivery: nothing is built, the published version stays, the run says `unchanged`.

Publishing the same marts again would cost a full night of dbt and take one of the rollback slots with a copy.
A night is unchanged when all of these hold:

- a version is published, by the run recorded in ``published-build.json`` (a rollback or a publication by
  another path makes the next night build);
- on DuckDB, the build state exists (an erasure deletes it: the next night must rebuild without the erased
  rows); Postgres keeps no build state, every night it builds is a full build;
- no delivery was loaded since that publication (``ops.load_manifest``, any status but rejected: rows
  loaded by a night that failed later are new too);
- the dbt project (models, macros, seeds, settings passed as vars) is the one that built the published version.

The as-of date alone does not make a night new: the published version keeps the as-of date of the last night
that changed something (``marts.publication`` says which).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from readiness import ops, warehouse
from readiness.config import Settings, write_private_file

log = logging.getLogger(__name__)

#: Status of a run in ``ops.pipeline_runs`` that found nothing new and kept the published version.
STATUS_UNCHANGED = "unchanged"
#: The dbt project's parts whose change changes the marts.
_PROJECT_PARTS = ("models", "macros", "seeds", "dbt_project.yml", "profiles.yml")


def _record_path(settings: Settings) -> Path:
    return settings.build_dir / "published-build.json"


def project_fingerprint(settings: Settings) -> str:
    """SHA-256 of the dbt project's files and of the settings dbt gets as vars (the as-of date is not one)."""
    from readiness.transform import dbt_vars, project_dir

    root = project_dir()
    digest = hashlib.sha256()
    for part in _PROJECT_PARTS:
        path = root / part
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    digest.update(json.dumps(dbt_vars(settings), sort_keys=True).encode())
    return digest.hexdigest()


def made_by_this_project(settings: Settings, record: Path) -> bool:
    """Whether ``record`` (written by ``record_project``) names the dbt project as it is now."""
    return record.exists() and json.loads(record.read_text()).get("project") == project_fingerprint(settings)


def record_project(settings: Settings, record: Path) -> None:
    """Write ``record``: what was just made (the build state, the docs page) was made by this dbt project."""
    record.unlink(missing_ok=True)
    write_private_file(record, json.dumps({"project": project_fingerprint(settings)}) + "\n")


def record_published_build(settings: Settings, run_id: str) -> None:
    """After a publication: which run published and with which dbt project."""
    path = _record_path(settings)
    staged = path.with_suffix(".tmp")
    staged.unlink(missing_ok=True)
    write_private_file(staged, json.dumps({"run_id": run_id, "project": project_fingerprint(settings)}) + "\n")
    staged.replace(path)


def forget_published_build(settings: Settings) -> None:
    """The next night builds whatever arrived (an erasure: the published aggregates still count the person)."""
    _record_path(settings).unlink(missing_ok=True)


def nothing_new(settings: Settings) -> str | None:
    """Why tonight can keep the published version, or None when it must build.

    On Postgres there is no build state to check: every night builds from raw in full (readiness.pg), so the
    other conditions decide alone.
    """
    record_path = _record_path(settings)
    if not record_path.exists():
        return None
    if not warehouse.is_postgres(settings) and not settings.state_db.exists():
        return None
    published = warehouse.publication(settings)
    if published is None:
        return None
    run_id, published_at = published
    record = json.loads(record_path.read_text())
    if record.get("run_id") != run_id or record.get("project") != project_fingerprint(settings):
        return None
    with warehouse.connect(settings, read_only=True) as con:
        (new_loads,) = con.execute(
            "select count(*) from ops.load_manifest where status <> ? and received_at > ?",
            [ops.STATUS_REJECTED, published_at],
        ).fetchone()
    if new_loads:
        return None
    return (
        f"no delivery loaded since run {run_id} published at {published_at:%Y-%m-%d %H:%M:%S} UTC, with the same "
        "dbt project: that version stays published"
    )


def record_unchanged(settings: Settings, run_id: str, reason: str) -> None:
    """The run's row in ops.pipeline_runs: finished, unchanged, nothing published."""
    with warehouse.connect(settings) as con:
        con.execute(
            "update ops.pipeline_runs set finished_at = ?, status = ?, published = false, reason = ? where run_id = ?",
            [datetime.now(UTC).replace(tzinfo=None), STATUS_UNCHANGED, reason, run_id],
        )
