"""The nightly DAG on the Postgres warehouse, for real: `airflow dags test readiness_nightly` with
READINESS_WAREHOUSE=postgres on a generated organisation loads into Postgres (COPY), validates with GX from
Postgres, builds with dbt-postgres (every test and unit test) into the candidate schemas, audits and swaps
them in, then exports, reports and writes the docs from the published schema.

The same deliveries go through the same DAG on DuckDB (the default): both publish the same marts, table by
table (amounts to the cent, fractions to 1e-9). A second night on Postgres brings a bad delivery: it fails
with the reason in ops.pipeline_runs, and the published marts are the first night's, untouched.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pyarrow.parquet as pq
import pytest

from readiness import service, transform
from readiness.config import Settings
from readiness.generate import generate_organisation

from .compare import compare_marts, duckdb_rows, postgres_rows
from .conftest import ADMIN_URL, SERVER, create_database, database_exists, drop_database

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EMPLOYEES = 150
AS_OF = "2026-11-28"
BAD_NIGHT = "2026-11-29"
#: A key no SQL, log or file of the build may contain (a space and a backslash: escaped for PGOPTIONS).
KEY = "dag\\key with-spaces 5f3c9e"
#: The corpus's header-only workers file: it loads (no rows) and fails validation (row count).
BAD_FILE = REPO_ROOT / "tests" / "bad_inputs" / "files" / "hr_header_only.csv"
BAD_NAME = "workers_2026-11-28.csv"
#: Facts of each run rather than results: its id (each `airflow dags test` makes its own) and its times.
PER_RUN = {
    "pipeline_run_history": {"run_id", "started_at", "finished_at", "duration_seconds"},
    "pipeline_run_volumes": {"run_id"},
}


SCHEMAS = "select nspname from pg_namespace where nspname !~ '^(pg_|information)'"


@dataclasses.dataclass
class Nights:
    duck: Settings
    postgres: Settings
    postgres_home: Path
    first_log: str
    bad: subprocess.CompletedProcess[str]
    reader_role: str
    published_before_bad: dict[str, list[tuple[Any, ...]]]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=1200, cwd=REPO_ROOT)


def _dags_test(env: dict[str, str], logical_date: str) -> subprocess.CompletedProcess[str]:
    return _run([str(BIN / "airflow"), "dags", "test", "readiness_nightly", logical_date], env)


def _night_environment(root: Path, name: str, generated: Path, extra: dict[str, str]) -> tuple[dict[str, str], Path]:
    """A data root with the generated deliveries in landing/, and Airflow's metadata beside it."""
    data_dir, airflow_home = root / name / "data", root / name / "airflow"
    airflow_home.mkdir(parents=True)
    env = {**service.dags_test_environment(data_dir, airflow_home, pseudonym_key=KEY), **extra}
    data_dir.mkdir(mode=0o750)
    shutil.copytree(generated, Settings(data_dir).landing_dir)
    service.init_metadata(env, airflow_home / "init.log")
    return env, airflow_home


