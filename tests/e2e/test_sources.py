"""Bring your own data, end to end: the real DAG (`airflow dags test`) on an installation that starts with
HR alone, then adds its LMS, then finance (READINESS_SOURCES), as the README's tutorial does.

One small generated organisation (100 employees) and one Airflow home for the three nights. Each night
delivers what that step of the tutorial delivers; what each publication carries and what `readiness
summary` says are checked against figures computed here from the delivered files with plain Python.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from readiness import service
from readiness.config import Settings
from readiness.generate import generate_organisation
from tests.e2e.test_pipeline import (
    LEADERSHIP_LEVELS,
    SNAPSHOT,
    TECHNICAL_FAMILIES,
    _read_csv,
    expected_genai_coverage,
    expected_spend_and_budget,
)
from tests.e2e.xapi import counting_completions

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
UNAVAILABLE_LMS = "source lms not configured (READINESS_SOURCES)"
UNAVAILABLE_FINANCE = "source finance not configured (READINESS_SOURCES)"
UNAVAILABLE_SURVEY = "source survey not configured (READINESS_SOURCES)"
UNAVAILABLE_PLAN = "source lms, finance not configured (READINESS_SOURCES)"

#: The tutorial's steps: (READINESS_SOURCES, logical date, the folders of the generated sample delivered).
STEPS = {
    "hr": ("hr", "2026-11-28", ["hr"]),
    # The LMS of this site is an LRS only: xAPI statements and the catalogue, no Viva course activity.
    "hr+lms": ("hr,lms", "2026-11-29", ["lms/catalog", "lms/statements"]),
    # Every source (READINESS_SOURCES unset: the pulse survey too), and Viva Learning's course activity beside
    # the statements.
    "all": ("", "2026-11-30", ["finance", "lms/course_activity", "survey"]),
}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=1200, cwd=REPO_ROOT)


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("sources")
    data_dir, airflow_home = root / "data", root / "airflow"
    airflow_home.mkdir()
    data_dir.mkdir(mode=0o750)
    data_dir.chmod(0o750)
    generated = root / "generated"
    generate_organisation(generated, employees=100, seed=11)
    # One dbt build task (what deploy/airflow.env sets) rather than a task per node: this test is about what
    # each night publishes, and three nights of per-node tasks would triple its time for nothing it checks.
    base = service.dags_test_environment(
        data_dir, airflow_home, pseudonym_key="sources-test-key", base={**os.environ, "READINESS_DBT_TASKS": "build"}
    )
    service.init_metadata(base, airflow_home / "init.log")
    result = _run([str(BIN / "readiness"), "dbt-parse"], base)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    landing = Settings(data_dir).landing_dir
    outcome: dict[str, dict] = {}
    for step, (sources, logical_date, folders) in STEPS.items():
        for folder in folders:
            shutil.copytree(generated / folder, landing / folder, dirs_exist_ok=True)
        env = {**base, "READINESS_SOURCES": sources}
        run = _run([str(BIN / "airflow"), "dags", "test", "readiness_nightly", logical_date], env)
        assert run.returncode == 0, f"{step}: " + (run.stdout + run.stderr)[-6000:]
        summary = _run([str(BIN / "readiness"), "summary"], {**env, "COLUMNS": "200"})
        assert summary.returncode == 0, f"{step}: " + summary.stdout + (run.stdout + run.stderr)[-4000:]
        with duckdb.connect(str(Settings(data_dir).published_db), read_only=True) as con:
            unavailable = json.loads(
                con.execute("select unavailable_marts::varchar from marts.publication").fetchone()[0]
            )
            rows = {
                t: con.execute(f"select count(*) from marts.{t}").fetchone()[0]
                for (t,) in con.execute(
                    "select table_name from information_schema.tables where table_schema = 'marts'"
                ).fetchall()
            }
            coverage = con.execute(
                "select audience, headcount, meeting_count from marts.skills_coverage where snapshot_date = ? "
                "and skill_id = 'genai_fundamentals' and org_unit_id = (select org_unit_id from marts.org_units "
                "where is_root and snapshot_date = ?)",
                [SNAPSHOT, SNAPSHOT],
            ).fetchall()
            completions = con.execute(
                "select audience, sum(completed_count), bool_or(is_suppressed) from marts.training_progress "
                "where is_root group by audience"
            ).fetchall()
            spend = con.execute("select sum(actual_amount), sum(budget_amount) from marts.budget_vs_spend").fetchone()
        with duckdb.connect(str(Settings(data_dir).ingest_db), read_only=True) as con:
            loaded = {
                r[0] for r in con.execute("select distinct source || '/' || extract from ops.load_manifest").fetchall()
            }
        outcome[step] = {
            "report": (Settings(data_dir).reports_dir / "latest.html").read_text(encoding="utf-8"),
            "log": run.stdout + run.stderr,
            "summary": summary.stdout,
            "unavailable": unavailable,
            "rows": rows,
            "coverage": {a: (h, m) for a, h, m in coverage},
            "completions": {a: (n, s) for a, n, s in completions},
            "spend": spend,
            "loaded": loaded,
        }
    outcome["generated"] = {"path": generated, "root": root}
    return outcome


def _hr_only_delivery(generated: Path, root: Path) -> Path:
    """What HR alone delivered, in the layout expected_genai_coverage reads: no statement grants a skill."""
    delivered = root / "hr-only"
    shutil.copytree(generated / "hr", delivered / "hr", dirs_exist_ok=True)
    (delivered / "lms" / "statements").mkdir(parents=True, exist_ok=True)
    (delivered / "lms" / "statements" / "statements_2026-11-27.jsonl").write_text("")
    return delivered


def expected_root_completions(generated: Path) -> dict[str, int]:
    """Per audience, the (worker, catalogue item) pairs with a counting completion by the as-of date, of the
    workers in the workforce of the latest snapshot: the root rows' completed_count summed over months."""
    day = SNAPSHOT.isoformat()
    profiles = {
        p["job_profile_id"]: p for p in _read_csv(generated / "hr" / "job_profiles" / f"job_profiles_{day}.csv")
    }
    audience_of = {}
    for w in _read_csv(generated / "hr" / "workers" / f"workers_{day}.csv"):
        left = date.fromisoformat(w["termination_date"]) if w["termination_date"] else None
        if (
            w["worker_status"] in ("Active", "Leave")
            and date.fromisoformat(w["hire_date"]) <= SNAPSHOT
            and (left is None or left > SNAPSHOT)
        ):
            profile = profiles[w["job_profile_id"]]
            audience_of[w["worker_id"]] = (
                "leadership"
                if profile["management_level"] in LEADERSHIP_LEVELS
                else "tech_specialist"
                if profile["job_family"] in TECHNICAL_FAMILIES
                else "end_user"
            )
    catalogue = json.loads(next((generated / "lms" / "catalog").glob("*.json")).read_text())
    urls = {item["url"].rstrip("/").lower() for kind in catalogue.values() for item in kind}
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for worker, s in counting_completions(generated, SNAPSHOT):
        url = s["object"]["id"].rstrip("/").lower()
        if worker in audience_of and url in urls:
            pairs[audience_of[worker]].add((worker, url))
    return {audience: len(p) for audience, p in pairs.items()}


