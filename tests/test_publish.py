"""Write, audit, publish, roll back: on hand-written marts (tests/marts_data.py), with the real GX and DuckDB.

Expected figures are arithmetic on the rows marts_data writes, never read back from the code under test.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from airflow.sdk.exceptions import AirflowFailException
from typer.testing import CliRunner

from readiness import tasks
from readiness.audit import Bounds
from readiness.cli import app
from readiness.config import Settings
from readiness.publish import AuditFailed, prepare_candidate, publish, rollback
from tests.marts_data import build_candidate, expected_rows

LOOSE = Bounds(max_row_drop=0.99, max_total_change=100)


def _fingerprint(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_mtime_ns, stat.st_ino


def _publication(path: Path) -> tuple[str, dict[str, int]]:
    with duckdb.connect(str(path), read_only=True) as con:
        run_id, counts = con.execute("select run_id, row_counts::varchar from marts.publication").fetchone()
    return run_id, json.loads(counts)


def test_publish_swaps_in_the_candidate_without_build_schemas(settings: Settings) -> None:
    build_candidate(settings.candidate_db)
    publication = publish(settings, "run-1", "2026-11-28")
    assert publication.row_counts == expected_rows()
    assert _publication(settings.published_db) == ("run-1", expected_rows())
    assert not settings.candidate_db.exists()
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        schemas = {r[0] for r in con.execute("select schema_name from information_schema.schemata").fetchall()}
    assert "staging" not in schemas and "intermediate" not in schemas, "names and e-mails stop at staging"
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        dates = con.execute("select as_of_date, data_as_of_date from marts.publication").fetchone()
    # The night of the 28th published marts_data, whose people marts are of the HR snapshot of the 27th.
    assert [str(d) for d in dates] == ["2026-11-28", "2026-11-27"]


def _published_once(settings: Settings, scale: int = 1) -> tuple[str, int, int]:
    build_candidate(settings.candidate_db, scale=scale)
    publish(settings, "run-1", "2026-11-28")
    return _fingerprint(settings.published_db)


@pytest.mark.parametrize(
    ("yesterday", "tonight", "env", "reason"),
    [
        # skill_gaps: 40 * 3 = 120 rows yesterday, 40 tonight: 67 % fewer, more than the 50 % allowed.
        (3, 1, {}, "marts.skill_gaps has 40 rows, 67% fewer than the 120 published"),
        # budget: 4 quarters x (10,000 + 20,000) = 120,000 at scale 1, 360,000 at scale 3: +200 %.
        (1, 3, {}, "marts.budget_vs_spend total budget moved from 120,000.00 to 360,000.00 (+200%)"),
        # The same drop passes the default, but not a tighter bound set for the run.
        (2, 1, {"READINESS_AUDIT_MAX_ROW_DROP": "0.4"}, "READINESS_AUDIT_MAX_ROW_DROP allows 40%"),
    ],
)
def test_sanity_checks_against_the_published_version(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    yesterday: int,
    tonight: int,
    env: dict[str, str],
    reason: str,
) -> None:
    before = _published_once(settings, yesterday)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    build_candidate(settings.candidate_db, scale=tonight)
    with pytest.raises(AuditFailed) as failed:
        publish(settings, "run-2", "2026-11-29")
    assert reason in str(failed.value)
    assert "compared with run run-1" in str(failed.value)
    assert _fingerprint(settings.published_db) == before, "a failed audit leaves the published file byte-identical"
    assert not list(settings.versions_dir.glob("*.duckdb")), "nothing was versioned"


def test_a_bound_raised_for_one_run_lets_a_real_change_through(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _published_once(settings, 1)
    monkeypatch.setenv("READINESS_AUDIT_MAX_TOTAL_CHANGE", "2.5")
    build_candidate(settings.candidate_db, scale=3)
    assert publish(settings, "run-2", "2026-11-29").row_counts["skill_gaps"] == 120


def _break(path: Path, sql: str) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(sql)


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        (
            "update marts.skills_coverage set coverage_pct = 1.5 where org_unit_id = 'U1'",
            "marts.skills_coverage: expect_column_values_to_be_between on coverage_pct: 6 unexpected value(s)",
        ),
        (
            "insert into marts.skill_gaps select * from marts.skill_gaps limit 2",
            "marts.skill_gaps: expect_compound_columns_to_be_unique on snapshot_date, worker_key, skill_id",
        ),
        (
            "update marts.budget_vs_spend set status = 'fine' where fiscal_quarter = 1",
            "marts.budget_vs_spend: expect_column_values_to_be_in_set on status: 2 unexpected value(s), e.g. "
            "['fine', 'fine']",
        ),
        ("delete from marts.training_progress", "marts.training_progress came out empty"),
        ("drop table marts.skill_gaps", "the candidate has no marts.skill_gaps"),
    ],
)
def test_the_gx_suite_on_the_marts_stops_a_broken_candidate(settings: Settings, sql: str, reason: str) -> None:
    before = _published_once(settings)
    build_candidate(settings.candidate_db)
    _break(settings.candidate_db, sql)
    with pytest.raises(AuditFailed) as failed:
        publish(settings, "run-2", "2026-11-29")
    assert reason in str(failed.value)
    assert _fingerprint(settings.published_db) == before


def test_a_failed_audit_fails_the_task_with_the_reason_and_no_retry(settings: Settings) -> None:
    before = _published_once(settings)
    build_candidate(settings.candidate_db)
    _break(settings.candidate_db, "update marts.skills_coverage set coverage_pct = -1 where audience = 'end_user'")
    with pytest.raises(AirflowFailException, match="expect_column_values_to_be_between on coverage_pct"):
        tasks.publish_candidate("run-2", "2026-11-29")
    assert _fingerprint(settings.published_db) == before


def test_rollback_restores_the_previous_version(settings: Settings) -> None:
    build_candidate(settings.candidate_db, scale=1)
    publish(settings, "run-1", "2026-11-27", LOOSE)
    first = hashlib.sha256(settings.published_db.read_bytes()).hexdigest()
    build_candidate(settings.candidate_db, scale=2)
    publish(settings, "run-2", "2026-11-28", LOOSE)
    assert _publication(settings.published_db)[0] == "run-2"

    restored = rollback(settings)

    assert restored.run_id == "run-1"
    assert restored.row_counts == expected_rows(scale=1)
    assert _publication(settings.published_db) == ("run-1", expected_rows(scale=1))
    assert hashlib.sha256(settings.published_db.read_bytes()).hexdigest() == first, "the very file published"
    assert [p.name.startswith("rolled-back-") for p in settings.versions_dir.iterdir()] == [True]
    with pytest.raises(FileNotFoundError, match="nothing to roll back to"):
        rollback(settings)


def test_rollback_command(settings: Settings) -> None:
    for run, scale in (("run-1", 1), ("run-2", 2)):
        build_candidate(settings.candidate_db, scale=scale)
        publish(settings, run, "2026-11-28", LOOSE)
    # What the served folder showed of run-2: its exports and report.
    assert CliRunner().invoke(app, ["export"]).exit_code == 0
    assert CliRunner().invoke(app, ["report"]).exit_code == 0
    result = CliRunner().invoke(app, ["rollback"])
    assert result.exit_code == 0, result.output
    assert "run-1" in result.output
    assert _publication(settings.published_db)[0] == "run-1"
    # The copies follow the restored version: a BI tool on the exports and the report agree with the file.
    exported = pq.read_table(settings.exports_dir / "publication.parquet").to_pylist()
    assert [row["run_id"] for row in exported] == ["run-1"]
    with duckdb.connect() as con:
        csv_rows = con.execute(f"select count(*) from '{settings.exports_dir / 'skills_coverage.csv'}'").fetchone()[0]
    assert csv_rows == expected_rows(scale=1)["skills_coverage"]
    page = (settings.reports_dir / "latest.html").read_text(encoding="utf-8")
    assert "run-1" in page and "run-2" not in page
    again = CliRunner().invoke(app, ["rollback"])
    assert again.exit_code == 1
    assert "nothing to roll back to" in again.output


def test_versions_are_pruned_to_the_configured_number(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_KEEP_VERSIONS", "2")
    settings = Settings.from_env()
    for run in range(5):
        build_candidate(settings.candidate_db)
        publish(settings, f"run-{run}", "2026-11-28")
    kept = sorted(settings.versions_dir.glob("readiness-*.duckdb"))
    assert [_publication(p)[0] for p in kept] == ["run-2", "run-3"]


def test_publishing_is_idempotent_on_retry(settings: Settings) -> None:
    build_candidate(settings.candidate_db)
    publish(settings, "run-1", "2026-11-28")
    before = _fingerprint(settings.published_db)
    assert publish(settings, "run-1", "2026-11-28").row_counts == expected_rows()
    assert _fingerprint(settings.published_db) == before


def test_the_sql_command_reads_the_marts_and_nothing_else(settings: Settings, tmp_path: Path) -> None:
    build_candidate(settings.candidate_db)
    publish(settings, "run-1", "2026-11-28", LOOSE)
    counted = CliRunner().invoke(app, ["sql", "select count(*) as n from marts.skills_coverage"])
    assert counted.exit_code == 0, counted.output
    assert str(expected_rows()["skills_coverage"]) in counted.output.split()
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    for query in (
        f"select * from read_csv('{secret}')",
        f"attach '{settings.ingest_db}' as work",
        "set enable_external_access = true",
    ):
        refused = CliRunner().invoke(app, ["sql", query])
        assert refused.exit_code == 1, (query, refused.output)
        assert "Error" in refused.output and "Traceback" not in refused.output


def _state_tables(settings: Settings) -> list[str]:
    with duckdb.connect(str(settings.state_db), read_only=True) as con:
        return [t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()]


def test_the_build_state_starts_over_when_the_dbt_project_or_its_settings_changed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare_candidate(settings)
    with duckdb.connect(str(settings.state_db)) as con:
        con.execute("create table built_last_night as select 1 as row_id")
    prepare_candidate(settings)
    assert _state_tables(settings) == ["built_last_night"], "same project and settings: the state is kept"

    # A setting dbt gets as a var (as a seed or a model's SQL) decides rows the incremental models hold.
    monkeypatch.setenv("READINESS_SMALL_CELL_THRESHOLD", "6")
    prepare_candidate(Settings.from_env())
    assert _state_tables(settings) == [], "another project: the state starts over, tonight builds in full"
