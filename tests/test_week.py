"""A simulated week: seven nights of deliveries in sequence, through the package functions the DAG calls
(readiness.backfill.run_night) and the alert calls the DAG makes, with a real SMTP server.

The week: a clean first night; a broken workers delivery; HR re-sent unchanged; a FOCUS restatement of an
earlier month; a GL line whose FX rate arrives a night late; the FX rate and a reorganisation of the org
tree; a budget reforecast. Then: the same night re-run publishes the same marts (idempotent), the marts
equal one clean build of the valid deliveries table by table, and no row was lost.
Expected outcomes and alerts are written here by hand from the week's plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from readiness import ops
from readiness.alerts import alert_night, notify_failed_run
from readiness.backfill import NightOutcome, run_night
from readiness.config import Settings
from readiness.generate import generate_organisation
from tests.smtp_inbox import Inbox, body, keep
from tests.smtp_inbox import inbox as inbox  # the fixture

DAYS = [date(2026, 11, 27 + n) if n < 4 else date(2026, 12, n - 3) for n in range(7)]
#: Marts that describe the runs themselves: they differ by design between a week and one clean build.
RUN_MARTS = {"publication", "pipeline_run_history", "pipeline_run_volumes"}
RESTATED_ACCOUNT, RESTATED_PERIOD = "412398765012", "2026-10-01"


@dataclass(frozen=True)
class Night:
    day: date
    files: dict[str, bytes]  # landing path (source/extract/name) -> bytes
    status: str
    failed_step: str | None
    late: list[str]  # sources past their deadline, in the alert
    says: str = ""  # what the failure reason must name


def _crlf_swapped(data: bytes) -> bytes:
    """The same rows with the other line ending: new bytes, so a new delivery (not a re-send)."""
    return data.replace(b"\r\n", b"\n") if b"\r\n" in data else data.replace(b"\n", b"\r\n")


def _plan(generated: Path) -> list[Night]:
    def read(rel: str) -> bytes:
        return (generated / rel).read_bytes()

    day0 = "2026-11-27"
    hr = {e: read(f"hr/{e}/{e}_{day0}.csv") for e in ("org_units", "job_profiles", "workers", "worker_skills")}
    first = {
        str(p.relative_to(generated)): p.read_bytes()
        for p in sorted(generated.rglob("*"))
        if p.is_file() and p.name != "budget_2026-07-10.csv"
    }
    broken = hr["workers"].decode().replace(",", ";").encode()
    restated = pq.read_table(generated / f"finance/cloud_costs/cloud_costs_{day0}.parquet")
    keep_rows = pc.and_(
        pc.equal(restated["BillingAccountId"], RESTATED_ACCOUNT),
        pc.equal(pc.strftime(restated["BillingPeriodStart"], "%Y-%m-%d"), RESTATED_PERIOD),
    )
    restated = restated.filter(keep_rows)
    restated = restated.set_column(
        restated.schema.get_field_index("EffectiveCost"),
        "EffectiveCost",
        pc.multiply(restated["EffectiveCost"], pa.scalar(1.2, restated["EffectiveCost"].type)),
    )
    sink = pa.BufferOutputStream()
    pq.write_table(restated, sink)
    gl_header = read(f"finance/gl_actuals/gl_actuals_{day0}.csv").splitlines()[0]
    chf_line = b"JE-2026-CHF001,1,2026-12-01,CC-1150,6210,Contoso AG,GenAI workshop (CHF),1200.00,CHF,AI-ADOPT-2026"
    reorg = hr["org_units"].replace(
        b"OU0004,Software Engineering North,OU0003", b"OU0004,Software Engineering North,OU0005"
    )
    assert reorg != hr["org_units"]
    return [
        Night(DAYS[0], first, "published", None, []),
        Night(
            DAYS[1],
            {"hr/workers/workers_2026-11-28.csv": broken},
            "failed",
            "hr.load_workers",
            [],
            "the file is not comma-separated",
        ),
        Night(DAYS[2], {f"hr/{e}/{e}_2026-11-29.csv": data for e, data in hr.items()}, "published", None, ["lms"]),
        Night(
            DAYS[3],
            {"finance/cloud_costs/cloud_costs_2026-11-30.parquet": sink.getvalue().to_pybytes()},
            "published",
            None,
            ["lms"],
        ),
        Night(
            DAYS[4],
            {"finance/gl_actuals/gl_actuals_2026-12-01.csv": gl_header + b"\n" + chf_line + b"\n"},
            "failed",
            "transform",
            ["hr", "lms"],
            # dbt's own words for what failed, not its hundreds of SKIP lines nor its colour codes
            "Failure in test finance_lines_have_an_fx_rate",
        ),
        Night(
            DAYS[5],
            {
                "finance/fx_rates/fx_rates_2026-12-02.csv": b"rate_date,from_currency,to_currency,rate\n"
                b"2026-12-01,CHF,USD,1.130000\n",
                "hr/org_units/org_units_2026-12-02.csv": reorg,
            }
            | {
                f"hr/{e}/{e}_2026-12-02.csv": _crlf_swapped(hr[e]) for e in ("job_profiles", "workers", "worker_skills")
            },
            "published",
            None,
            ["lms"],
        ),
        Night(
            DAYS[6],
            {"finance/budget/budget_2026-07-10.csv": read("finance/budget/budget_2026-07-10.csv")},
            "published",
            None,
            ["lms"],
        ),
    ]


def _deliver(settings: Settings, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = settings.landing_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _marts(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {
            t: sorted(con.execute(f"select * from marts.{t}").fetchall(), key=repr)
            for t in tables
            if t not in RUN_MARTS
        }


def _thresholds(settings: Settings) -> dict[tuple, float]:
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        return {
            tuple(r[:4]): float(r[4] or 0)
            for r in con.execute(
                "select fiscal_year, fiscal_quarter, cost_center_id, category, threshold_reached "
                "from marts.budget_vs_spend"
            ).fetchall()
        }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("week") / "generated"
    generate_organisation(out, employees=60, seed=5, as_of=DAYS[0], hr_snapshots=1)
    return out


@pytest.fixture
def week_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("READINESS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READINESS_PSEUDONYM_KEY", "week-test-key")
    # A new HR snapshot doubles the sum of headcounts over snapshots: a real change, as the runbook allows.
    monkeypatch.setenv("READINESS_AUDIT_MAX_TOTAL_CHANGE", "3")
    settings = Settings.from_env()
    settings.ensure_dirs()
    return settings


def _night(settings: Settings, night: Night, run_id: str) -> NightOutcome:
    """What the DAG does for a night: the tasks, then its alert task or its failure callback."""
    outcome = run_night(settings, night.day, run_id)
    if outcome.status == "published":
        alert_night(run_id, night.day)
    else:
        notify_failed_run({"run_id": run_id})
    return outcome


@pytest.mark.timeout(1800)
def test_a_week_of_nights(generated: Path, week_settings: Settings, inbox: Inbox, tmp_path: Path) -> None:
    settings = week_settings
    plan = _plan(generated)
    published_thresholds: dict[tuple, float] = {}
    for n, night in enumerate(plan, start=1):
        _deliver(settings, night.files)
        sent = len(inbox.messages)
        outcome = _night(settings, night, f"night-{n}")
        assert (outcome.status, outcome.failed_step) == (night.status, night.failed_step), outcome.reason
        new = inbox.messages[sent:]
        if night.status == "failed":
            assert night.says in (outcome.reason or ""), outcome.reason
            assert "\x1b[" not in (outcome.reason or "") and " SKIP " not in (outcome.reason or "")
            assert len(new) == 1, f"night {n}: one failure message"
            assert new[0]["Subject"] == f"[readiness] FAILED {night.day}: {night.failed_step} failed"
            keep(new[0], f"week-night-{n}-failed")
            tables = body(new[0]).tables
            assert sorted(r[0] for r in tables[1][1:]) == night.late if night.late else len(tables) == 1
            continue
        thresholds = _thresholds(settings)
        crossed = sorted(k for k, v in thresholds.items() if v > published_thresholds.get(k, 0.0))
        published_thresholds = thresholds
        if not crossed and not night.late:
            assert new == [], f"night {n}: nothing to say"
            continue
        assert len(new) == 1, f"night {n}: one digest"
        keep(new[0], f"week-night-{n}-digest")
        tables = body(new[0]).tables
        late_rows = [r[0] for r in tables[-1][1:]] if night.late else []
        assert late_rows == night.late, f"night {n}"
        if crossed:
            assert sorted((int(r[2][2:6]), int(r[2][-1]), r[0], r[1]) for r in tables[0][1:]) == crossed, f"night {n}"
    week = _marts(settings.published_db)

    # Re-running the last night publishes the same marts.
    assert run_night(settings, plan[-1].day, "night-7-again").status == "published"
    assert _marts(settings.published_db) == week

    # Nothing lost: every file read is loaded or quarantined, and raw holds what the manifest says.
    with ops.connect(settings.ingest_db, read_only=True) as con:
        assert (
            con.execute(
                "select count(*) from ops.load_manifest where rows_read <> rows_loaded + rows_quarantined"
            ).fetchone()[0]
            == 0
        )
        received = con.execute(
            "select (select count(*) from ops.load_manifest) + (select count(*) from ops.duplicate_deliveries)"
        ).fetchone()[0]
        unchanged = con.execute("select count(*) from ops.duplicate_deliveries").fetchone()[0]
    assert received == sum(len(n.files) for n in plan)
    assert unchanged == 4, "the four HR files re-sent on the third night"

    # One clean build of the valid deliveries gives the same marts, table by table.
    clean = Settings(data_dir=tmp_path / "clean")
    clean.ensure_dirs()
    for night in plan:
        if night.day != DAYS[1]:  # the broken workers delivery is not a valid one
            _deliver(clean, night.files)
    assert run_night(clean, plan[-1].day, "clean").status == "published"
    clean_marts = _marts(clean.published_db)
    assert set(clean_marts) == set(week)
    for mart in week:
        assert clean_marts[mart] == week[mart], mart
