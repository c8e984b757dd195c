"""The incremental path builds the same marts as a full build of the same deliveries.

A generated organisation with three further nights (statements, HR snapshots, cloud costs restating the
billing period to date, GL lines, rates; the nights cross into a new billing period), plus, on the last
night, what the generator does not send within three nights: a restatement of the previous billing period,
a GL line corrected by a later delivery and a statement id delivered again. One data root builds the base
with the first night, then takes the other nights one by one (loads, then `dbt build` of models and seeds
starting from the previous night's build state), then re-runs the last night with nothing new; another loads
everything and builds once with no state. Every mart
must hold the same rows (EXCEPT ALL both ways, every column). dbt's data tests are left out here (other tests
run them): this compares what two build paths produce.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from readiness.config import Settings
from readiness.contracts import EXTRACTS
from readiness.generate import generate_nights, generate_organisation
from readiness.ingest import load_extract
from readiness.marts import mart_names
from readiness.publish import prepare_candidate
from readiness.transform import run_dbt_subprocess

AS_OF = date(2026, 11, 29)
NIGHTS = 3  # Nov 30, Dec 1, Dec 2: the last two open the December billing period
EMPLOYEES = 200
_DATED = re.compile(r"_(\d{4}-\d{2}-\d{2})\.")


def _as_of(path: Path) -> date:
    match = _DATED.search(path.name)
    assert match, path
    return date.fromisoformat(match.group(1))


def _corrections_on_the_last_night(out: Path) -> dict[str, object]:
    """Append to the last night's files: November restated, a GL line corrected, a statement id re-sent.

    Returns what the corrected GL line and the re-sent statement must be in force as (read from the files).
    """
    last, first = AS_OF + timedelta(days=NIGHTS), AS_OF + timedelta(days=1)
    costs = out / "finance" / "cloud_costs"
    november = pq.read_table(costs / f"cloud_costs_{first}.parquet")  # November to date, as of the first night
    restated = november.set_column(
        november.schema.get_field_index("EffectiveCost"),
        "EffectiveCost",
        pc.cast(pc.multiply(pc.cast(november["EffectiveCost"], pa.float64()), 1.1), november["EffectiveCost"].type),
    ).slice(0, november.num_rows - 5)  # and five lines fewer
    tonight = pq.read_table(costs / f"cloud_costs_{last}.parquet")
    assert tonight["BillingPeriodStart"][0] != november["BillingPeriodStart"][0]
    pq.write_table(pa.concat_tables([tonight, restated.cast(tonight.schema)]), costs / f"cloud_costs_{last}.parquet")

    gl = out / "finance" / "gl_actuals"
    with (gl / f"gl_actuals_{AS_OF}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, corrected = reader.fieldnames, next(reader)
    corrected["amount"] = str(round(float(corrected["amount"]) * 3 + 17.5, 2))
    corrected["posting_date"] = str(last)
    night_gl = gl / f"gl_actuals_{last}.csv"
    with night_gl.open("a" if night_gl.exists() else "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        if handle.tell() == 0:
            writer.writeheader()
        writer.writerow(corrected)

    statements = out / "lms" / "statements"
    with (statements / f"statements_{AS_OF}.jsonl").open(encoding="utf-8") as handle:
        again = json.loads(next(handle))
    first_verb = again["verb"]["id"]
    again["verb"] = {"id": "http://adlnet.gov/expapi/verbs/voided" if "completed" in first_verb else "completed"}
    with (statements / f"statements_{last}.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(again) + "\n")
    return {
        "gl_line": (corrected["journal_id"], int(corrected["line_number"]), float(corrected["amount"])),
        "statement": (again["id"], first_verb),  # the first load's version counts
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    out = tmp_path_factory.mktemp("deliveries")
    generate_organisation(out, employees=EMPLOYEES, seed=11, as_of=AS_OF)
    generate_nights(out, nights=NIGHTS, seed=11, as_of=AS_OF)
    return out, _corrections_on_the_last_night(out)


def _root(base: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("READINESS_DATA_DIR", str(base))
    settings = Settings.from_env()
    settings.ensure_dirs()
    return settings


def _deliver_up_to(generated: Path, settings: Settings, night: date) -> None:
    for path in sorted(p for p in generated.rglob("*") if p.is_file()):
        if _as_of(path) > night:
            continue
        archived = any(settings.archive_dir.rglob(f"*{path.name}")) if settings.archive_dir.exists() else False
        target = settings.landing_dir / path.relative_to(generated)
        if not target.exists() and not archived:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def _load_and_build(settings: Settings, night: date, target: Path, *extra: str) -> None:
    for extract in EXTRACTS:
        load_extract(settings, extract)
    prepare_candidate(settings)
    run_dbt_subprocess(
        settings,
        ["build", "--resource-type", "model", "--resource-type", "seed", "--target-path", str(target), *extra],
        as_of_date=night.isoformat(),
    )


def _differences(incremental: Path, full: Path) -> dict[str, tuple[int, int, int]]:
    """Per mart: rows only in the incremental build, rows only in the full build, and the full build's rows."""
    found = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{incremental}' as incremental (read_only)")
        con.execute(f"attach '{full}' as full_build (read_only)")
        for mart in mart_names():
            a, b = f"incremental.marts.{mart}", f"full_build.marts.{mart}"
            only_a = con.execute(f"select count(*) from (select * from {a} except all select * from {b})").fetchone()
            only_b = con.execute(f"select count(*) from (select * from {b} except all select * from {a})").fetchone()
            rows = con.execute(f"select count(*) from {b}").fetchone()
            found[mart] = (only_a[0], only_b[0], rows[0])  # type: ignore[index]
    return found


