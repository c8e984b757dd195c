"""Catching up missed nights: each night in order, with its own as-of date and only the deliveries it had.

The loader takes every file waiting in ``landing/``; after a few missed nights, the first night caught up
would load the later nights' deliveries too. ``catch_up`` holds every waiting delivery back in
``landing-held/`` and releases, before each night, those whose as-of date is not after that night, so
each night sees what it would have seen. Whatever is still held when it stops (a night failed) goes back
to ``landing/``, so nothing is ever left aside.

A night runs either through Airflow (``airflow dags test readiness_nightly <date>``, the default of
``readiness backfill``) or in this process through the same package functions the DAG calls, in the same
order (``run_night``): the tests use it for multi-night scenarios, which would take many minutes each
through Airflow.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from readiness.config import Settings
from readiness.contracts import EXTRACTS, Extract

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NightOutcome:
    as_of: date
    run_id: str
    status: str  # published, failed
    failed_step: str | None = None
    reason: str | None = None


NightRunner = Callable[[Settings, date], NightOutcome]


def held_dir(settings: Settings) -> Path:
    return settings.landing_dir.parent / "landing-held"


def _as_of(extract: Extract, path: Path) -> date | None:
    match = extract.file_pattern.match(path.name)
    try:
        return date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None


def _move_all(source_root: Path, target_root: Path, keep: Callable[[Extract, Path], bool]) -> list[Path]:
    moved = []
    for extract in EXTRACTS:
        folder = source_root / extract.source / extract.name
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.is_file() or p.is_symlink()):
            if keep(extract, path):
                continue
            target = target_root / extract.source / extract.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target)
            moved.append(target)
    return moved


def release_up_to(settings: Settings, night: date) -> list[Path]:
    """Move held deliveries of as-of dates up to ``night`` (and unreadable names) back into landing/."""

    def later(extract: Extract, path: Path) -> bool:
        as_of = _as_of(extract, path)
        return as_of is not None and as_of > night

    return _move_all(held_dir(settings), settings.landing_dir, later)


def catch_up(settings: Settings, nights: Iterable[date], run: NightRunner) -> list[NightOutcome]:
    """Run ``nights`` in order, each with the deliveries of its as-of date and before; stop at a failure."""
    outcomes: list[NightOutcome] = []
    _move_all(settings.landing_dir, held_dir(settings), lambda _e, p: p.name.startswith("."))
    try:
        for night in sorted(nights):
            release_up_to(settings, night)
            outcome = run(settings, night)
            outcomes.append(outcome)
            log.info("night %s: %s", night, outcome.status)
            if outcome.status != "published":
                break
    finally:
        _move_all(held_dir(settings), settings.landing_dir, lambda _e, _p: False)
    return outcomes


def run_night_with_airflow(settings: Settings, night: date) -> NightOutcome:
    """One night through the real DAG (`airflow dags test`), as `make run` does."""
    from readiness.runs import summarise

    airflow = Path(sys.executable).parent / "airflow"
    result = subprocess.run(
        [str(airflow if airflow.exists() else "airflow"), "dags", "test", "readiness_nightly", night.isoformat()],
        env={**os.environ, "READINESS_DATA_DIR": str(settings.data_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    summary = summarise(settings)
    status = "published" if result.returncode == 0 and summary.status == "published" else "failed"
    reason = summary.reason if status == "failed" else None
    return NightOutcome(night, str(summary.run_id), status, None, reason or (result.stderr[-2000:] or None))


def run_night(settings: Settings, night: date, run_id: str | None = None) -> NightOutcome:
    """One night in this process: the package functions of the DAG's tasks, in the DAG's order.

    start → per extract: load, then validate (one extract failing does not stop the others, as in the DAG's
    task groups) → prepare candidate → dbt build → publish → export. A failure is recorded in
    ``ops.pipeline_runs`` as the DAG's failure callback records it.
    """
    from readiness import runs

    run_id = run_id or f"in_process__{night.isoformat()}"
    runs.start_run(settings, run_id, night)
    failures: list[tuple[str, str]] = []
    for extract in EXTRACTS:
        failures += _load_and_validate(settings, extract, run_id)
    if failures:
        reason = "\n".join(f"{step}: {why}" for step, why in failures)
        runs.finish_run(settings, run_id, published=False, failed_task=failures[0][0], reason=reason)
        return NightOutcome(night, run_id, "failed", failures[0][0], reason)
    return _build_and_publish(settings, night, run_id)


def _load_and_validate(settings: Settings, extract: Extract, run_id: str) -> list[tuple[str, str]]:
    from readiness import ingest, validate

    step = f"{extract.source}.load_{extract.name}"
    try:
        ingest.load_extract(settings, extract, run_id)
        step = f"{extract.source}.validate_{extract.name}"
        validate.validate_extract(settings, extract)
    except Exception as exc:
        return [(step, str(exc))]
    return []


def _build_and_publish(settings: Settings, night: date, run_id: str) -> NightOutcome:
    from readiness import pg, publish, runs
    from readiness.export import export_marts
    from readiness.transform import run_dbt_subprocess
    from readiness.warehouse import is_postgres

    step = "prepare_candidate"
    try:
        publish.prepare_candidate(settings)
        step = "transform"
        if is_postgres(settings):
            pg.build(settings, night.isoformat())  # its own target, in the working folder
        else:
            with tempfile.TemporaryDirectory(prefix="dbt-night-") as target:
                # A private target: the project's target/ holds the manifest the DAG renders from.
                run_dbt_subprocess(settings, ["build", "--target-path", target], as_of_date=night.isoformat())
        step = "publish"
        publication = publish.publish(settings, run_id, night.isoformat())
        runs.finish_run(settings, run_id, published=True, row_counts=publication.row_counts)
        step = "export"
        export_marts(settings)
    except Exception as exc:
        published = runs.was_published(settings, run_id)
        runs.finish_run(settings, run_id, published=published, failed_task=step, reason=str(exc))
        return NightOutcome(night, run_id, "published" if published else "failed", step, str(exc))
    return NightOutcome(night, run_id, "published")
