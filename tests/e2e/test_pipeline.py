"""End to end: the real DAG through `airflow dags test` on a small generated organisation.

Expected mart values are computed here from the generated files with plain Python (csv, json,
pyarrow), following docs/marts.md and docs/readiness-plan.md, never by running the project's SQL.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from readiness import service
from readiness.config import Settings
from readiness.generate import generate_organisation
from tests.e2e.xapi import counting_completions

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
AS_OF = "2026-11-28"
SNAPSHOT = date(2026, 11, 27)

# docs/readiness-plan.md, by hand: who needs genai_fundamentals at which level, and which items grant it.
GENAI_REQUIRED = {"leadership": 2, "tech_specialist": 3, "end_user": 1}
GENAI_GRANTED_BY_URL = {
    "https://learn.microsoft.com/training/paths/introduction-generative-ai/": 2,
    "https://learn.microsoft.com/training/paths/intro-generative-ai-for-trainers/": 2,
    "https://learn.microsoft.com/training/paths/develop-ai-solutions-azure-openai/": 3,
    "https://learn.microsoft.com/training/paths/security-copilot-and-ai/": 2,
    "https://www.linkedin.com/learning/paths/career-essentials-in-generative-ai-by-microsoft-and-linkedin": 2,
    "https://microsoft.github.io/generative-ai-for-beginners/": 3,
}
LEADERSHIP_LEVELS = {"Executive", "Director", "Manager"}
TECHNICAL_FAMILIES = {"Software Engineering", "Data & Analytics", "IT Operations", "Security"}
AI_SERVICE_CATEGORY = "AI and Machine Learning"


def _run(args: list[str], env: dict[str, str], timeout: int = 1200) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT)


def _dags_test(env: dict[str, str], logical_date: str) -> subprocess.CompletedProcess[str]:
    return _run([str(BIN / "airflow"), "dags", "test", "readiness_nightly", logical_date], env)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory):
    """A generated organisation, run once through the nightly DAG."""
    root = tmp_path_factory.mktemp("e2e")
    data_dir, airflow_home = root / "data", root / "airflow"
    airflow_home.mkdir()
    env = service.dags_test_environment(data_dir, airflow_home, pseudonym_key="e2e-test-key")
    generated = root / "generated"
    generate_organisation(generated, employees=120, seed=11)
    # The data root as an installer makes it (the pipeline, under its umask, would make it 0750 too);
    # copytree would use this test process's umask, which depends on which tests ran before.
    data_dir.mkdir(mode=0o750)
    data_dir.chmod(0o750)
    shutil.copytree(generated, Settings(data_dir).landing_dir)
    service.init_metadata(env, airflow_home / "init.log")
    result = _run([str(BIN / "readiness"), "dbt-parse"], env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # A BI-like reader in another process reads the published file in a loop during the whole run.
    stop = root / "stop-reader"
    reader = subprocess.Popen(
        [str(BIN / "readiness"), "probe-readers", "--seconds", "3000", "--stop-file", str(stop)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    result = _dags_test(env, AS_OF)
    stop.touch()
    reader_out, reader_err = reader.communicate(timeout=120)
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    return {
        "env": env,
        "data_dir": data_dir,
        "generated": generated,
        "log": result.stdout + result.stderr,
        "reader": (reader.returncode, reader_out, reader_err),
    }


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _published(pipeline) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(Settings(pipeline["data_dir"]).published_db), read_only=True)


def expected_genai_coverage(generated: Path) -> dict[str, tuple[int, int]]:
    """(headcount, meeting_count) per audience at the top unit for genai_fundamentals, by hand."""
    day = SNAPSHOT.isoformat()
    workers = _read_csv(generated / "hr" / "workers" / f"workers_{day}.csv")
    profiles = {
        p["job_profile_id"]: p for p in _read_csv(generated / "hr" / "job_profiles" / f"job_profiles_{day}.csv")
    }
    in_workforce = {}
    for w in workers:
        hired = date.fromisoformat(w["hire_date"])
        left = date.fromisoformat(w["termination_date"]) if w["termination_date"] else None
        if w["worker_status"] in ("Active", "Leave") and hired <= SNAPSHOT and (left is None or left > SNAPSHOT):
            profile = profiles[w["job_profile_id"]]
            if profile["management_level"] in LEADERSHIP_LEVELS:
                audience = "leadership"
            elif profile["job_family"] in TECHNICAL_FAMILIES:
                audience = "tech_specialist"
            else:
                audience = "end_user"
            in_workforce[w["worker_id"]] = audience

    level: dict[str, int] = defaultdict(int)
    for s in _read_csv(generated / "hr" / "worker_skills" / f"worker_skills_{day}.csv"):
        expired = s["expires_date"] and date.fromisoformat(s["expires_date"]) <= SNAPSHOT
        if s["skill_id"] == "genai_fundamentals" and not expired:
            level[s["worker_id"]] = max(level[s["worker_id"]], int(s["proficiency"]))

    for worker, s in counting_completions(generated, SNAPSHOT):
        granted = GENAI_GRANTED_BY_URL.get(s["object"]["id"])
        if worker and granted:
            level[worker] = max(level[worker], granted)

    result = {}
    for audience, required in GENAI_REQUIRED.items():
        members = [w for w, a in in_workforce.items() if a == audience]
        result[audience] = (len(members), sum(level[w] >= required for w in members))
    return result


def _rate_lookup(generated: Path):
    rates: dict[tuple[str, date], Decimal] = {}
    for r in _read_csv(next((generated / "finance" / "fx_rates").glob("*.csv"))):
        rates[(r["from_currency"], date.fromisoformat(r["rate_date"]))] = Decimal(r["rate"])

    def convert(amount: Decimal, currency: str, day: date) -> Decimal:
        if currency == "USD":
            return amount
        for back in range(8):  # the rate of the day, else the latest earlier one within 7 days
            rate = rates.get((currency, day - timedelta(days=back)))
            if rate is not None:
                return amount * rate
        raise AssertionError(f"no rate for {currency} on {day}")

    return convert


def expected_spend_and_budget(generated: Path) -> tuple[Decimal, Decimal]:
    convert = _rate_lookup(generated)
    gl = sum(
        (
            convert(Decimal(r["amount"]), r["currency"], date.fromisoformat(r["posting_date"]))
            for r in _read_csv(next((generated / "finance" / "gl_actuals").glob("*.csv")))
        ),
        Decimal(0),
    )
    cloud = Decimal(0)
    for row in pq.read_table(next((generated / "finance" / "cloud_costs").glob("*.parquet"))).to_pylist():
        tags = json.loads(row["Tags"]) if row["Tags"] else {}
        genai = any(k.strip().lower() == "ai_program" and str(v).strip().lower() == "genai" for k, v in tags.items())
        if row["ServiceCategory"] == AI_SERVICE_CATEGORY or genai:
            day = (
                row["ChargePeriodStart"].astimezone(UTC).date()
                if row["ChargePeriodStart"].tzinfo
                else row["ChargePeriodStart"].date()
            )
            cloud += convert(Decimal(str(row["EffectiveCost"])), row["BillingCurrency"], day)

    versions: dict[tuple[int, int], dict[str, tuple[str, Decimal]]] = defaultdict(dict)
    for path in (generated / "finance" / "budget").glob("*.csv"):
        for r in _read_csv(path):
            period = (int(r["fiscal_year"]), int(r["fiscal_quarter"]))
            approved, total = versions[period].get(r["budget_version"], (r["approved_date"], Decimal(0)))
            versions[period][r["budget_version"]] = (approved, total + Decimal(r["amount"]))
    budget = sum((max(v.values())[1] for v in versions.values()), Decimal(0))
    return gl + cloud, budget


def test_the_run_publishes_every_mart_with_rows(pipeline) -> None:
    with _published(pipeline) as con:
        run_id, counts = con.execute("select run_id, row_counts::varchar from marts.publication").fetchone()
        assert run_id.startswith("manual__")
        for mart, rows in json.loads(counts).items():
            assert rows > 0
            assert con.execute(f"select count(*) from marts.{mart}").fetchone()[0] == rows
        schemas = {r[0] for r in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
    assert "staging" not in schemas and "intermediate" not in schemas, "names and e-mails stop at staging"


def test_a_reader_during_the_run_never_failed(pipeline) -> None:
    returncode, out, err = pipeline["reader"]
    seen = json.loads(out.strip().splitlines()[-1])
    print("reader during the DAG run:", json.dumps(seen))
    assert returncode == 0, err[-2000:]
    assert seen["error_count"] == 0 and seen["mismatches"] == []
    with _published(pipeline) as con:
        run_id = con.execute("select run_id from marts.publication").fetchone()[0]
    # Nothing was published before this run: the reader saw no file, then tonight's version, whole.
    assert set(seen["versions"]) <= {run_id}


def test_the_run_exports_the_marts_and_writes_the_report(pipeline) -> None:
    data_dir = pipeline["data_dir"]
    with _published(pipeline) as con:
        counts = json.loads(con.execute("select row_counts::varchar from marts.publication").fetchone()[0])
    for mart, rows in counts.items():
        assert pq.read_table(Settings(data_dir).exports_dir / f"{mart}.parquet").num_rows == rows
        with (Settings(data_dir).exports_dir / f"{mart}.csv").open(encoding="utf-8") as handle:
            assert sum(1 for _ in handle) >= rows + 1
    latest = (Settings(data_dir).reports_dir / "latest.html").read_text()
    assert latest.count('<section class="chart"') == 5
    assert len(list(Settings(data_dir).reports_dir.glob("readiness-2026-11-28-*.html"))) == 1


def test_skills_coverage_matches_a_count_from_the_files(pipeline) -> None:
    expected = expected_genai_coverage(pipeline["generated"])
    with _published(pipeline) as con:
        rows = con.execute(
            "select audience, headcount, meeting_count, gap_count, coverage_pct, is_suppressed "
            "from marts.skills_coverage c where snapshot_date = ? and skill_id = 'genai_fundamentals' "
            "and org_unit_id = (select org_unit_id from marts.skills_coverage group by 1 order by max(headcount) desc "
            "limit 1)",
            [SNAPSHOT],
        ).fetchall()
    actual = {r[0]: r[1:] for r in rows}
    assert set(actual) == set(expected)
    for audience, (headcount, meeting) in expected.items():
        got_headcount, got_meeting, gap, coverage, suppressed = actual[audience]
        assert got_headcount == headcount, audience
        if headcount < 5:
            assert suppressed and got_meeting is None
            continue
        assert (got_meeting, gap) == (meeting, headcount - meeting), audience
        assert coverage == pytest.approx(meeting / headcount)


def test_budget_vs_spend_reconciles_with_the_files_to_the_cent(pipeline) -> None:
    spend, budget = expected_spend_and_budget(pipeline["generated"])
    with _published(pipeline) as con:
        actual, budgeted = con.execute(
            "select sum(actual_amount), sum(budget_amount) from marts.budget_vs_spend"
        ).fetchone()
    assert abs(Decimal(actual) - spend) <= Decimal("0.01"), (actual, spend)
    assert abs(Decimal(budgeted) - budget) <= Decimal("0.01"), (budgeted, budget)


def test_file_modes_after_the_run_and_no_key_in_logs_or_compiled_sql(pipeline) -> None:
    from tests.security.installation import mode_problems

    assert mode_problems(Settings(pipeline["data_dir"])) == []
    key = pipeline["env"]["READINESS_PSEUDONYM_KEY"]
    assert key not in pipeline["log"]
    airflow_home = Path(pipeline["env"]["AIRFLOW_HOME"])
    written = [REPO_ROOT / "dbt_project" / "target", REPO_ROOT / "dbt_project" / "logs", airflow_home]
    for path in (f for folder in written if folder.exists() for f in folder.rglob("*") if f.is_file()):
        if path.suffix in (".sql", ".log", ".json", ".txt", ""):
            assert key not in path.read_text(errors="replace"), path


def test_a_broken_extract_stops_the_run_and_leaves_the_warehouse_untouched(pipeline) -> None:
    published = Settings(pipeline["data_dir"]).published_db
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    source = pipeline["generated"] / "hr" / "workers" / f"workers_{SNAPSHOT.isoformat()}.csv"
    lines = source.read_text().splitlines()
    broken = Settings(pipeline["data_dir"]).landing_dir / "hr" / "workers" / "workers_2026-11-28.csv"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text("\n".join([*lines, lines[1], lines[2]]) + "\n")  # two workers delivered twice

    result = _dags_test(pipeline["env"], "2026-11-29")

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "hr/workers: delivery workers_2026-11-28.csv failed" in output
    assert "expect_column_values_to_be_unique on worker_id" in output
    assert lines[1].split(",")[0] in output, "a sample of the failing values is named"
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    with duckdb.connect(str(Settings(pipeline["data_dir"]).ingest_db), read_only=True) as con:
        status, task, reason = con.execute(
            "select status, failed_task, reason from ops.pipeline_runs order by started_at desc limit 1"
        ).fetchone()
    assert (status, task) == ("failed", "hr.validate_workers")
    assert "expect_column_values_to_be_unique" in reason