def test_nights_built_incrementally_equal_a_full_build(
    generated: tuple[Path, dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliveries, expected = generated
    monkeypatch.setenv("READINESS_PSEUDONYM_KEY", "incremental-test-key")
    last = AS_OF + timedelta(days=NIGHTS)

    nightly = _root(tmp_path / "nightly", monkeypatch)
    # The first build (no state yet) takes the base and the first night; the next ones start from its state.
    for k in range(1, NIGHTS + 1):
        night = AS_OF + timedelta(days=k)
        _deliver_up_to(deliveries, nightly, night)
        _load_and_build(nightly, night, tmp_path / "target")
        assert nightly.state_db.exists()
    # The last night again, nothing new: a re-run changes nothing.
    _load_and_build(nightly, last, tmp_path / "target")

    full = _root(tmp_path / "full", monkeypatch)
    _deliver_up_to(deliveries, full, last)
    _load_and_build(full, last, tmp_path / "target")

    differences = _differences(nightly.candidate_db, full.candidate_db)
    assert {mart: d[:2] for mart, d in differences.items()} == dict.fromkeys(differences, (0, 0))
    for mart in ("skills_coverage", "skill_gaps", "training_progress", "budget_vs_spend", "readiness_scorecard"):
        assert differences[mart][2] > 0, f"{mart} is empty: the comparison would prove nothing"

    # The deliveries exercised what they were made for: November restated (its lines replaced, not added to),
    # the corrected GL line in force, the re-sent statement counted once, as its first load.
    with duckdb.connect(str(nightly.state_db), read_only=True) as con:
        assert con.execute(
            "select max(loads), min(loads) from (select count(distinct load_id) as loads "
            "from staging.stg_finance__cloud_costs group by billing_account_id, billing_period_start_at)"
        ).fetchone() == (1, 1)
        assert con.execute(
            "select distinct source_file from staging.stg_finance__cloud_costs "
            "where billing_period_start_at = timestamp '2026-11-01'"
        ).fetchall() == [(f"cloud_costs_{last}.parquet",)]
        statement_id, first_verb = expected["statement"]  # type: ignore[misc]
        assert con.execute(
            "select verb_id, source_file from staging.stg_lms__statements where statement_id = ?", [statement_id]
        ).fetchall() == [(first_verb, f"statements_{AS_OF}.jsonl")]
        journal_id, line_number, amount = expected["gl_line"]  # type: ignore[misc]
        assert con.execute(
            "select amount::double, source_file from staging.stg_finance__gl_lines "
            "where journal_id = ? and line_number = ?",
            [journal_id, line_number],
        ).fetchall() == [(amount, f"gl_actuals_{last}.csv")]
