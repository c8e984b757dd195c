"""Loading and validating into Postgres: every row loaded or quarantined (COPY, one transaction per delivery),
GX on the night's deliveries read back from Postgres, and a clear error when the server is not there."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from readiness import pg
from readiness.config import Settings
from readiness.contracts import ORG_UNITS, WORKERS
from readiness.ingest import load_extract
from readiness.validate import ValidationFailed, validate_extract
from tests.conftest import deliver
from tests.test_ingest import GOOD, HEADER

ORG_HEADER = "org_unit_id,org_unit_name,parent_org_unit_id,org_unit_type,cost_center_id,is_ai_ccoe"
ORG_UNITS_CSV = "\n".join([ORG_HEADER, "OU0,Contoso,,Company,CC0,false", "OU1,Research,OU0,Division,CC1,true"]) + "\n"


@pytest.fixture
def postgres(pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("READINESS_PSEUDONYM_KEY", "load-test-key")
    settings = Settings(data_dir=tmp_path / "data", warehouse="postgres", postgres_url=pg_database)
    settings.ensure_dirs()
    return settings


def _rows(settings: Settings, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(settings.postgres_url) as con:
        return con.execute(query).fetchall()


def test_every_row_is_loaded_or_quarantined_and_typed(postgres: Settings) -> None:
    broken = "W3,Cy,Ho,cy.ho@contoso.example,JP1,OU1,CC1,,US,2022-02-02,,Active,2"  # fte above 1
    deliver(postgres, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, *GOOD, broken]) + "\n")
    report = load_extract(postgres, WORKERS, "run-1")
    assert (report.rows_loaded, report.rows_quarantined) == (2, 1)
    assert _rows(
        postgres, "select worker_id, hire_date, fte, manager_worker_id, _line_number from raw.hr__workers order by 1"
    ) == [
        ("W1", date(2020, 1, 1), Decimal("1.000000"), None, 2),
        ("W2", date(2021, 1, 31), Decimal("0.500000"), "W1", 3),  # the US date of the delivery, typed
    ]
    assert _rows(postgres, "select line_number, column_name, reason like '%fte%' from ops.quarantine") == [
        (4, "fte", True)
    ]
    assert _rows(
        postgres, "select rows_read, rows_loaded, rows_quarantined, status, run_id from ops.load_manifest"
    ) == [(3, 2, 1, "pending_validation", "run-1")]
    # The same bytes again: recorded as a duplicate, nothing loaded twice.
    deliver(postgres, "hr", "workers", "workers_2026-11-28.csv", "\n".join([HEADER, *GOOD, broken]) + "\n")
    load_extract(postgres, WORKERS, "run-2")
    assert _rows(postgres, "select count(*) from raw.hr__workers") == [(2,)]
    assert _rows(postgres, "select file_name, as_of_date from ops.duplicate_deliveries") == [
        ("workers_2026-11-28.csv", date(2026, 11, 28))
    ]


def test_validation_reads_the_night_from_postgres(postgres: Settings) -> None:
    deliver(postgres, "hr", "org_units", "org_units_2026-11-27.csv", ORG_UNITS_CSV)
    stray = "W9,Di,Ng,di.ng@contoso.example,JP1,OU7,CC1,,US,2022-02-02,,Active,1"  # OU7 is not delivered
    deliver(postgres, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, *GOOD, stray]) + "\n")
    load_extract(postgres, ORG_UNITS)
    load_extract(postgres, WORKERS)
    report = validate_extract(postgres, WORKERS)  # reads the org units loaded beside it
    assert report.success
    assert report.warnings == [
        "workers_2026-11-27.csv: 1 worker(s) in org unit(s) missing from the latest org_units delivery: OU7; "
        "kept, they count under their unit id until HR delivers it"
    ]
    assert _rows(postgres, "select extract, status from ops.load_manifest order by 1") == [
        ("org_units", "pending_validation"),
        ("workers", "loaded"),
    ]

    duplicate = GOOD[0].replace("ann.lee@", "ann.lee2@")
    deliver(postgres, "hr", "workers", "workers_2026-11-28.csv", "\n".join([HEADER, *GOOD, duplicate]) + "\n")
    load_extract(postgres, WORKERS)
    with pytest.raises(ValidationFailed, match=r"expect_column_values_to_be_unique on worker_id"):
        validate_extract(postgres, WORKERS)
    assert _rows(postgres, "select _source_file, count(*) from raw.hr__workers group by 1") == [
        ("workers_2026-11-27.csv", 3)
    ], "the rejected delivery's rows are taken out again"
    assert _rows(
        postgres, "select status, rows_loaded from ops.load_manifest where file_name = 'workers_2026-11-28.csv'"
    ) == [("rejected", 0)]


def test_an_unreachable_server_is_named_and_nothing_moves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_PSEUDONYM_KEY", "load-test-key")
    settings = Settings(
        data_dir=tmp_path / "data", warehouse="postgres", postgres_url="postgresql://loader@127.0.0.1:1/warehouse"
    )
    settings.ensure_dirs()
    delivered = deliver(settings, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, *GOOD]) + "\n")
    with pytest.raises(pg.WarehouseUnreachable) as error:
        load_extract(settings, WORKERS)
    message = str(error.value)
    assert "PostgreSQL at 127.0.0.1:1, database warehouse, user loader" in message
    assert "READINESS_POSTGRES_URL" in message and "nothing was loaded" in message
    assert delivered.exists(), "the delivery stays in landing/ for the next run"
    assert not any(settings.archive_dir.rglob("*.csv"))


def test_the_warehouse_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_WAREHOUSE", "postgres")
    monkeypatch.delenv("READINESS_POSTGRES_URL", raising=False)
    with pytest.raises(ValueError, match="READINESS_WAREHOUSE=postgres needs READINESS_POSTGRES_URL"):
        Settings.from_env()
    monkeypatch.setenv("READINESS_WAREHOUSE", "postgress")
    with pytest.raises(ValueError, match="expected one of duckdb, postgres"):
        Settings.from_env()
    monkeypatch.setenv("READINESS_WAREHOUSE", "postgres")
    monkeypatch.setenv("READINESS_POSTGRES_URL", "postgresql://u@db.example.org:6543/w")
    settings = Settings.from_env()
    assert (settings.warehouse, pg.where(settings)) == (
        "postgres",
        "PostgreSQL at db.example.org:6543, database w, user u",
    )


def test_a_load_failing_at_its_last_write_leaves_nothing_behind(postgres: Settings) -> None:
    """One delivery is one transaction: raw rows and quarantine rows written before a failing manifest insert
    are rolled back with it, and the file stays in landing/ for the next run."""
    with pg.connect(postgres) as con:  # the tables exist; the manifest then refuses this delivery's row
        con.execute("alter table ops.load_manifest add constraint refuse_for_test check (rows_loaded < 2)")
    broken = "W3,Cy,Ho,cy.ho@contoso.example,JP1,OU1,CC1,,US,2022-02-02,,Active,2"
    delivered = deliver(postgres, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, *GOOD, broken]) + "\n")
    with pytest.raises(psycopg.errors.CheckViolation):
        load_extract(postgres, WORKERS)
    assert _rows(postgres, "select count(*) from raw.hr__workers") == [(0,)]
    assert _rows(postgres, "select count(*) from ops.quarantine") == [(0,)]
    assert _rows(postgres, "select count(*) from ops.load_manifest") == [(0,)]
    assert delivered.exists()


def test_the_nightly_dag_records_its_run_in_the_postgres_warehouse(
    pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DAG's first task writes the run's row into Postgres's ops, and no DuckDB file is made beside it."""
    from readiness import tasks

    monkeypatch.setenv("READINESS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READINESS_WAREHOUSE", "postgres")
    monkeypatch.setenv("READINESS_POSTGRES_URL", pg_database)
    tasks.start("run-1", date(2026, 11, 27))
    settings = Settings.from_env()
    assert _rows(settings, "select run_id, as_of_date, status from ops.pipeline_runs") == [
        ("run-1", date(2026, 11, 27), "running")
    ]
    assert not settings.ingest_db.exists()


def test_erase_stops_on_postgres_before_changing_anything(postgres: Settings) -> None:
    from readiness.erase import ErasureNotSupported, erase_worker

    delivered = deliver(postgres, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, *GOOD]) + "\n")
    before = delivered.read_bytes()
    with pytest.raises(ErasureNotSupported, match=r"not supported on the Postgres warehouse yet.*nothing was changed"):
        erase_worker(postgres, "W1")
    assert delivered.read_bytes() == before
