"""Exports: every published mart as Parquet and CSV, written atomically, formula text neutralised in CSV."""

from __future__ import annotations

import csv
import os

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from readiness.cli import app
from readiness.config import Settings
from readiness.export import export_marts, neutralised
from readiness.publish import publish
from tests.marts_data import FORMULA_TITLE, build_candidate, expected_rows


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Prompt engineering", "Prompt engineering"),
        ("a=b", "a=b"),
        (-5, -5),  # numbers are data, not text: a negative amount stays a number
        (None, None),
    ],
)
def test_neutralised(cell: object, written: object) -> None:
    name = 'a "cell"'  # a column name that needs quoting
    data_type = "VARCHAR" if isinstance(cell, str) or cell is None else "INTEGER"
    with duckdb.connect() as con:
        con.execute(f'create table marts_row ("a ""cell""" {data_type})')
        con.execute("insert into marts_row values (?)", [cell])
        assert con.execute(f"select {neutralised(name, data_type)} from marts_row").fetchone() == (written,)


@pytest.fixture
def published(settings: Settings) -> Settings:
    build_candidate(settings.candidate_db)
    publish(settings, "run-1", "2026-11-28")
    return settings


def test_every_mart_is_exported_as_parquet(published: Settings) -> None:
    exported = export_marts(published)
    expected = {**expected_rows(), "publication": 1}
    assert {e.mart: e.rows for e in exported} == expected
    for mart, rows in expected.items():
        table = pq.read_table(published.exports_dir / f"{mart}.parquet")
        assert table.num_rows == rows
    # Parquet keeps the values as they are: the formula text is data there, not a spreadsheet cell.
    titles = pq.read_table(published.exports_dir / "skill_gaps.parquet").column("recommended_item_title").to_pylist()
    assert titles.count(FORMULA_TITLE) == 10  # i % 4 == 1 and i % 10 != 0 for i < 40, by hand
    assert sorted(p.name for p in published.exports_dir.iterdir()) == sorted(
        [f"{m}.parquet" for m in expected] + [f"{m}.csv" for m in expected]
    ), "no temporary file is left behind"


def test_csv_export_neutralises_formula_text(published: Settings) -> None:
    export_marts(published)
    with (published.exports_dir / "skill_gaps.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 40
    titles = [r["recommended_item_title"] for r in rows]
    assert titles.count("'" + FORMULA_TITLE) == 10
    assert not [t for t in titles if t.startswith(("=", "+", "-", "@"))]
    with (published.exports_dir / "training_progress.csv").open(newline="", encoding="utf-8") as handle:
        progress = list(csv.DictReader(handle))
    assert {r["item_title"] for r in progress} == {"'+cmd|' /C calc'!A0"}
    with (published.exports_dir / "budget_vs_spend.csv").open(newline="", encoding="utf-8") as handle:
        budget = list(csv.DictReader(handle))
    # Q4 of training: budget 10,000, actual 0, variance 10,000; numbers are written as numbers.
    q4 = next(r for r in budget if r["fiscal_quarter"] == "4" and r["category"] == "training")
    assert (q4["budget_amount"], q4["actual_amount"], q4["variance_amount"]) == ("10000.00", "0.00", "10000.00")


def test_an_export_replaces_the_file_in_one_step(published: Settings) -> None:
    export_marts(published)
    parquet = published.exports_dir / "skills_coverage.parquet"
    held = parquet.open("rb")  # a reader in the middle of reading yesterday's file
    before = os.fstat(held.fileno()).st_ino
    export_marts(published)
    assert parquet.stat().st_ino != before, "a new file was renamed over the old one, never written in place"
    assert pq.read_table(held).num_rows == expected_rows()["skills_coverage"], "the reader still has a whole file"
    held.close()


def test_export_command(published: Settings) -> None:
    result = CliRunner().invoke(app, ["export"])
    assert result.exit_code == 0, result.output
    with duckdb.connect() as con:
        rows = con.execute(f"select count(*) from '{published.exports_dir / 'skill_gaps.parquet'}'").fetchone()[0]
    assert rows == 40
