"""Alerts arrive at a real SMTP server (aiosmtpd on 127.0.0.1), with the right content, once.

Expected figures are arithmetic on the rows of tests/marts_data.py and on the manifest rows written here.
One failed night goes through the real DAG (`airflow dags test`) to prove the notifier is wired.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from readiness import ops, service
from readiness.alerts import advice, alert_night, notify_failed_run
from readiness.audit import Bounds
from readiness.config import Settings
from readiness.contracts import EXTRACTS
from readiness.publish import publish
from tests.marts_data import build_candidate
from tests.smtp_inbox import Inbox, body, keep
from tests.smtp_inbox import inbox as inbox  # the fixture

AS_OF = date(2026, 11, 28)
LOOSE = Bounds(max_row_drop=0.99, max_total_change=100)
REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _manifest(settings: Settings, as_of_by_extract: dict[str, date | None]) -> None:
    """One loaded delivery per extract with the as-of date given (None: never delivered)."""
    with ops.connect(settings.ingest_db) as con:
        for extract in EXTRACTS:
            as_of = as_of_by_extract[extract.qualified_name]
            if as_of is None:
                continue
            con.execute(
                "insert into ops.load_manifest values (?, ?, ?, ?, ?, 1, 1, 0, 'loaded', '', ?, ?, null, 'old-run')",
                [
                    f"sha-{extract.qualified_name}",
                    extract.source,
                    extract.name,
                    f"{extract.name}_{as_of}",
                    as_of,
                    datetime(2026, 11, 1),
                    datetime(2026, 11, 1),
                ],
            )


# HR two days old (deadline 1 day); LMS never delivered; finance: GL 27 days old (deadline 31), budget older.
LATE_AND_FRESH = {
    e.qualified_name: {"hr": date(2026, 11, 26), "lms": None, "finance": date(2026, 11, 1)}[e.source] for e in EXTRACTS
} | {"finance/budget": date(2026, 7, 10)}


def test_budget_crossings_and_late_sources_in_one_digest_sent_once(settings: Settings, inbox: Inbox) -> None:
    _manifest(settings, LATE_AND_FRESH)
    # First publication: marts_data's training line is at 50 % in Q2 (5,000 of 10,000) and Q3 (7,500).
    build_candidate(settings.candidate_db)
    publish(settings, "run-1", str(AS_OF), LOOSE)
    # Tonight: training Q3 reaches 80 % (8,200 of 10,000), cloud AI Q3 50 % (10,500 of 20,000); Q2 unchanged.
    build_candidate(settings.candidate_db)
    with duckdb.connect(str(settings.candidate_db)) as con:
        con.execute(
            "update marts.budget_vs_spend set actual_amount = 8200, forecast_amount = 8200, threshold_reached = 0.8 "
            "where fiscal_quarter = 3 and category = 'training'"
        )
        con.execute(
            "update marts.budget_vs_spend set actual_amount = 10500, forecast_amount = 10500, threshold_reached = 0.5 "
            "where fiscal_quarter = 3 and category = 'cloud_ai_services'"
        )
    publish(settings, "run-2", str(AS_OF), LOOSE)

    assert alert_night("run-2", AS_OF) is not None
    assert alert_night("run-2", AS_OF) is None, "a retried task must not send the digest again"

    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    keep(message, "night-digest")
    assert message["Subject"] == "[readiness] 2026-11-28: 2 budget threshold(s) crossed; late: hr, lms"
    assert message["From"] == "readiness@example.org"
    assert message["To"] == "oncall@example.org, finance@example.org"
    crossings, late = body(message).tables
    assert crossings[1:] == [
        ["CC-100", "cloud_ai_services", "FY2026 Q3", "50 %", "none", "20,000.00 USD", "10,500.00 USD", "10,500.00 USD"],
        ["CC-100", "training", "FY2026 Q3", "80 %", "50 %", "10,000.00 USD", "8,200.00 USD", "8,200.00 USD"],
    ]
    assert late[1:] == [["hr", "2026-11-26", "2", "1"], ["lms", "never", "", "1"]]


def test_a_night_with_nothing_to_say_sends_nothing(settings: Settings, inbox: Inbox) -> None:
    _manifest(settings, {e.qualified_name: AS_OF for e in EXTRACTS})
    build_candidate(settings.candidate_db)
    with duckdb.connect(str(settings.candidate_db)) as con:
        con.execute("update marts.budget_vs_spend set threshold_reached = 0")
    publish(settings, "run-1", str(AS_OF), LOOSE)
    assert alert_night("run-1", AS_OF) is None
    assert inbox.messages == []


def test_a_failed_run_sends_one_message_with_the_task_the_reason_and_what_to_do(
    settings: Settings, inbox: Inbox
) -> None:
    _manifest(settings, LATE_AND_FRESH)
    reason = "hr/workers: expect_column_values_to_be_unique on worker_id failed for {{ 2 }} rows <W1>"
    with ops.connect(settings.ingest_db) as con:
        con.execute(
            "insert into ops.pipeline_runs values ('run-9', ?, ?, ?, 'failed', false, 'hr.validate_workers', ?, null)",
            [AS_OF, datetime(2026, 11, 28, 2), datetime(2026, 11, 28, 2, 5), reason],
        )
    context = {"run_id": "run-9", "logical_date": datetime(2026, 11, 28, 2)}
    notify_failed_run(context)
    notify_failed_run(context)  # the scheduler may call a callback again: still one message

    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    keep(message, "failed-run")
    assert message["Subject"] == "[readiness] FAILED 2026-11-28: hr.validate_workers failed"
    parsed = body(message)
    text = "".join(parsed.text)
    assert parsed.tables[0][1] == ["run-9", "2026-11-28", "failed", "hr.validate_workers"]
    assert reason in text, "the reason arrives verbatim (braces and brackets are not a template)"
    assert "failed its Great Expectations suite" in text and "re-run the night" in text
    assert [row[0] for row in parsed.tables[1][1:]] == ["hr", "lms"]


@pytest.mark.parametrize(
    ("task", "words"),
    [
        ("hr.load_workers", "could not be loaded"),
        ("finance.validate_budget", "Great Expectations"),
        ("transform.skill_gaps_run", "dbt failed"),
        ("publish", "audit stopped the publication"),
        ("report", "is published; only a step after it failed"),
        (None, "task logs"),
    ],
)
def test_advice_names_the_next_step_for_each_failing_step(task: str | None, words: str) -> None:
    assert words in advice(task)


@pytest.mark.timeout(600)
def test_a_failed_night_through_airflow_sends_exactly_one_message(tmp_path: Path, inbox: Inbox) -> None:
    """The real DAG on an empty landing folder: every load fails, the DAG callback sends one message."""
    airflow_home = tmp_path / "airflow"
    airflow_home.mkdir()
    env = service.dags_test_environment(tmp_path / "data", airflow_home, pseudonym_key="alert-test-key")
    if not (REPO_ROOT / "dbt_project" / "target" / "manifest.json").exists():
        subprocess.run([str(BIN / "readiness"), "dbt-parse"], env=env, check=True, capture_output=True)
    service.init_metadata(env, airflow_home / "init.log")
    run = subprocess.run(
        [str(BIN / "airflow"), "dags", "test", "readiness_nightly", str(AS_OF)],
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
        cwd=REPO_ROOT,
    )
    log = run.stdout + run.stderr
    assert len(inbox.messages) == 1, log[-4000:]
    message = inbox.messages[0]
    assert message["Subject"].startswith("[readiness] FAILED 2026-11-28: ")
    assert message["Subject"].endswith(" failed") and ".load_" in message["Subject"]
    text = "".join(body(message).text)
    assert "has never been delivered" in text and "could not be loaded" in text
    keep(message, "failed-run-airflow")