def _published_marts(url: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(url) as con:
        tables = [r[0] for r in con.execute("select tablename from pg_tables where schemaname = 'marts' order by 1")]
        return {t: sorted(con.execute(f'select * from marts."{t}"').fetchall(), key=repr) for t in tables}


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    root = tmp_path_factory.mktemp("nightly-dag")
    timings: dict[str, float] = {}
    generated = root / "generated"
    generate_organisation(generated, employees=EMPLOYEES, seed=23)
    database = create_database("readiness_pg_dag")
    role = f"readiness_reader_{uuid.uuid4().hex[:8]}"
    url = f"{SERVER}/{database}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as con:
        con.execute(f'create role "{role}" nologin')
    try:
        # The reference in the DAG's one-task dbt rendering (what compose and `make serve` run): the per-node
        # rendering adds a minute of task start-ups here and is what tests/e2e runs.
        duck_env, _ = _night_environment(root, "duckdb", generated, {transform.DBT_TASKS_VARIABLE: "build"})
        pg_env, pg_home = _night_environment(
            root,
            "postgres",
            generated,
            {
                "READINESS_WAREHOUSE": "postgres",
                "READINESS_POSTGRES_URL": url,
                "READINESS_POSTGRES_READER_ROLE": role,
            },
        )
        if not transform.manifest_path().exists():  # `make test` writes it first; a lone run may not have
            parsed = _run([str(BIN / "readiness"), "dbt-parse"], duck_env)
            assert parsed.returncode == 0, parsed.stdout[-3000:] + parsed.stderr[-3000:]

        started = time.perf_counter()
        duck_night = _dags_test(duck_env, AS_OF)
        assert duck_night.returncode == 0, (duck_night.stdout + duck_night.stderr)[-6000:]
        timings["duckdb night"] = time.perf_counter() - started
        first = _dags_test(pg_env, AS_OF)
        assert first.returncode == 0, (first.stdout + first.stderr)[-6000:]
        timings["postgres night"] = time.perf_counter() - started - timings["duckdb night"]
        before = _published_marts(url)

        postgres = Settings(Path(pg_env["READINESS_DATA_DIR"]), warehouse="postgres", postgres_url=url)
        bad = postgres.landing_dir / "hr" / "workers" / BAD_NAME
        shutil.copyfile(BAD_FILE, bad)
        started = time.perf_counter()
        bad_night = _dags_test(pg_env, BAD_NIGHT)
        timings["postgres bad night"] = time.perf_counter() - started
        print("\n" + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items()))
        yield Nights(
            Settings(Path(duck_env["READINESS_DATA_DIR"])),
            postgres,
            pg_home,
            first.stdout + first.stderr,
            bad_night,
            role,
            before,
        )
    finally:
        drop_database(database)
        with psycopg.connect(ADMIN_URL, autocommit=True) as con:
            con.execute(f'drop role if exists "{role}"')
    assert not database_exists(database)


def _runs(nights: Nights) -> list[tuple[Any, ...]]:
    return postgres_rows(
        nights.postgres.postgres_url,
        "select run_id, as_of_date, status, published, failed_task, reason from ops.pipeline_runs order by started_at",
    )


def test_the_night_publishes_on_postgres_and_serves_from_it(nights: Nights) -> None:
    (run_id, as_of, status, published, failed_task, _), *_ = _runs(nights)
    assert (as_of, status, published, failed_task) == (date.fromisoformat(AS_OF), "published", True, None)
    url = nights.postgres.postgres_url
    assert postgres_rows(url, "select run_id from marts.publication") == [(run_id,)]
    schemas = {
        r[0] for r in postgres_rows(url, "select nspname from pg_namespace where nspname !~ '^(pg_|information)'")
    }
    # No candidate and no build schema (staging holds names and e-mails) after the swap; no version before it.
    assert schemas == {"public", "raw", "ops", "marts"}
    # Nothing went to the DuckDB files: raw, ops and the marts are Postgres's alone.
    assert not nights.postgres.ingest_db.exists() and not nights.postgres.published_db.exists()
    # The exports and the report are of the Postgres marts: every mart's Parquet has its row count.
    counts = dict(postgres_rows(url, "select 'x', row_counts::text from marts.publication"))
    for mart, rows in json.loads(counts["x"]).items():
        assert pq.read_metadata(nights.postgres.exports_dir / f"{mart}.parquet").num_rows == rows, mart
    assert run_id in (nights.postgres.reports_dir / "latest.html").read_text()
    assert "skills_coverage" in (nights.postgres.docs_dir / "index.html").read_text()


