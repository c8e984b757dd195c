"""Alerts arrive at a real SMTP server (aiosmtpd on 127.0.0.1), with the right content, once.

Expected figures are arithmetic on the rows of tests/marts_data.py and on the manifest rows written here.
One failed night goes through the real DAG (`airflow dags test`) to prove the notifier is wired.
"""

from __future__ import annotations

import re
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
from tests.chat_webhook import Webhook
from tests.chat_webhook import webhook as webhook  # the fixture
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


# HR two days old (deadline 1 day); LMS never delivered; finance: GL 27 days old (deadline 31), budget older; the
# pulse survey's last wave 58 days old (deadline 92).
FRESH_AS_OF = {"hr": date(2026, 11, 26), "lms": None, "finance": date(2026, 11, 1), "survey": date(2026, 10, 1)}
LATE_AND_FRESH = {e.qualified_name: FRESH_AS_OF[e.source] for e in EXTRACTS} | {"finance/budget": date(2026, 7, 10)}


def _failed_run(settings: Settings, reason: str) -> dict:
    """Run run-9 of LATE_AND_FRESH's deliveries failed in hr.validate_workers; the DAG callback's context."""
    _manifest(settings, LATE_AND_FRESH)
    with ops.connect(settings.ingest_db) as con:
        con.execute(
            "insert into ops.pipeline_runs values ('run-9', ?, ?, ?, 'failed', false, 'hr.validate_workers', ?, null)",
            [AS_OF, datetime(2026, 11, 28, 2), datetime(2026, 11, 28, 2, 5), reason],
        )
    return {"run_id": "run-9", "logical_date": datetime(2026, 11, 28, 2)}


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
    reason = "hr/workers: expect_column_values_to_be_unique on worker_id failed for {{ 2 }} rows <W1>"
    context = _failed_run(settings, reason)
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


def test_every_failed_task_of_a_run_is_in_its_one_message(settings: Settings, inbox: Inbox) -> None:
    """Two loads fail on one night (the task callbacks record both); the one message names both, each with
    its own reason and advice, and the run's row keeps the first as its cause."""
    from types import SimpleNamespace

    from readiness.runs import start_run
    from readiness.tasks import record_failure

    _manifest(settings, LATE_AND_FRESH)
    start_run(settings, "run-2", AS_OF)
    for task_id, reason in (
        ("hr.load_workers", "workers_2026-11-28.csv: the header is one column"),
        ("finance.validate_gl_actuals", "finance/gl_actuals: expect_column_values_to_not_be_null on amount"),
    ):
        record_failure({"run_id": "run-2", "ti": SimpleNamespace(task_id=task_id, try_number=3), "exception": reason})
    notify_failed_run({"run_id": "run-2", "logical_date": datetime(2026, 11, 28, 2)})

    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["Subject"] == "[readiness] FAILED 2026-11-28: hr.load_workers failed (and 1 more)"
    parsed = body(message)
    assert parsed.tables[0][1] == ["run-2", "2026-11-28", "failed", "hr.load_workers, finance.validate_gl_actuals"]
    text = "".join(parsed.text)
    assert "the header is one column" in text and "expect_column_values_to_not_be_null on amount" in text
    assert "could not be loaded" in text and "failed its Great Expectations suite" in text
    with ops.connect(settings.ingest_db, read_only=True) as con:
        assert con.execute("select status, failed_task from ops.pipeline_runs where run_id = 'run-2'").fetchone() == (
            "failed",
            "hr.load_workers",
        )


