"""Training from both LMS shapes at once: xAPI statements and Viva Learning course activity (Microsoft Graph
learningCourseActivity) about overlapping learners and items, on an installation without finance.

Raw files go through the real loader and validation, `dbt build` builds the candidate; training_progress and
the scorecard's completion rate are compared with figures worked out by hand below (docs/marts.md, LMS rules).

The organisation: one unit OU-ROOT (Northwind), six end users W1-W6 in it (HR snapshot 2026-11-27, as-of
date 2026-11-27), small-cell threshold 2 so their figures are visible. Catalogue items A and B.

  pair    statements (xAPI)                               course activity (Viva)
  W1 A    registered 09-10, completed 10-05               completed, assigned 09-01, completed 09-20
  W2 A    registered 09-15                                completed 10-01
  W3 B    registered 10-02, unregistered 10-20 (TinCan)   -
  W4 A    -                                               completed, assigned 10-10, completed 11-03
  W5 B    -                                               inProgress, assigned 11-05 (learner by e-mail)
  W6 B    -                                               notStarted, no date (the delivery's as-of date, 11-27)
  W6 ?    -                                               inProgress on AAA-2013J (an LMS id no seed maps)
  W1 ?    registered on https://elsewhere.example/x       -
  ghost   -                                               completed A (not a worker: counts nowhere)

Where both shapes speak of a pair (W1 A, W2 A), the statements decide alone: W1 enrolled 09-10 and completed
10-05 (25 days), W2 enrolled and not completed, whatever Viva says. Course activity decides the other pairs.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator

import duckdb
import pytest

from readiness.config import Settings
from readiness.contracts import EXTRACTS
from readiness.ingest import load_extract
from readiness.publish import prepare_candidate
from readiness.runs import unmatched
from readiness.transform import run_dbt_subprocess
from readiness.validate import validate_extract

AS_OF = "2026-11-27"
ROOT = "OU-ROOT"
WORKERS = ("W1", "W2", "W3", "W4", "W5", "W6")
URL = {"A": "https://learn.example/a/", "B": "https://learn.example/b/"}
ADL = "http://adlnet.gov/expapi/verbs/"
UNREGISTERED = "http://id.tincanapi.com/verb/unregistered"


def email(worker_id: str) -> str:
    return f"{worker_id.lower()}@northwind.example"


def _statement(worker_id: str, verb_iri: str, object_id: str, at: str) -> str:
    statement = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{worker_id}-{verb_iri}-{object_id}-{at}")),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.northwind.example", "name": worker_id}},
        "verb": {"id": verb_iri},
        "object": {"objectType": "Activity", "id": object_id},
        "timestamp": at,
        "version": "1.0.3",
    }
    return json.dumps(statement) + "\n"


def _deliveries() -> dict[str, str]:
    workers = "worker_id,first_name,last_name,work_email,job_profile_id,org_unit_id,cost_center_id,"
    workers += "manager_worker_id,country_code,hire_date,termination_date,worker_status,fte\n"
    workers += "".join(
        f"{w},Given{w},Family{w},{email(w)},JP-SALES,{ROOT},CC-100,,US,2020-01-06,,Active,1.0\n" for w in WORKERS
    )
    statements = [
        _statement("W1", ADL + "registered", URL["A"], "2026-09-10T09:00:00Z"),
        _statement("W1", ADL + "completed", URL["A"], "2026-10-05T09:00:00Z"),
        _statement("W2", ADL + "registered", URL["A"], "2026-09-15T09:00:00Z"),
        _statement("W3", ADL + "registered", URL["B"], "2026-10-02T09:00:00Z"),
        _statement("W3", UNREGISTERED, URL["B"], "2026-10-20T09:00:00Z"),
        _statement("W1", ADL + "registered", "https://elsewhere.example/x", "2026-10-01T09:00:00Z"),
    ]
    activity = (
        "learnerUserId,learningContentId,completionPercentage,assignedDateTime,startedDateTime,completedDateTime,status\n"
        f"W1,{URL['A']},100,2026-09-01T08:00:00Z,,2026-09-20T08:00:00Z,completed\n"
        f"W2,{URL['A']},100,,,2026-10-01T08:00:00Z,completed\n"
        f"W4,{URL['A']},100,2026-10-10T08:00:00Z,,2026-11-03T08:00:00Z,completed\n"
        f"{email('W5').upper()},{URL['B']},40,2026-11-05T08:00:00Z,,,inProgress\n"
        f"W6,{URL['B']},0,,,,notStarted\n"
        "W6,AAA-2013J,30,2026-10-01T08:00:00Z,,,inProgress\n"
        f"ghost@fabrikam.example,{URL['A']},100,,,2026-11-01T08:00:00Z,completed\n"
    )
    catalog = {
        "learningPaths": [],
        "modules": [],
        "courses": [
            {"uid": uid.lower(), "type": "course", "title": f"Course {uid}", "duration_in_minutes": 60, "url": url}
            for uid, url in URL.items()
        ],
    }
    return {
        f"hr/org_units/org_units_{AS_OF}.csv": (
            "org_unit_id,org_unit_name,parent_org_unit_id,org_unit_type,cost_center_id,is_ai_ccoe\n"
            f"{ROOT},Northwind,,Company,CC-100,No\n"  # a Yes/No boolean, as HR spreadsheets write them
        ),
        f"hr/job_profiles/job_profiles_{AS_OF}.csv": (
            "job_profile_id,job_title,job_family,management_level\n"
            "JP-SALES,Account Executive,Sales,Individual Contributor\n"
        ),
        f"hr/workers/workers_{AS_OF}.csv": workers,
        f"hr/worker_skills/worker_skills_{AS_OF}.csv": (
            "worker_id,skill_id,proficiency,evidence,assessed_date,expires_date\n"
            "W1,genai_fundamentals,1,self_assessed,2026-06-01,\n"
        ),
        f"lms/catalog/catalog_{AS_OF}.json": json.dumps(catalog),
        f"lms/statements/statements_{AS_OF}.jsonl": "".join(statements),
        f"lms/course_activity/course_activity_{AS_OF}.csv": activity,
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, duckdb.DuckDBPyConnection]]:
    root = tmp_path_factory.mktemp("two_lms_shapes")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("READINESS_DATA_DIR", str(root / "data"))
        patch.setenv("READINESS_PSEUDONYM_KEY", "two-shapes-key")
        patch.setenv("READINESS_SOURCES", "hr,lms")  # no finance at this site
        settings = dataclasses.replace(Settings.from_env(), small_cell_threshold=2)
        settings.ensure_dirs()
        for relative, content in _deliveries().items():
            path = settings.landing_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        for extract in EXTRACTS:
            if not settings.source_enabled(extract.source):
                continue
            report = load_extract(settings, extract)
            assert all(f.rows_quarantined == 0 for f in report.files), (extract.qualified_name, report.files)
            assert validate_extract(settings, extract).success, extract.qualified_name
        prepare_candidate(settings)
        # In a child process, as the DAG runs it: the build state is then free for the summary's reader.
        run_dbt_subprocess(settings, ["build", "--target-path", str(root / "target")], as_of_date=AS_OF)
        con = duckdb.connect(str(settings.candidate_db), read_only=True)
        yield settings, con
        con.close()


def test_training_progress_from_statements_and_course_activity(built) -> None:
    _, con = built
    rows = con.execute(
        "select month::varchar, item_uid, headcount, enrolled_count, completed_count, passed_count, withdrawn_count, "
        "open_enrolment_count, completion_rate, median_days_to_complete, learning_hours, is_suppressed, is_root "
        "from marts.training_progress where org_unit_id = ? and audience = 'end_user' order by item_uid, month",
        [ROOT],
    ).fetchall()
    third = pytest.approx(1 / 3)
    assert rows == [
        # A: W1 and W2 enrol in September (statements); W4 in October (Viva's assignment). W1 completes on
        # 10-05 after 25 days (the statements', not Viva's 09-20), W4 on 11-03 after 24; W2 never (Viva's
        # completion of a pair the statements cover does not count).
        ("2026-09-01", "a", 6, 2, 0, 0, 0, 2, 0.0, None, 0.0, False, True),
        ("2026-10-01", "a", 6, 1, 1, 0, 0, 2, third, 25.0, 0.0, False, True),
        ("2026-11-01", "a", 6, 0, 1, 0, 0, 1, pytest.approx(2 / 3), 24.0, 0.0, False, True),
        # B: W3 enrols and withdraws in October: out of the open enrolments and of the rate's denominator
        # (0 left: no rate). W5 (known to the LMS by e-mail) and W6 (no date: the delivery's as-of date)
        # enrol in November: 0 of 2 completed.
        ("2026-10-01", "b", 6, 1, 0, 0, 1, 0, None, None, 0.0, False, True),
        ("2026-11-01", "b", 6, 2, 0, 0, 0, 2, 0.0, None, 0.0, False, True),
    ]


def test_the_scorecard_rate_leaves_withdrawn_enrolments_out_and_money_unknown(built) -> None:
    _, con = built
    rate, spend, budget = con.execute(
        "select training_completion_rate, ai_spend_ytd, budget_ytd from marts.readiness_scorecard "
        "where org_unit_id = ? and snapshot_date = ?",
        [ROOT, AS_OF],
    ).fetchone()
    # Pairs enrolled by 11-27 and not withdrawn: W1 A, W2 A, W4 A, W5 B, W6 B; completed: W1 A, W4 A.
    assert rate == pytest.approx(2 / 5)
    # Finance is not configured at this site: its mart is empty and the money is unknown, not 0.
    assert (spend, budget) == (None, None)
    assert con.execute("select count(*) from marts.budget_vs_spend").fetchone() == (0,)


def test_objects_matching_no_item_are_counted_and_listed(built) -> None:
    settings, _ = built
    counted = unmatched(settings)  # what `readiness summary` says about them
    assert counted is not None
    assert counted.object_count == 2
    assert set(counted.objects) == {"AAA-2013J", "https://elsewhere.example/x"}
    assert counted.object_references == {"course_activity": 1, "xapi_statement": 1}
    assert counted.actor_statements == 0
