"""Privacy of the published marts on a generated organisation: no name, e-mail or worker id in any column,
and no suppressed row that leaks a count.

The names, e-mails and worker ids are read from the generated HR files themselves, so the check does not
depend on the SQL that is meant to drop them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from readiness.config import Settings
from readiness.contracts import EXTRACTS, MARTS
from readiness.generate import generate_organisation
from readiness.ingest import load_extract
from readiness.publish import prepare_candidate
from readiness.runs import start_run
from readiness.transform import run_dbt
from readiness.validate import validate_extract

#: Numeric columns of a suppressed row that may stay: they identify the row or state a rule, not a count.
NOT_COUNTS = {"required_level", "fiscal_year", "fiscal_quarter", "required_skill_count", "granted_skill_count"}
NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DOUBLE", "FLOAT", "DECIMAL")
#: Column-name fragments that would mean personal data reached a mart.
PERSONAL_COLUMN_FRAGMENTS = ("first_name", "last_name", "full_name", "email", "mbox", "worker_id", "actor")


def mart_columns(con: duckdb.DuckDBPyConnection, mart: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = 'marts' "
        "and table_name = ? order by ordinal_position",
        [mart],
    ).fetchall()
    return dict(rows)


def leaking_suppressed_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """`mart.column` -> suppressed rows where that numeric column still holds a value (empty when none leaks)."""
    leaks: dict[str, int] = {}
    for mart in MARTS:
        columns = mart_columns(con, mart)
        if "is_suppressed" not in columns:
            continue
        for column, data_type in columns.items():
            if column in NOT_COUNTS or not data_type.upper().startswith(NUMERIC_TYPES):
                continue
            (count,) = con.execute(
                f'select count(*) from marts.{mart} where is_suppressed and "{column}" is not null'
            ).fetchone()  # type: ignore[misc]
            if count:
                leaks[f"{mart}.{column}"] = count
    return leaks


def _hr_people(landing: Path) -> tuple[set[str], set[str], set[str]]:
    """First and last names, e-mail addresses and worker ids of every generated workers file."""
    names: set[str] = set()
    emails: set[str] = set()
    worker_ids: set[str] = set()
    for path in sorted((landing / "hr" / "workers").glob("workers_*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                names.update({row["first_name"].strip().lower(), row["last_name"].strip().lower()})
                emails.add(row["work_email"].strip().lower())
                worker_ids.add(row["worker_id"].strip().lower())
    return names, emails, worker_ids


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """A generated organisation (150 workers, default small-cell threshold 5) loaded and built by `dbt build`."""
    root = tmp_path_factory.mktemp("generated_org")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("READINESS_DATA_DIR", str(root / "data"))
        patch.setenv("READINESS_PSEUDONYM_KEY", "privacy-test-key")
        settings = Settings.from_env()
        settings.ensure_dirs()
        generate_organisation(settings.landing_dir, employees=150, seed=7)
        copy = root / "landing_copy"  # the loader archives landing/: keep the HR files to read names from
        for path in (settings.landing_dir / "hr" / "workers").iterdir():
            (copy / "hr" / "workers").mkdir(parents=True, exist_ok=True)
            (copy / "hr" / "workers" / path.name).write_bytes(path.read_bytes())
        start_run(settings, "privacy-run", date(2026, 11, 27))  # so the run-history marts have a row to check
        for extract in EXTRACTS:
            load_extract(settings, extract, "privacy-run")
            validate_extract(settings, extract)
        prepare_candidate(settings)
        run_dbt(settings, ["build", "--target-path", str(root / "target")], as_of_date="2026-11-27")
        # dbt-duckdb keeps the candidate open in this process: a second connection must use the same settings.
        con = duckdb.connect(str(settings.candidate_db))
        yield con, copy
        con.close()


def test_no_mart_column_is_named_for_personal_data(generated: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    con, _ = generated
    offending = [
        f"{mart}.{column}"
        for mart in MARTS
        for column in mart_columns(con, mart)
        if any(fragment in column.lower() for fragment in PERSONAL_COLUMN_FRAGMENTS)
    ]
    assert offending == []


def test_no_mart_value_is_a_name_an_email_or_a_worker_id(generated: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    con, landing = generated
    names, emails, worker_ids = _hr_people(landing)
    assert len(names) > 100 and len(emails) >= 150  # the HR files were read: the check below is not vacuous
    found: list[str] = []
    for mart in MARTS:
        columns = mart_columns(con, mart)
        assert con.execute(f"select count(*) from marts.{mart}").fetchone()[0] > 0, mart  # type: ignore[index]
        for column, data_type in columns.items():
            if data_type.upper() != "VARCHAR":
                continue
            values = {
                str(value).strip().lower()
                for (value,) in con.execute(f'select distinct "{column}" from marts.{mart}').fetchall()
                if value is not None
            }
            # A whole value equal to a first or last name (titles like "Security" may share a word with a name,
            # a column holding names would match whole values), any e-mail, any worker id.
            for value in values:
                if value in names or value in worker_ids or "@" in value or any(e in value for e in emails):
                    found.append(f"{mart}.{column} = {value!r}")
    assert found == []


def test_no_suppressed_row_leaks_a_count(generated: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    con, _ = generated
    (suppressed,) = con.execute(
        "select (select count(*) from marts.skills_coverage where is_suppressed) "
        "+ (select count(*) from marts.training_progress where is_suppressed) "
        "+ (select count(*) from marts.readiness_scorecard where is_suppressed)"
    ).fetchone()  # type: ignore[misc]
    assert suppressed > 0  # small teams exist at threshold 5: the check below is not vacuous
    assert leaking_suppressed_rows(con) == {}


def test_the_readiness_plan_marts_suppress_small_groups(generated: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    """The plan's marts on the generated organisation: each has rows, small groups are suppressed where the
    organisation has them, and no suppressed row shows a count (the check above, named here mart by mart)."""
    con, _ = generated
    plan = ("gap_closure_plan", "ccoe_capabilities", "skills_currency", "learning_effectiveness", "sentiment_by_team")
    counts = {
        mart: con.execute(f"select count(*), count(*) filter (where is_suppressed) from marts.{mart}").fetchone()
        for mart in plan
    }
    assert all(total > 0 for total, _ in counts.values()), counts  # type: ignore[misc]
    # 150 people: small teams answer the survey, few complete an item between two snapshots, teams have few
    # people per audience and skill.
    for mart in ("skills_currency", "learning_effectiveness", "sentiment_by_team"):
        assert counts[mart][1] > 0, (mart, counts[mart])  # type: ignore[index]
    leaks = leaking_suppressed_rows(con)
    assert {k: v for k, v in leaks.items() if k.split(".")[0] in counts} == {}


def test_the_leak_check_catches_a_leak(tmp_path: Path) -> None:
    """The check itself: a suppressed row that shows its headcount is reported."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    for mart in MARTS:
        con.execute(f"create table marts.{mart} (required_level integer, headcount integer, is_suppressed boolean)")
    con.execute("insert into marts.skills_coverage values (3, null, true), (3, 12, false)")
    assert leaking_suppressed_rows(con) == {}
    con.execute("insert into marts.training_progress values (2, 3, true)")
    assert leaking_suppressed_rows(con) == {"training_progress.headcount": 1}