def test_alerts_also_reach_a_chat_webhook_once_with_what_the_email_says(
    settings: Settings, inbox: Inbox, webhook: Webhook
) -> None:
    reason = "hr/workers: expect_column_values_to_be_unique on worker_id failed for 2 rows"
    context = _failed_run(settings, reason)
    notify_failed_run(context)
    notify_failed_run(context)

    assert len(inbox.messages) == 1 and len(webhook.posts) == 1
    assert webhook.paths == ["/services/T000/B000/secret"]
    lines = webhook.posts[0]["text"].splitlines()
    assert lines[0] == "*[readiness] FAILED 2026-11-28: hr.validate_workers failed*"
    assert "run-9 | 2026-11-28 | failed | hr.validate_workers" in lines
    assert f"```{reason}```" in lines
    assert any("failed its Great Expectations suite" in line for line in lines)
    # The late sources of LATE_AND_FRESH, as table lines: HR 2 days old (deadline 1), LMS never delivered.
    assert "hr | 2026-11-26 | 2 | 1" in lines and "lms | never |  | 1" in lines
    with ops.connect(settings.ingest_db, read_only=True) as con:
        assert con.execute("select channel, recipients from ops.alerts_sent order by channel").fetchall() == [
            ("email", "oncall@example.org, finance@example.org"),
            ("webhook", "readiness_webhook"),
        ]


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
    # As `make run` runs it: `readiness night` shows each task as Airflow records it finished.
    dag_log = tmp_path / "dags-test.log"
    run = subprocess.run(
        [str(BIN / "readiness"), "night", "--as-of", str(AS_OF), "--log", str(dag_log)],
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
        cwd=REPO_ROOT,
    )
    log = dag_log.read_text() if dag_log.exists() else ""
    assert len(inbox.messages) == 1, (run.stdout + log)[-4000:]
    task_line = re.compile(r"^ +(?:[\d.]+ s)? +(done|failed|skipped|not run) +(\S+)$")
    shown = {m[2]: m[1] for m in map(task_line.match, run.stdout.splitlines()) if m}
    assert {task for task, state in shown.items() if state == "failed"} == {
        f"{e.source}.load_{e.name}" for e in EXTRACTS
    }, run.stdout
    assert shown["start_run"] == "done" and shown["publish"] == "not run", run.stdout
    assert run.returncode != 0
    message = inbox.messages[0]
    # Every load failed (nothing was delivered): one message names them all, the subject the first.
    expected = {f"{e.source}.load_{e.name}" for e in EXTRACTS}
    assert re.fullmatch(
        rf"\[readiness\] FAILED 2026-11-28: \w+\.load_\w+ failed \(and {len(expected) - 1} more\)",
        message["Subject"],
    ), message["Subject"]
    parsed = body(message)
    assert set(parsed.tables[0][1][3].split(", ")) == expected
    text = "".join(parsed.text)
    assert text.count("has never been delivered") == len(expected) and "could not be loaded" in text
    keep(message, "failed-run-airflow")


def test_the_summary_says_what_the_alert_says_about_freshness(settings: Settings) -> None:
    """One definition of late: the summary names the sources the digest names, with the data's as-of dates."""
    from typer.testing import CliRunner

    from readiness.cli import app
    from readiness.runs import finish_run, start_run

    _manifest(settings, LATE_AND_FRESH)
    build_candidate(settings.candidate_db)
    start_run(settings, "run-1", AS_OF)
    publish(settings, "run-1", str(AS_OF), LOOSE)
    finish_run(settings, "run-1", published=True)
    result = CliRunner().invoke(app, ["summary"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # Newest as-of per source in LATE_AND_FRESH: HR the 26th, LMS never, finance the 1st (budget is older).
    assert (
        "Data as of (newest delivery per source): hr 2026-11-26, lms never, finance 2026-11-01, survey 2026-10-01"
        in lines
    )
    assert "Late source: hr (latest as-of 2026-11-26, 2 days old; deadline 1 days)" in lines
    assert "Late source: lms (never delivered; deadline 1 days)" in lines
    assert not any(line.startswith("Late source: finance") for line in lines), "27 days old, deadline 31"
    assert "unchanged: the same bytes as a delivery already loaded" in " ".join(result.output.split())
    # The readiness plan's headlines follow the marts table (tests/test_plan_headlines.py checks their figures).
    assert "Readiness plan: Closing the open gaps (FY2026 Q4): 34 enrolments" in " ".join(result.output.split())
    # The run was for the 28th; marts_data's people marts are of the HR snapshot of the 27th.
    assert "people figures as of the HR snapshot of 2026-11-27" in " ".join(result.output.split())
