"""`readiness generate --nights K`: further nights of deliveries, checked on the files as written.

Expectations come from the base files read back with csv/json/pyarrow, not from the generator's code.
Every check runs on top of the light sample and of enterprise volumes (hourly cloud costs, GL lines for
every cost centre, the org tree sent once).
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from readiness.generate import ENTERPRISE, SAMPLE, generate_nights, generate_organisation

AS_OF = date(2026, 11, 27)
NIGHTS = 7  # crosses into December (a new billing period) and reaches a restatement night
PROFILES = {"sample": (200, SAMPLE), "enterprise": (300, ENTERPRISE)}


@pytest.fixture(scope="module", params=list(PROFILES))
def landing(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp(f"nights-{request.param}")
    employees, volumes = PROFILES[request.param]
    generate_organisation(out, employees=employees, seed=7, as_of=AS_OF, volumes=volumes)
    base = {p.relative_to(out).as_posix() for p in out.rglob("*.*")}
    written = generate_nights(out, nights=NIGHTS, seed=7, as_of=AS_OF)
    assert not base & set(written), "a night overwrote a base delivery"
    return out, written


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_each_night_delivers_statements_hr_costs_and_rates_but_no_unchanged_reference(landing) -> None:
    out, _ = landing
    for k in range(1, NIGHTS + 1):
        night = AS_OF + timedelta(days=k)
        for name in (
            "lms/statements/statements_{}.jsonl",
            "hr/workers/workers_{}.csv",
            "hr/worker_skills/worker_skills_{}.csv",
            "finance/fx_rates/fx_rates_{}.csv",
            "finance/cloud_costs/cloud_costs_{}.parquet",
        ):
            assert (out / name.format(night)).exists()
        assert (out / f"finance/gl_actuals/gl_actuals_{night}.csv").exists() == (night.weekday() < 5)
    for extract in ("org_units", "job_profiles"):  # as many as the base sent (1 or 3), none by the nights
        dates = {p.stem[-10:] for p in (out / "hr" / extract).glob("*.csv")}
        assert dates and max(dates) <= AS_OF.isoformat(), f"{extract} re-sent although unchanged"
    assert not list((out / "lms" / "catalog").glob(f"*{AS_OF + timedelta(days=1)}*"))


def test_night_statements_are_last_years_day_with_new_ids(landing) -> None:
    out, _ = landing
    base = [json.loads(line) for line in (out / f"lms/statements/statements_{AS_OF}.jsonl").open()]
    base_ids = {s["id"] for s in base}
    seen: set[str] = set()
    for k in range(1, NIGHTS + 1):
        night = AS_OF + timedelta(days=k)
        year_ago = (night - timedelta(days=365)).isoformat()
        expected = [s for s in base if s["stored"].startswith(year_ago) and not s["verb"]["id"].endswith("/voided")]
        got = [json.loads(line) for line in (out / f"lms/statements/statements_{night}.jsonl").open()]
        assert [(s["actor"], s["verb"], s["object"]) for s in got] == [
            (s["actor"], s["verb"], s["object"]) for s in expected
        ]
        assert all(s["stored"].startswith(night.isoformat()) for s in got)
        ids = {s["id"] for s in got}
        assert len(ids) == len(got) and not ids & base_ids and not ids & seen
        seen |= ids


def test_each_hr_snapshot_has_one_more_leaver_and_keeps_everyone(landing) -> None:
    out, _ = landing
    previous = _rows(out / f"hr/workers/workers_{AS_OF}.csv")
    for k in range(1, NIGHTS + 1):
        night = AS_OF + timedelta(days=k)
        current = _rows(out / f"hr/workers/workers_{night}.csv")
        assert [w["worker_id"] for w in current] == [w["worker_id"] for w in previous]
        changed = [(a, b) for a, b in zip(previous, current, strict=True) if a != b]
        assert len(changed) == 1
        before, after = changed[0]
        assert (before["worker_status"], after["worker_status"]) == ("Active", "Terminated")
        assert after["termination_date"] == night.isoformat()
        previous = current


def test_cloud_costs_restate_the_period_to_date(landing) -> None:
    out, _ = landing
    base = pq.read_table(out / f"finance/cloud_costs/cloud_costs_{AS_OF}.parquet")
    november = base.filter(pc.equal(pc.month(base["BillingPeriodStart"]), 11))
    first = pq.read_table(out / f"finance/cloud_costs/cloud_costs_{AS_OF + timedelta(days=1)}.parquet")
    in_november = first.filter(pc.equal(pc.month(first["BillingPeriodStart"]), 11))
    last_day = november.filter(pc.equal(pc.day(november["ChargePeriodStart"]), AS_OF.day))
    usage_last_day = last_day.filter(pc.equal(last_day["ChargeCategory"], "Usage")).num_rows
    assert in_november.num_rows == november.num_rows + usage_last_day
    for k in range(1, NIGHTS + 1):
        night = AS_OF + timedelta(days=k)
        table = pq.read_table(out / f"finance/cloud_costs/cloud_costs_{night}.parquet")
        days = {d.date() for d in table["ChargePeriodStart"].to_pylist() if d.month == night.month}
        assert days == {night.replace(day=d) for d in range(1, night.day + 1)}, "the period to date, every day"
        if night.toordinal() % 7 == 0:
            assert pc.min(table["BillingPeriodStart"]).as_py().month != night.month, "restatement night"


def test_gl_lines_and_rates_of_the_day(landing) -> None:
    out, _ = landing
    for k in range(1, NIGHTS + 1):
        night = AS_OF + timedelta(days=k)
        rates = _rows(out / f"finance/fx_rates/fx_rates_{night}.csv")
        assert {(r["rate_date"], r["from_currency"]) for r in rates} == {
            (night.isoformat(), "EUR"),
            (night.isoformat(), "GBP"),
        }
        gl = out / f"finance/gl_actuals/gl_actuals_{night}.csv"
        if gl.exists():
            lines = _rows(gl)
            assert lines and all(r["posting_date"] == night.isoformat() for r in lines)
            assert len({(r["journal_id"], r["line_number"]) for r in lines}) == len(lines)


def test_night_cloud_costs_and_gl_lines_follow_the_base_volumes(landing) -> None:
    out, _ = landing
    base = pq.read_table(out / f"finance/cloud_costs/cloud_costs_{AS_OF}.parquet")
    base_usage = base.filter(pc.equal(base["ChargeCategory"], "Usage"))
    starts, ends = base_usage["ChargePeriodStart"].to_pylist(), base_usage["ChargePeriodEnd"].to_pylist()
    base_periods = zip(starts, ends, strict=True)
    (length,) = {end - begin for begin, end in base_periods}  # one length: a day, or an hour
    base_day = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC)
    last_day = base_usage.filter(pc.greater_equal(base_usage["ChargePeriodStart"], base_day))
    gl_dir = out / "finance" / "gl_actuals"
    for k in range(1, NIGHTS + 1):
        night = AS_OF + timedelta(days=k)
        table = pq.read_table(out / f"finance/cloud_costs/cloud_costs_{night}.parquet")
        start = datetime.combine(night, datetime.min.time(), tzinfo=UTC)
        tonight = table.filter(pc.greater_equal(table["ChargePeriodStart"], start))
        assert tonight.num_rows == last_day.num_rows, "as many lines (daily or hourly) as the base's last day"
        periods = zip(tonight["ChargePeriodStart"].to_pylist(), tonight["ChargePeriodEnd"].to_pylist(), strict=True)
        assert {end - begin for begin, end in periods} == {length}
        gl = gl_dir / f"gl_actuals_{night}.csv"
        if not gl.exists():
            continue
        month = f"{(night - timedelta(days=31)):%Y-%m}"  # a business day's share of that month's lines so far
        earlier = [p for p in gl_dir.glob("gl_actuals_*.csv") if p.stem[-10:] < night.isoformat()]
        in_month = sum(r["posting_date"].startswith(month) for p in earlier for r in _rows(p))
        assert len(_rows(gl)) == max(1, round(in_month / 21))