def _assert_completions(actual: dict[str, tuple[int, bool]], expected: dict[str, int]) -> None:
    assert set(actual) == set(expected)
    for audience, count in expected.items():
        got, suppressed = actual[audience]
        if not suppressed:  # a suppressed month hides its count; the audiences of 100 people are not
            assert got == count, audience


def test_hr_alone_publishes_skills_and_marks_training_and_money_unavailable(nights) -> None:
    night = nights["hr"]
    assert night["unavailable"] == {
        "training_progress": UNAVAILABLE_LMS,
        "learning_effectiveness": UNAVAILABLE_LMS,
        "budget_vs_spend": UNAVAILABLE_FINANCE,
        "gap_closure_plan": UNAVAILABLE_PLAN,
        "sentiment_by_team": UNAVAILABLE_SURVEY,
    }
    assert night["rows"]["training_progress"] == 0 and night["rows"]["budget_vs_spend"] == 0
    assert night["rows"]["skills_coverage"] > 0 and night["rows"]["skill_gaps"] > 0
    assert night["rows"]["readiness_scorecard"] > 0
    generated = nights["generated"]
    assert night["coverage"] == expected_genai_coverage(_hr_only_delivery(generated["path"], generated["root"]))
    # No task for a source that is not configured: nothing of it was looked for, nothing loaded.
    assert {e.split("/")[0] for e in night["loaded"]} == {"hr"}
    assert "lms.load_" not in night["log"] and "finance.load_" not in night["log"]
    assert "never been delivered" not in night["log"]
    assert "Not configured (READINESS_SOURCES): lms, finance, survey" in night["summary"]
    assert f"unavailable: {UNAVAILABLE_LMS}" in night["summary"]
    assert "Late source: lms" not in night["summary"] and "Late source: finance" not in night["summary"]
    assert f"training_progress: {UNAVAILABLE_LMS}" in night["report"]
    assert f"Not shown: marts.budget_vs_spend is unavailable, {UNAVAILABLE_FINANCE}" in night["report"]


def test_adding_the_lms_publishes_training_from_statements_alone(nights) -> None:
    night = nights["hr+lms"]
    generated = nights["generated"]["path"]
    assert night["unavailable"] == {
        "budget_vs_spend": UNAVAILABLE_FINANCE,
        "gap_closure_plan": "source finance not configured (READINESS_SOURCES)",
        "sentiment_by_team": UNAVAILABLE_SURVEY,
    }
    assert night["rows"]["training_progress"] > 0 and night["rows"]["budget_vs_spend"] == 0
    # Training completed now grants skills: the coverage counts them.
    assert night["coverage"] == expected_genai_coverage(generated)
    _assert_completions(night["completions"], expected_root_completions(generated))
    # Only xAPI was delivered: course_activity is not missing, the statements carry the LMS's facts.
    assert "lms/course_activity" not in night["loaded"]
    assert "never been delivered" not in night["log"]
    assert "Not configured (READINESS_SOURCES): finance, survey" in night["summary"]
    assert "unavailable: " + UNAVAILABLE_LMS not in night["summary"]


def test_every_source_publishes_every_mart_and_viva_activity_adds_no_double_count(nights) -> None:
    night = nights["all"]
    generated = nights["generated"]["path"]
    assert night["unavailable"] == {}
    assert all(rows > 0 for mart, rows in night["rows"].items() if mart != "publication")
    spend, budget = expected_spend_and_budget(generated)
    assert abs(Decimal(night["spend"][0]) - spend) <= Decimal("0.01")
    assert abs(Decimal(night["spend"][1]) - budget) <= Decimal("0.01")
    # The sample's Viva course activity reports the same learners and courses as its statements: the
    # statements decide every such pair (docs/marts.md), so the completions are the statements' alone.
    _assert_completions(night["completions"], expected_root_completions(generated))
    assert "lms/course_activity" in night["loaded"]
    assert "Not configured" not in night["summary"] and "unavailable:" not in night["summary"]
    assert "Not configured" not in night["report"] and "Not shown" not in night["report"]
