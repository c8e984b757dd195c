"""An installation after two nights, built by the pipeline's own functions (no dbt, no Airflow), and the
file-mode rules every installation must meet.

It holds one of each kind of file the pipeline writes: a delivery still in landing, an archived HR
extract with e-mail addresses, a quarantined delivery, the ingest database with those addresses in
``raw``, a generated pseudonym key, a leftover candidate, a kept version, the published warehouse and
its exports. The hostile-reader and file-mode tests share one (conftest.py); the report and the docs
pages are served files too, checked after the real DAG's run (tests/e2e).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from readiness import runs
from readiness.audit import Bounds
from readiness.config import Settings
from readiness.contracts import JOB_PROFILES, WORKERS
from readiness.export import export_marts
from readiness.ingest import DeliveriesRejected, load_extract
from readiness.publish import prepare_candidate, publish
from tests.conftest import deliver
from tests.marts_data import build_candidate

HEADER = (
    "worker_id,first_name,last_name,work_email,job_profile_id,org_unit_id,cost_center_id,"
    "manager_worker_id,country_code,hire_date,termination_date,worker_status,fte"
)
EMAILS = ("ann.lee@contoso.example", "bob.ray@contoso.example")
WORKERS_CSV = (
    f"{HEADER}\n"
    f"W1,Ann,Lee,{EMAILS[0]},JP1,OU1,CC1,,US,2020-01-01,,Active,1.0\n"
    f"W2,Bob,Ray,{EMAILS[1]},JP1,OU1,CC1,W1,GB,2021-01-31,,Leave,0.5\n"
)
LOOSE = Bounds(max_row_drop=0.99, max_total_change=100)


@dataclass(frozen=True)
class Installation:
    settings: Settings
    archived_csv: Path
    quarantined: Path
    waiting_parquet: Path
    key_file: Path


def build_installation(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Installation:
    """Two published nights, a third night's candidate left over, and a delivery still waiting."""
    monkeypatch.setenv("READINESS_DATA_DIR", str(data_dir))
    # No configured key: the installation generates its own, as `make run` does on a fresh clone.
    monkeypatch.delenv("READINESS_PSEUDONYM_KEY", raising=False)
    settings = Settings.from_env()
    # Deliveries arrive before the night starts, with the modes of whoever drops them.
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv", WORKERS_CSV)
    deliver(settings, "hr", "job_profiles", "job_profiles_2026-11-27.csv", "")
    waiting = settings.landing_dir / "finance" / "cloud_costs" / "cloud_costs_2026-11-29.parquet"
    waiting.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"BillingAccountId": ["ACC-1"], "BilledCost": [12.5]}), waiting)
    runs.start_run(settings, "night-1", date(2026, 11, 27))
    load_extract(settings, WORKERS, "night-1")
    with pytest.raises(DeliveriesRejected):
        load_extract(settings, JOB_PROFILES, "night-1")
    key = settings.pseudonym_key()
    assert len(key) == 64
    for night, scale in (("night-1", 1), ("night-2", 2), ("night-3", 1)):
        prepare_candidate(settings)
        build_candidate(settings.candidate_db, scale=scale)  # what dbt build writes
        if night != "night-3":  # the third night's build is not audited yet
            publish(settings, night, "2026-11-28", LOOSE)
    export_marts(settings)
    (archived,) = (settings.archive_dir / "hr" / "workers").iterdir()
    (quarantined,) = (settings.quarantine_dir / "hr" / "job_profiles").iterdir()
    return Installation(settings, archived, quarantined, waiting, settings.secrets_dir / "pseudonym_key")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def mode_problems(settings: Settings) -> list[str]:
    """Every file and folder under the data root whose mode breaks the rules; empty when all is well.

    Working tree: folders 0700, files 0600 (personal data: owner only). Served tree: folders 0750,
    files 0640 (no personal data: group-readable, never writable but by the owner, nothing for others).
    """
    problems = []
    if mode(settings.data_dir) & 0o027:
        problems.append(f"{settings.data_dir}: {oct(mode(settings.data_dir))}, expected no group write, no others")
    extra = {p.name for p in settings.data_dir.iterdir()} - {settings.served_dir.name, settings.work_dir.name}
    if extra:
        problems.append(f"{settings.data_dir} holds {sorted(extra)} beside served/ and work/")
    rules = ((settings.work_dir, 0o700, 0o600), (settings.served_dir, 0o750, 0o640))
    for root, dir_mode, file_mode in rules:
        for folder, _dirs, files in os.walk(root):
            here = Path(folder)
            if mode(here) != dir_mode:
                problems.append(f"{here}: {oct(mode(here))}, expected {oct(dir_mode)}")
            for name in files:
                path = here / name
                if not path.is_symlink() and mode(path) != file_mode:
                    problems.append(f"{path}: {oct(mode(path))}, expected {oct(file_mode)}")
    return problems