def test_the_reader_role_reads_the_published_marts_only(nights: Nights) -> None:
    with psycopg.connect(nights.postgres.postgres_url, autocommit=True) as con:
        con.execute(f'set role "{nights.reader_role}"')
        assert con.execute("select count(*) from marts.org_units").fetchone()[0] > 0  # type: ignore[index]
        for forbidden in ("raw.hr__workers", "ops.load_manifest"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(f"select * from {forbidden} limit 1")


def test_every_mart_is_the_same_through_both_warehouses(nights: Nights) -> None:
    report, mismatches = compare_marts(nights.duck.published_db, nights.postgres.postgres_url, PER_RUN)
    print("\n" + "\n".join(report))
    assert mismatches == [], f"{len(mismatches)} values differ:\n" + "\n".join(mismatches[:40])


def test_the_publication_says_the_same_on_both(nights: Nights) -> None:
    query = "select as_of_date, data_as_of_date, cast(row_counts as varchar) from marts.publication"
    ((duck_as_of, duck_data, duck_counts),) = duckdb_rows(nights.duck.published_db, query)
    ((pg_as_of, pg_data, pg_counts),) = postgres_rows(nights.postgres.postgres_url, query)
    assert pg_as_of == duck_as_of == date.fromisoformat(AS_OF)
    # The generator's newest HR snapshot (org_units_2026-11-27.csv, its default as-of date).
    assert pg_data == duck_data == date(2026, 11, 27)
    assert json.loads(pg_counts) == json.loads(duck_counts)


def test_a_bad_delivery_fails_the_night_and_the_published_marts_stay(nights: Nights) -> None:
    assert nights.bad.returncode != 0, "the bad night's `airflow dags test` succeeded"
    runs = _runs(nights)
    assert len(runs) == 2, runs
    _, as_of, status, published, failed_task, reason = runs[1]
    assert (as_of, status, published, failed_task) == (
        date.fromisoformat(BAD_NIGHT),
        "failed",
        False,
        "hr.validate_workers",
    )
    assert BAD_NAME in reason and "expect_table_row_count_to_be_between" in reason, reason
    url = nights.postgres.postgres_url
    assert postgres_rows(url, f"select status from ops.load_manifest where file_name = '{BAD_NAME}'") == [("rejected",)]
    # The first night's marts, row for row; no candidate left behind and no version taken.
    assert postgres_rows(url, "select run_id from marts.publication") == [(runs[0][0],)]
    assert _published_marts(url) == nights.published_before_bad
    assert postgres_rows(url, "select nspname from pg_namespace where nspname ~ '^(candidate_|marts_)'") == []


def test_the_pseudonym_key_is_in_no_compiled_sql_nor_log(nights: Nights) -> None:
    target = nights.postgres.build_dir / "dbt-postgres"
    compiled = list((target / "target").rglob("*.sql"))
    # dbt's files, and Airflow's: its task logs (if any went to files) and its metadata database, which holds
    # the serialised DAG and each task's rendered fields.
    files = [p for folder in (target, nights.postgres_home) for p in folder.rglob("*") if p.is_file()]
    assert compiled and any(p.suffix == ".log" for p in files), "no compiled SQL or log to look into"
    # The compiled models do pseudonymise, by naming the session setting.
    assert any("current_setting('readiness.pseudonym_key')" in p.read_text() for p in compiled)
    for text in (KEY, KEY.replace("\\", "\\\\"), KEY.replace(" ", "\\ ")):
        assert text not in nights.first_log and text not in nights.bad.stdout + nights.bad.stderr
        leaking = [str(p) for p in files if text.encode() in p.read_bytes()]
        assert leaking == [], f"the pseudonym key is written in {leaking}"


def test_the_summary_and_the_unchanged_test_read_postgres(nights: Nights) -> None:
    from readiness import runs, unchanged

    first_run = _runs(nights)[0][0]
    summary = runs.summarise(nights.postgres)
    assert (summary.status, summary.published_run_id) == ("failed", first_run)
    assert BAD_NAME in (summary.reason or "")
    assert summary.warehouse.startswith("PostgreSQL at 127.0.0.1:5432")
    ((counts,),) = postgres_rows(nights.postgres.postgres_url, "select row_counts::text from marts.publication")
    assert summary.mart_rows == json.loads(counts)
    # The bad night's only delivery was rejected: a night now would keep the first night's marts.
    reason = unchanged.nothing_new(nights.postgres)
    assert reason is not None and first_run in reason
