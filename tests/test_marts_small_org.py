"""Every row of the marts for a small organisation whose figures were worked out by hand.

Raw files in the contract formats go through the real loader and validation, then `dbt build` builds
the candidate warehouse; every mart row is compared with the rows written below. The expected rows
were computed on paper from the files (the reasoning is in the comments), not by running the SQL.
The small-cell threshold is 2, so that the figures of a team of four are visible while a lone leader
or tech specialist stays suppressed.

The organisation (HR snapshots 2026-10-31 and 2026-11-27; as-of date 2026-11-27):
  OU-ROOT Northwind (CC-100) > OU-D Sales (" cc-200 ") > OU-T Sales North (CC-200): three levels; Sales North
  is flagged as the AI CCoE.
  L1 executive in OU-ROOT (leadership); T1 security analyst in OU-T (tech specialist, Security family);
  end users E1-E4 in OU-T, E5 (on leave) and E6 (terminated on 2026-11-10) in OU-D.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import hmac
import io
import json
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from readiness.config import Settings
from readiness.contracts import EXTRACTS, MARTS
from readiness.ingest import load_extract
from readiness.publish import prepare_candidate
from readiness.transform import generate_docs, run_dbt
from readiness.validate import validate_extract

PSEUDONYM_KEY = "small-org-test-key"
AS_OF = "2026-11-27"
S1, S2 = "2026-10-31", "2026-11-27"
ROOT, DEPT, TEAM = "OU-ROOT", "OU-D", "OU-T"
UNIT_NAMES = {ROOT: "Northwind", DEPT: "Sales", TEAM: "Sales North"}

PEOPLE = {
    # worker_id: (first_name, last_name, job_profile_id, org_unit_id, worker_status on S1, on S2, termination on S2)
    "L1": ("Odalys", "Verhoeven", "JP-EXEC", ROOT, "Active", "Active", ""),
    "T1": ("Thaddeus", "Brightwater", "JP-SEC", TEAM, "Active", "Active", ""),
    "E1": ("Ingrid", "Sorensby", "JP-SALES", TEAM, "Active", "Active", ""),
    "E2": ("Kwabena", "Ashdown", "JP-SALES", TEAM, "Active", "Active", ""),
    "E3": ("Marisol", "Quintero", "JP-SALES", TEAM, "Active", "Active", ""),
    "E4": ("Radoslaw", "Penhallow", "JP-SALES", TEAM, "Active", "Active", ""),
    "E5": ("Yevgenia", "Oakhurst", "JP-SALES", DEPT, "Leave", "Leave", ""),
    "E6": ("Cornelius", "Fairweather", "JP-SALES", DEPT, "Active", "Terminated", "2026-11-10"),
}


def email(worker_id: str) -> str:
    first, last = PEOPLE[worker_id][:2]
    return f"{first}.{last}@northwind.example".lower()


def worker_key(worker_id: str) -> str:
    return hmac.new(PSEUDONYM_KEY.encode(), worker_id.encode(), hashlib.sha256).hexdigest()


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _workers(snapshot: int) -> str:
    rows = []
    for worker_id, (first, last, profile, unit, status1, status2, terminated) in PEOPLE.items():
        status = status1 if snapshot == 1 else status2
        rows.append(
            [
                worker_id,
                first,
                last,
                email(worker_id),
                profile,
                unit,
                "CC-100",
                "",
                "US",
                "2020-01-06",
                terminated if snapshot == 2 else "",
                status,
                "1.0",
            ]
        )
    header = "worker_id,first_name,last_name,work_email,job_profile_id,org_unit_id,cost_center_id,"
    header += "manager_worker_id,country_code,hire_date,termination_date,worker_status,fte"
    return _csv(header.split(","), rows)


END_USER_BASICS = [("genai_fundamentals", 1), ("responsible_ai", 1), ("copilot_productivity", 2), ("ai_feedback", 1)]


def _worker_skills() -> str:
    rows: list[list[Any]] = []

    def held(
        worker_id: str,
        skill_id: str,
        level: int,
        evidence: str = "manager_validated",
        expires: str = "",
        assessed: str = "2026-06-01",
    ) -> None:
        rows.append([worker_id, skill_id, level, evidence, assessed, expires])

    # L1 meets genai_fundamentals and responsible_ai (2); ai_business_impact 2 < 3 and ai_decision_making 1 < 3.
    for skill_id, level in [("genai_fundamentals", 2), ("responsible_ai", 2), ("ai_business_impact", 2)]:
        held("L1", skill_id, level)
    held("L1", "ai_decision_making", 1)
    # T1 meets every tech requirement but ai_security (1 < 2), until training grants it.
    for skill_id, level in [
        ("genai_fundamentals", 3),
        ("responsible_ai", 3),
        ("prompt_engineering", 3),
        ("azure_openai_development", 3),
        ("llm_operations", 2),
        ("ai_security", 1),
    ]:
        held("T1", skill_id, level)
    # Every end user meets the four basics; prompt_engineering (2) is what differs.
    for worker_id in ("E1", "E2", "E3", "E4", "E5", "E6"):
        for skill_id, level in END_USER_BASICS:
            held(worker_id, skill_id, level)
    # Only skills_currency reads the evidence kind and date: E1's self-assessment (365 days) is due on 2026-12-01,
    # E2's assessment (730 days) on 2026-12-15; every other record (2026-06-01, 365 days) on 2027-06-01.
    held("E1", "prompt_engineering", 2, "self_assessed", assessed="2025-12-01")
    held("E2", "prompt_engineering", 1, "assessment", assessed="2024-12-15")
    # E3 has none: training grants it on 2026-11-10. E4's certification expires between the snapshots.
    held("E4", "prompt_engineering", 2, "certification", "2026-11-15")
    held("E5", "prompt_engineering", 3)
    header = ["worker_id", "skill_id", "proficiency", "evidence", "assessed_date", "expires_date"]
    return _csv(header, rows)


CAREER = "career-essentials-generative-ai"
SECURITY = "security-copilot-and-ai"
BEGINNERS = "generative-ai-for-beginners"
TITLES = {
    CAREER: "Career Essentials in Generative AI",
    SECURITY: "Get started with Microsoft Copilot for Security",
    BEGINNERS: "Generative AI for Beginners",
}
URLS = {uid: f"https://learn.example/paths/{uid}/" for uid in TITLES}


def _catalog() -> str:
    def item(uid: str, kind: str, minutes: int) -> dict[str, Any]:
        return {"uid": uid, "type": kind, "title": TITLES[uid], "duration_in_minutes": minutes, "url": URLS[uid]}

    # generative-ai-for-beginners is the shortest item granting prompt_engineering, but it is not meant for end
    # users: the end users' gaps get career essentials (the audience's items first).
    return json.dumps(
        {
            "learningPaths": [item(CAREER, "learningPath", 300), item(SECURITY, "learningPath", 200)],
            "modules": [],
            "courses": [item(BEGINNERS, "course", 100)],
        }
    )


VERB = "http://adlnet.gov/expapi/verbs/"


def _statement(
    name: str, actor: dict[str, Any], verb: str, obj: dict[str, Any], at: str, duration: str | None = None
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
        "actor": {"objectType": "Agent", **actor},
        "verb": {"id": VERB + verb},
        "object": obj,
        "timestamp": at,
        "stored": at,
        "version": "1.0.3",
    }
    if duration:
        statement["result"] = {"completion": True, "duration": duration}
    return statement


def _statements() -> str:
    def account(worker_id: str) -> dict[str, Any]:
        return {"account": {"homePage": "https://lms.northwind.example", "name": worker_id}}

    def mbox(worker_id: str) -> dict[str, Any]:
        return {"mbox": f"mailto:{email(worker_id)}"}

    def sha1(worker_id: str) -> dict[str, Any]:
        return {"mbox_sha1sum": hashlib.sha1(f"mailto:{email(worker_id)}".encode()).hexdigest()}

    def activity(uid: str) -> dict[str, Any]:
        return {"objectType": "Activity", "id": URLS[uid]}

    voided = _statement("e2-completed", mbox("E2"), "completed", activity(CAREER), "2026-11-12T10:00:00Z", "PT1H")
    lines = [
        _statement("e3-registered", account("E3"), "registered", activity(CAREER), "2026-10-05T09:00:00Z"),
        _statement("e3-completed", account("E3"), "completed", activity(CAREER), "2026-11-10T16:00:00Z", "PT2H"),
        _statement("t1-registered", account("T1"), "registered", activity(SECURITY), "2026-10-15T09:00:00Z"),
        _statement("t1-completed", account("T1"), "completed", activity(SECURITY), "2026-11-05T09:00:00Z", "PT3H"),
        _statement("e2-registered", mbox("E2"), "registered", activity(CAREER), "2026-10-20T09:00:00Z"),
        voided,
        _statement(
            "e2-voids", mbox("E2"), "voided", {"objectType": "StatementRef", "id": voided["id"]}, "2026-11-13T08:00:00Z"
        ),
        _statement("e1-registered", sha1("E1"), "registered", activity(CAREER), "2026-11-02T09:00:00Z"),
        _statement("e1-passed", sha1("E1"), "passed", activity(CAREER), "2026-11-20T09:00:00Z", "PT1H30M"),
        # E6 left on 2026-11-10: a learner outside the latest workforce counts nowhere.
        _statement("e6-registered", account("E6"), "registered", activity(CAREER), "2026-10-25T09:00:00Z"),
        # A contractor unknown to HR: counted for operators, in no mart.
        _statement("x-registered", {"mbox": "mailto:guest@fabrikam.example"}, "registered", activity(CAREER), AS_OF),
    ]
    return "".join(json.dumps(line) + "\n" for line in lines)


def _budget(version: str, approved: str, lines: list[tuple[int, str, str, int]]) -> str:
    header = "budget_version,fiscal_year,fiscal_quarter,cost_center_id,category,amount,currency,approved_date"
    return _csv(
        header.split(","), [[version, 2026, q, cc, cat, amount, "USD", approved] for q, cc, cat, amount in lines]
    )


def _gl_actuals() -> str:
    header = "journal_id,line_number,posting_date,cost_center_id,gl_account,vendor_name,description,amount,currency,"
    header += "project_code"
    rows = [
        ["J1", 1, "2026-02-10", "CC-100", "6110", "Learnly", "Workshop", "400.00", "USD", ""],
        ["J2", 1, "2026-08-05", "cc-200", "6210", "Seatco", "Assistant seats", "300.00", "EUR", ""],
        ["J3", 1, "2026-10-20", "CC-100", "6120", "Learnly", "Exams", "900.00", "USD", ""],
        ["J3", 2, "2026-11-03", "CC-100", "6120", "Learnly", "Exam refund", "-150.00", "USD", ""],
        ["J4", 1, "2026-11-15", "CC-200", "6220", "Seatco UK", "Assistant seats", "250.00", "GBP", ""],
        ["J5", 1, "2026-11-20", "CC-999", "6510", "Advisors", "Advisory", "50.00", "USD", ""],
    ]
    return _csv(header.split(","), rows)


def _cloud_costs() -> str:
    header = [
        "BillingAccountId",
        "BillingCurrency",
        "BillingPeriodStart",
        "BillingPeriodEnd",
        "ChargePeriodStart",
        "ChargePeriodEnd",
        "ChargeCategory",
        "BilledCost",
        "EffectiveCost",
        "ServiceCategory",
        "ServiceName",
        "ProviderName",
        "Tags",
    ]
    billing = ["BA-1", "USD", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"]

    def line(day: str, cost: str, category: str, service: str, tags: str) -> list[str]:
        charge = [f"2026-11-{day}T00:00:00Z", f"2026-11-{int(day) + 1}T00:00:00Z", "Usage", cost, cost]
        return [*billing, *charge, category, service, "Microsoft", tags]

    rows = [
        line("10", "120.00", "AI and Machine Learning", "Azure OpenAI", '{"cost_center": " cc-200 "}'),
        # In scope without a cost centre tag: unallocated, never dropped.
        line("12", "80.00", "AI and Machine Learning", "Azure Machine Learning", "NULL"),
        # Not AI spend: out of scope, in no mart.
        line("12", "500.00", "Compute", "Virtual Machines", '{"cost_center": "CC-100"}'),
    ]
    return _csv(header, rows)


def _fx_rates() -> str:
    # GBP is quoted on Friday 2026-11-13 only: the Sunday GL line takes it (at most 7 days old).
    rows = [["2026-08-05", "EUR", "USD", "1.10"], ["2026-11-13", "GBP", "USD", "1.20"]]
    return _csv(["rate_date", "from_currency", "to_currency", "rate"], rows)


#: The pulse survey: (id, submitted, unit, audience, confidence, job concern, training interest, trust, concern).
SURVEY = [
    ("1", "2026-10-06", TEAM, "end_user", 2, 4, 5, 2, "job_security"),
    ("2", "2026-10-07", TEAM, "end_user", 3, 4, 4, 3, "job_security"),
    ("3", "2026-10-09", TEAM, "end_user", 2, 5, 4, 2, "accuracy"),
    ("4", "2026-10-12", ROOT, "leadership", 4, 2, 3, 4, ""),
    ("5", "2026-11-03", TEAM, "end_user", 4, 3, 5, 3, "accuracy"),
    ("6", "2026-11-04", TEAM, "end_user", 3, 2, 4, 4, "accuracy"),
    ("7", "2026-11-05", TEAM, "tech_specialist", 5, 1, 3, 4, "privacy"),
]


def _pulse_responses() -> str:
    header = "response_id,submitted_date,org_unit_id,audience,confidence,job_impact_concern,training_interest,"
    header += "output_trust,concern_category"
    return _csv(header.split(","), [list(row) for row in SURVEY])


def _deliveries() -> dict[str, str]:
    org_units = _csv(
        ["org_unit_id", "org_unit_name", "parent_org_unit_id", "org_unit_type", "cost_center_id", "is_ai_ccoe"],
        [
            [ROOT, UNIT_NAMES[ROOT], "", "Company", "CC-100", "false"],
            [DEPT, UNIT_NAMES[DEPT], ROOT, "Department", " cc-200 ", "false"],
            # Sales North is flagged as the AI CCoE, so that ccoe_capabilities has a CCoE to staff (no other mart
            # reads the flag).
            [TEAM, UNIT_NAMES[TEAM], DEPT, "Team", "CC-200", "true"],
        ],
    )
    job_profiles = _csv(
        ["job_profile_id", "job_title", "job_family", "management_level"],
        [
            ["JP-EXEC", "Chief Executive", "General Management", "Executive"],
            ["JP-SEC", "Security Analyst", "Security", "Individual Contributor"],
            ["JP-SALES", "Account Executive", "Sales", "Individual Contributor"],
        ],
    )
    original = [(q, "CC-100", "training", 1000) for q in (1, 2, 3, 4)] + [(4, "CC-200", "tools_and_licenses", 700)]
    # The Q4 reforecast restates the whole quarter.
    reforecast = [(4, "CC-100", "training", 800), (4, "CC-200", "tools_and_licenses", 600)]
    return {
        f"hr/org_units/org_units_{S1}.csv": org_units,
        f"hr/job_profiles/job_profiles_{S1}.csv": job_profiles,
        f"hr/workers/workers_{S1}.csv": _workers(1),
        f"hr/workers/workers_{S2}.csv": _workers(2),
        f"hr/worker_skills/worker_skills_{S1}.csv": _worker_skills(),
        f"lms/catalog/catalog_{S2}.json": _catalog(),
        f"lms/statements/statements_{S2}.jsonl": _statements(),
        # Viva Learning reports E3's career essentials too, completed two days earlier than the statements say:
        # the statements cover that learner and item, so they decide (docs/marts.md, LMS rules) and every
        # figure below is the statements' (tests/test_training_two_lms_shapes.py has pairs Viva decides).
        f"lms/course_activity/course_activity_{S2}.csv": (
            "learnerUserId,learningContentId,completionPercentage,completedDateTime,status\n"
            f"E3,{URLS[CAREER]},100,2026-11-08T09:00:00Z,completed\n"
        ),
        "finance/budget/budget_2025-12-15.csv": _budget("FY2026-original", "2025-12-15", original),
        "finance/budget/budget_2026-10-01.csv": _budget("FY2026-Q4-reforecast", "2026-10-01", reforecast),
        f"finance/gl_actuals/gl_actuals_{S2}.csv": _gl_actuals(),
        f"finance/cloud_costs/cloud_costs_{S2}.csv": _cloud_costs(),
        f"finance/fx_rates/fx_rates_{S2}.csv": _fx_rates(),
        f"survey/pulse_responses/pulse_responses_{S2}.csv": _pulse_responses(),
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The candidate warehouse built by `dbt build` from the small organisation's files."""
    root = tmp_path_factory.mktemp("small_org")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("READINESS_DATA_DIR", str(root / "data"))
        patch.setenv("READINESS_PSEUDONYM_KEY", PSEUDONYM_KEY)
        settings = dataclasses.replace(Settings.from_env(), small_cell_threshold=2)
        settings.ensure_dirs()
        for relative, content in _deliveries().items():
            path = settings.landing_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        for extract in EXTRACTS:
            report = load_extract(settings, extract)
            assert all(f.rows_quarantined == 0 for f in report.files), (extract.qualified_name, report.files)
            assert validate_extract(settings, extract).success, extract.qualified_name
        prepare_candidate(settings)
        run_dbt(settings, ["build", "--target-path", str(root / "target")], as_of_date=AS_OF)
        # dbt-duckdb keeps the candidate open in this process: a second connection must use the same settings.
        con = duckdb.connect(str(settings.candidate_db))
        yield con
        con.close()


def _normalise(value: Any) -> Any:
    if isinstance(value, Decimal | float):
        return round(float(value), 9)
    if isinstance(value, date):
        return value.isoformat()
    return value


def mart_rows(con: duckdb.DuckDBPyConnection, mart: str, columns: list[str]) -> list[tuple[Any, ...]]:
    result = con.execute(f"select {', '.join(columns)} from marts.{mart}").fetchall()
    return sorted((tuple(_normalise(v) for v in row) for row in result), key=repr)


def expected(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted((tuple(_normalise(v) for v in row) for row in rows), key=repr)


def with_is_root(rows: list[tuple[Any, ...]], unit_position: int = 1) -> list[tuple[Any, ...]]:
    """The rows with is_root appended: OU-ROOT, the unit without a parent, is the root in both snapshots."""
    return [(*row, row[unit_position] == ROOT) for row in rows]


# --- skills_coverage ------------------------------------------------------------------------------------------

SKILL_NAMES = {
    "genai_fundamentals": "Generative AI fundamentals",
    "responsible_ai": "Responsible generative AI",
    "ai_business_impact": "Business impact and options of generative AI",
    "ai_decision_making": "Decisions based on AI-provided insights",
    "prompt_engineering": "Prompting and interacting with AI assistants",
    "copilot_productivity": "Using AI assistants in daily work",
    "ai_feedback": "Evaluating AI output and giving feedback",
    "azure_openai_development": "Building solutions with Azure OpenAI Service",
    "llm_operations": "Operating and maintaining AI solutions",
    "ai_security": "AI in security operations",
}
LEADERSHIP = [("genai_fundamentals", 2), ("responsible_ai", 2), ("ai_business_impact", 3), ("ai_decision_making", 3)]
TECH = [
    ("genai_fundamentals", 3),
    ("responsible_ai", 3),
    ("prompt_engineering", 3),
    ("azure_openai_development", 3),
    ("llm_operations", 2),
    ("ai_security", 2),  # the Security family's own requirement
]

# End users per snapshot and unit (the unit and the units below it): S1 OU-T has E1-E4, OU-D and the root add E5
# (on leave, counts) and E6; on S2 E6 is terminated and counts nowhere.
END_USERS = {(S1, TEAM): 4, (S1, DEPT): 6, (S1, ROOT): 6, (S2, TEAM): 4, (S2, DEPT): 5, (S2, ROOT): 5}
# prompt_engineering (level 2) met: S1 E1, E4 (certification still valid), E5; S2 E1, E3 (training completed on
# 11-10), E5, no longer E4 (expired 11-15); E2 (level 1) never, E6 not on S1.
PROMPT_MET = {(S1, TEAM): 2, (S1, DEPT): 3, (S1, ROOT): 3, (S2, TEAM): 2, (S2, DEPT): 3, (S2, ROOT): 3}


def expected_skills_coverage() -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for (snapshot, unit), headcount in END_USERS.items():
        for skill_id, level in [*END_USER_BASICS, ("prompt_engineering", 2)]:
            met = PROMPT_MET[(snapshot, unit)] if skill_id == "prompt_engineering" else headcount
            row = (headcount, met, headcount - met, met / headcount, False)
            rows.append((snapshot, unit, UNIT_NAMES[unit], "end_user", skill_id, SKILL_NAMES[skill_id], level, *row))
        # T1 alone (OU-T and above) and L1 alone (the root): a population of 1, suppressed: no count at all.
        suppressed = (None, None, None, None, True)
        for skill_id, level in TECH:
            rows.append(
                (
                    snapshot,
                    unit,
                    UNIT_NAMES[unit],
                    "tech_specialist",
                    skill_id,
                    SKILL_NAMES[skill_id],
                    level,
                    *suppressed,
                )
            )
        if unit == ROOT:
            for skill_id, level in LEADERSHIP:
                rows.append(
                    (
                        snapshot,
                        unit,
                        UNIT_NAMES[unit],
                        "leadership",
                        skill_id,
                        SKILL_NAMES[skill_id],
                        level,
                        *suppressed,
                    )
                )
    return rows


def test_skills_coverage_every_row(warehouse: duckdb.DuckDBPyConnection) -> None:
    columns = "snapshot_date org_unit_id org_unit_name audience skill_id skill_name required_level headcount "
    columns += "meeting_count gap_count coverage_pct is_suppressed is_root"
    assert mart_rows(warehouse, "skills_coverage", columns.split()) == expected(
        with_is_root(expected_skills_coverage())
    )


# --- skills_currency ------------------------------------------------------------------------------------------

# prompt_engineering evidence per snapshot and unit: (holders, current, lapsed, due in 30, 60, 90 days). Holders
# are E1, E2, E4 in OU-T and E5 above it (E3 and E6 hold none: training is not evidence). On S1 (10-31) E4's
# certification is due on 11-15 (15 days), E1's on 12-01 (31), E2's on 12-15 (45); on S2 (11-27) E4's has lapsed,
# E1's is due in 4 days and E2's in 18.
PROMPT_EVIDENCE = {
    (S1, TEAM): (3, 3, 0, 1, 3, 3),
    (S1, DEPT): (4, 4, 0, 1, 3, 3),
    (S1, ROOT): (4, 4, 0, 1, 3, 3),
    (S2, TEAM): (3, 2, 1, 2, 2, 2),
    (S2, DEPT): (4, 3, 1, 2, 2, 2),
    (S2, ROOT): (4, 3, 1, 2, 2, 2),
}


def test_skills_currency_every_row(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows: list[tuple[Any, ...]] = []
    for (snapshot, unit), headcount in END_USERS.items():
        for skill_id, level in [*END_USER_BASICS, ("prompt_engineering", 2)]:
            if skill_id == "prompt_engineering":
                holders, current, *due = PROMPT_EVIDENCE[(snapshot, unit)]
            else:  # every end user's basics: manager validated on 2026-06-01, current until 2027-06-01
                holders, current, due = headcount, headcount, [0, 0, 0, 0]
            figures = (headcount, holders, current, *due, current / holders, False)
            rows.append(
                (snapshot, unit, UNIT_NAMES[unit], "end_user", skill_id, SKILL_NAMES[skill_id], level, *figures)
            )
        hidden = (None,) * 8 + (True,)
        for skill_id, level in TECH:
            rows.append(
                (snapshot, unit, UNIT_NAMES[unit], "tech_specialist", skill_id, SKILL_NAMES[skill_id], level, *hidden)
            )
        if unit == ROOT:
            for skill_id, level in LEADERSHIP:
                rows.append(
                    (snapshot, unit, UNIT_NAMES[unit], "leadership", skill_id, SKILL_NAMES[skill_id], level, *hidden)
                )
    columns = "snapshot_date org_unit_id org_unit_name audience skill_id skill_name required_level headcount "
    columns += "evidence_count current_count lapsed_count due_30_count due_60_count due_90_count current_evidence_pct "
    columns += "is_suppressed is_root"
    assert mart_rows(warehouse, "skills_currency", columns.split()) == expected(with_is_root(rows))


# --- skill_gaps -----------------------------------------------------------------------------------------------


def test_skill_gaps_every_row(warehouse: duckdb.DuckDBPyConnection) -> None:
    def gap(snapshot: str, worker: str, unit: str, audience: str, skill: str, required: int, current: int, item: Any):
        title = TITLES.get(item)
        row = (snapshot, worker_key(worker), unit, audience, skill, SKILL_NAMES[skill], required, current)
        return (*row, item, title, item is not None)

    rows = []
    for snapshot in (S1, S2):
        # No catalogue item grants ai_business_impact at 3 (career essentials grants 2) or ai_decision_making at
        # all: gaps without a recommendation, a finding for the plan.
        rows.append(gap(snapshot, "L1", ROOT, "leadership", "ai_business_impact", 3, 2, None))
        rows.append(gap(snapshot, "L1", ROOT, "leadership", "ai_decision_making", 3, 1, None))
        rows.append(gap(snapshot, "E2", TEAM, "end_user", "prompt_engineering", 2, 1, CAREER))
    rows.append(gap(S1, "T1", TEAM, "tech_specialist", "ai_security", 2, 1, SECURITY))
    rows.append(gap(S1, "E3", TEAM, "end_user", "prompt_engineering", 2, 0, CAREER))
    rows.append(gap(S1, "E6", DEPT, "end_user", "prompt_engineering", 2, 0, CAREER))
    rows.append(gap(S2, "E4", TEAM, "end_user", "prompt_engineering", 2, 0, CAREER))
    columns = "snapshot_date worker_key org_unit_id audience skill_id skill_name required_level current_level "
    columns += "recommended_item_uid recommended_item_title has_recommendation is_root"
    assert mart_rows(warehouse, "skill_gaps", columns.split()) == expected(with_is_root(rows, unit_position=2))


# --- training_progress ----------------------------------------------------------------------------------------


def test_training_progress_every_row(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = []
    # Learners sit in OU-T, so the team, the department and the root show the same activity; the population is
    # the unit's end users on the latest snapshot on or before the month end (October: S1, November: S2).
    for unit in (TEAM, DEPT, ROOT):
        # October: E3 (10-05) and E2 (10-20) enrol; E6's enrolment counts nowhere. No duration yet.
        october = (END_USERS[(S1, unit)], 2, 0, 0, 0.0, None, 0.0, False)
        rows.append(("2026-10-01", unit, "end_user", CAREER, TITLES[CAREER], *october))
        # November: E1 enrols (11-02) and passes (11-20: completed and passed, 18 days); E3 completes (11-10, 36
        # days); E2's completion is voided. Cumulative 2 of 3; median of 18 and 36 days; 2 h + 1.5 h.
        november = (END_USERS[(S2, unit)], 1, 2, 1, 2 / 3, 27.0, 3.5, False)
        rows.append(("2026-11-01", unit, "end_user", CAREER, TITLES[CAREER], *november))
        for month in ("2026-10-01", "2026-11-01"):
            hidden = (None, None, None, None, None, None, None, True)
            rows.append((month, unit, "tech_specialist", SECURITY, TITLES[SECURITY], *hidden))
    columns = "month org_unit_id audience item_uid item_title headcount enrolled_count completed_count passed_count "
    columns += "completion_rate median_days_to_complete learning_hours is_suppressed is_root"
    assert mart_rows(warehouse, "training_progress", columns.split()) == expected(with_is_root(rows))


# --- budget_vs_spend ------------------------------------------------------------------------------------------

QUARTERS = {
    1: ("2026-01-01", "2026-03-31", "closed", "FY2026-original"),
    2: ("2026-04-01", "2026-06-30", "closed", "FY2026-original"),
    3: ("2026-07-01", "2026-09-30", "closed", "FY2026-original"),
    4: ("2026-10-01", "2026-12-31", "current", "FY2026-Q4-reforecast"),
}


def test_budget_vs_spend_every_row(warehouse: duckdb.DuckDBPyConnection) -> None:
    # Q4 is current on 2026-11-27: 58 of 92 days elapsed, so the forecast is actual x 92 / 58.
    figures = [
        # quarter, cost centre, category, budget, actual, variance, variance_pct, ytd budget, ytd actual, forecast,
        # status, threshold
        (1, "CC-100", "training", 1000, 400, 600, 0.6, 1000, 400, 400, "on_track", 0),
        (2, "CC-100", "training", 1000, 0, 1000, 1.0, 2000, 400, 0, "on_track", 0),
        (3, "CC-100", "training", 1000, 0, 1000, 1.0, 3000, 400, 0, "on_track", 0),
        # The reforecast's 800 is in force; 900 spent less a 150 credit = 750: 0.8 reached, forecast 1189.66.
        (4, "CC-100", "training", 800, 750, 50, 0.0625, 3800, 1150, 1189.66, "at_risk", 0.8),
        # A quarter with no budget: 300 EUR at 1.10 on its posting date.
        (3, "CC-200", "tools_and_licenses", 0, 330, -330, None, 0, 330, 330, "unbudgeted", 0),
        # 250 GBP posted on a Sunday at Friday's 1.20; the reforecast's 600 replaced the original 700.
        (4, "CC-200", "tools_and_licenses", 600, 300, 300, 0.5, 600, 630, 475.86, "on_track", 0.5),
        # The cloud line tagged " cc-200 ", and the untagged one (unallocated); the Compute line is out of scope.
        (4, "CC-200", "cloud_ai_services", 0, 120, -120, None, 0, 120, 190.34, "unbudgeted", 0),
        (4, "unallocated", "cloud_ai_services", 0, 80, -80, None, 0, 80, 126.90, "unbudgeted", 0),
        (4, "CC-999", "operations", 0, 50, -50, None, 0, 50, 79.31, "unbudgeted", 0),
    ]
    rows = [
        (2026, q, cc, cat, *numbers, *QUARTERS[q], "USD", AS_OF)
        for q, cc, cat, *numbers in figures  # type: ignore[misc]
    ]
    columns = "fiscal_year fiscal_quarter cost_center_id category budget_amount actual_amount variance_amount "
    columns += "variance_pct ytd_budget_amount ytd_actual_amount forecast_amount status threshold_reached "
    columns += "fiscal_quarter_start_date fiscal_quarter_end_date quarter_state budget_version currency as_of_date"
    assert mart_rows(warehouse, "budget_vs_spend", columns.split()) == expected(rows)


# --- readiness_scorecard --------------------------------------------------------------------------------------


def test_readiness_scorecard_every_row(warehouse: duckdb.DuckDBPyConnection) -> None:
    # Required pairs: L1 4, T1 6, each end user 5. Met on S1: L1 2, T1 5, E1 5, E2 4, E3 4, E4 5, E5 5, E6 4;
    # on S2: L1 2, T1 6 (training granted ai_security), E1 5, E2 4, E3 5, E4 4 (expired), E5 5.
    # Training pairs enrolled by S1: E3, E2, T1 (+ E6 in OU-D), none completed; by S2: E3, E2, T1, E1 with E3, T1
    # and E1 completed (E2's completion voided): 3 / 4.
    # Cost centres: the root has CC-100 and CC-200, OU-D and OU-T CC-200. FY2026 to S1: CC-100 400 + 900, CC-200
    # 330; budget Q1-Q4 in force: CC-100 3 x 1000 + 800, CC-200 600. To S2 add CC-100 -150, CC-200 300 + 120.
    # Gaps closed on S2 (E3 prompt_engineering, T1 ai_security): 2 everywhere; spend after S1: root 270, CC-200 420.
    # Score = round(100 x (0.7 x coverage + 0.3 x completion), 1).
    rows = [
        (S1, TEAM, 5, 23 / 26, None, None, 18 / 20, 0.0, 330, 600, None, None, 61.9, None, False, None),
        (S1, DEPT, 7, 32 / 36, None, None, 27 / 30, 0.0, 330, 600, None, None, 62.2, None, False, None),
        (S1, ROOT, 8, 34 / 40, None, None, 27 / 30, 0.0, 1630, 4400, None, None, 59.5, None, False, None),
        (S2, TEAM, 5, 24 / 26, None, None, 18 / 20, 0.75, 750, 600, 2, 210, 87.1, 25.2, False, S1),
        (S2, DEPT, 6, 29 / 31, None, None, 23 / 25, 0.75, 750, 600, 2, 210, 88.0, 25.8, False, S1),
        (S2, ROOT, 7, 31 / 35, None, None, 23 / 25, 0.75, 1900, 4400, 2, 135, 84.5, 25.0, False, S1),
    ]
    columns = "snapshot_date org_unit_id headcount coverage_pct leadership_coverage_pct tech_specialist_coverage_pct "
    columns += "end_user_coverage_pct training_completion_rate ai_spend_ytd budget_ytd skill_gaps_closed "
    columns += "spend_per_skill_gap_closed readiness_score readiness_score_change is_suppressed previous_snapshot_date"
    columns += " is_root"
    assert mart_rows(warehouse, "readiness_scorecard", columns.split()) == expected(with_is_root(rows))


# --- gap_closure_plan -----------------------------------------------------------------------------------------

#: The default seeds' prices (dbt_project/seeds/reference): an end user's hour, career essentials' licence.
END_USER_HOURLY_COST, CAREER_LICENCE = 55.00, 39.99


def test_gap_closure_plan_every_row(warehouse: duckdb.DuckDBPyConnection) -> None:
    # Both snapshots fall in FY2026 Q4: the plan is of S2's gaps. Cost centres are the units': the root's CC-100
    # has L1 alone (a population of 1: suppressed, money included); OU-D (" cc-200 ") and OU-T (CC-200) are one
    # cost centre with T1, E1-E4 and E5 (on leave) = 6. Its gaps on S2: E2 and E4 prompt_engineering, both with
    # career essentials (300 minutes in this catalogue): 2 enrolments, 10 h, 10 x 55 of time + 2 x 39.99.
    # CC-200 has no training budget (its only budget line is tools_and_licenses): 0 left, the plan not covered.
    hours = 2 * 300 / 60
    time_cost = hours * END_USER_HOURLY_COST
    licences = 2 * CAREER_LICENCE
    visible = (6, 2, 2, 0, 2, hours, time_cost, licences, time_cost + licences, 0, 0, 0, False, False)
    hidden = (None,) * 13 + (True,)
    rows = [(2026, 4, "CC-200", S2, *visible), (2026, 4, "CC-100", S2, *hidden)]
    columns = "fiscal_year fiscal_quarter cost_center_id snapshot_date headcount open_gap_count planned_gap_count "
    columns += "unplanned_gap_count planned_enrolment_count learning_hours time_cost_amount licence_cost_amount "
    columns += "plan_cost_amount training_budget_amount training_spent_amount training_budget_left_amount "
    columns += "is_covered_by_budget is_suppressed"
    assert mart_rows(warehouse, "gap_closure_plan", columns.split()) == expected(rows)


# --- ccoe_capabilities ----------------------------------------------------------------------------------------

#: The default seed's functions (dbt_project/seeds/reference/ccoe_functions.csv): id -> name.
CCOE_FUNCTIONS = {
    "ai_strategy_governance": "AI strategy and governance",
    "responsible_ai": "Responsible AI",
    "platform_engineering": "AI platform engineering",
    "solution_development": "AI solution development",
    "data_engineering": "Data and language engineering",
    "ai_security": "AI security",
    "change_and_adoption": "Change and adoption",
}


def test_ccoe_capabilities_every_row(warehouse: duckdb.DuckDBPyConnection) -> None:
    # The CCoE is Sales North: T1 and E1-E4, 5 people on both snapshots; outside it L1, E5 and E6 (S1), L1 and E5
    # (S2). Each function needs two skills (seed ccoe_function_skills). Per function, by the skills above:
    # - solution_development (azure_openai_development 3, prompt_engineering 3): T1 alone (a single point of
    #   failure); the end users lack both.
    # - strategy (ai_business_impact 3, responsible_ai 3), responsible_ai (responsible_ai 3, ai_feedback 3),
    #   platform (llm_operations 3, azure 3), data (natural_language_processing 3, llm_operations 2): T1 one
    #   skill short each (ai_business_impact 0, ai_feedback 0, llm_operations 2, nlp 0); the end users two.
    # - ai_security (ai_security 3, responsible_ai 2): T1 one short (ai_security 1, then 2 by training). On S2
    #   E1 and E3 hold responsible_ai 2 from career essentials, so they are one short too: 3 near.
    # - change_and_adoption (ai_learning_design 3, copilot_productivity 3): nobody is within one skill.
    # Nobody outside the CCoE meets any function (L1 holds level 2 at most, E5 no azure): 0 candidates.
    near = {"solution_development": 0, "change_and_adoption": 0}
    rows = []
    for snapshot, previous in ((S1, None), (S2, S1)):
        for function_id, name in CCOE_FUNCTIONS.items():
            qualified = 1 if function_id == "solution_development" else 0
            close = near.get(function_id, 1)
            if function_id == "ai_security" and snapshot == S2:
                close = 3
            change = None if previous is None else 0
            figures = (5, qualified, 0, close, qualified == 0, qualified == 1, change, 0, False, previous)
            rows.append((snapshot, function_id, name, 2, *figures))
    columns = "snapshot_date function_id function_name required_skill_count ccoe_headcount qualified_count "
    columns += "bench_depth near_qualified_count is_unstaffed is_single_point_of_failure qualified_count_change "
    columns += "candidate_count is_suppressed previous_snapshot_date"
    assert mart_rows(warehouse, "ccoe_capabilities", columns.split()) == expected(rows)


# --- learning_effectiveness -----------------------------------------------------------------------------------


def test_learning_effectiveness_every_row(warehouse: duckdb.DuckDBPyConnection) -> None:
    # Every completion falls between S1 and S2, so S1 has no completer (suppressed). On S2: career essentials
    # (grants genai_fundamentals, ai_business_impact, prompt_engineering, responsible_ai at 2) was completed by E1
    # and E3 (E2's completion is voided); HR records neither at level 2 in genai_fundamentals: 0 of 2. Never
    # enrolled in it by S2: L1 (no prompt_engineering), T1 (no ai_business_impact), E4 and E5 (genai 1): 0 of 4.
    # Copilot for Security: T1 alone, suppressed; Generative AI for Beginners: nobody.
    granted = {CAREER: 4, SECURITY: 2, BEGINNERS: 4}
    hidden = (None,) * 7 + (True,)
    rows = [(S1, uid, TITLES[uid], count, *hidden, None) for uid, count in granted.items()]
    rows += [(S2, uid, TITLES[uid], count, *hidden, S1) for uid, count in granted.items() if uid != CAREER]
    rows.append((S2, CAREER, TITLES[CAREER], 4, 2, 0, 0.0, 4, 0, 0.0, 0.0, False, S1))
    columns = "snapshot_date item_uid item_title granted_skill_count completer_count completers_met_count "
    columns += "completers_met_pct non_taker_count non_takers_met_count non_takers_met_pct uplift_pct is_suppressed "
    columns += "previous_snapshot_date"
    assert mart_rows(warehouse, "learning_effectiveness", columns.split()) == expected(rows)


# --- sentiment_by_team ----------------------------------------------------------------------------------------

QUESTIONS = {
    "confidence": ("I feel confident using generative AI in my work", True),
    "job_impact_concern": ("I am concerned about the impact of AI on my job", False),
    "training_interest": ("I want training on generative AI", True),
    "output_trust": ("I trust the output of AI assistants", True),
}


def test_sentiment_by_team_every_row(warehouse: duckdb.DuckDBPyConnection) -> None:
    # Responses of Sales North count in Sales and Northwind too. October's end users (1-3): confidence 2, 3, 2;
    # concern 4, 4, 5; interest 5, 4, 4; trust 2, 3, 2; job_security named twice. November's (5, 6): 4, 3; 3, 2;
    # 5, 4; 3, 4; accuracy twice. The change compares the means before rounding: 3.5 - 7/3 = +1.17, 2.5 - 13/3 =
    # -1.83, 4.5 - 13/3 = +0.17, 3.5 - 7/3 = +1.17. The lone leader (4, at the root) and the lone tech specialist
    # (7) are groups of one: suppressed, no figure and no concern.
    def figures(answers: list[int]) -> tuple[Any, ...]:
        counts = [answers.count(v) for v in range(1, 6)]
        return (len(answers), *counts, round(sum(answers) / len(answers), 2), (counts[3] + counts[4]) / len(answers))

    october = {"confidence": [2, 3, 2], "job_impact_concern": [4, 4, 5], "training_interest": [5, 4, 4]}
    october["output_trust"] = [2, 3, 2]
    november = {"confidence": [4, 3], "job_impact_concern": [3, 2], "training_interest": [5, 4], "output_trust": [3, 4]}
    change = {"confidence": 1.17, "job_impact_concern": -1.83, "training_interest": 0.17, "output_trust": 1.17}
    rows: list[tuple[Any, ...]] = []
    hidden = (None,) * 10
    for unit in (TEAM, DEPT, ROOT):
        for question, (text, favourable) in QUESTIONS.items():
            head = (unit, UNIT_NAMES[unit])
            q = (question, text, favourable)
            first = (None, "job_security", None, False)  # no change on the first wave, no previous wave
            rows.append(("2026-10-01", *head, "end_user", *q, *figures(october[question]), *first))
            second = (change[question], "accuracy", "2026-10-01", False)
            rows.append(("2026-11-01", *head, "end_user", *q, *figures(november[question]), *second))
            rows.append(("2026-11-01", *head, "tech_specialist", *q, *hidden, None, True))
            if unit == ROOT:
                rows.append(("2026-10-01", *head, "leadership", *q, *hidden, None, True))
    columns = "wave_month org_unit_id org_unit_name audience question_id question_text agreement_is_favourable "
    columns += "response_count answer_1_count answer_2_count answer_3_count answer_4_count answer_5_count mean_score "
    columns += "agree_pct mean_score_change top_concern_category previous_wave_month is_suppressed"
    assert mart_rows(warehouse, "sentiment_by_team", columns.split()) == expected(rows)


def test_org_units_every_row(warehouse: duckdb.DuckDBPyConnection) -> None:
    # One org_units delivery (S1) in force on both snapshots: root level 0, Sales below it, Sales North below
    # that; Sales' cost centre " cc-200 " is published as budget_vs_spend compares it, CC-200.
    tree = [
        (ROOT, None, "CC-100", "Northwind", "Northwind", 0, False, True),
        (DEPT, ROOT, "CC-200", "Sales", "Northwind / Sales", 1, False, False),
        (TEAM, DEPT, "CC-200", "Sales North", "Northwind / Sales / Sales North", 2, True, False),
    ]
    columns = [
        "snapshot_date",
        "org_unit_id",
        "parent_org_unit_id",
        "cost_center_id",
        "org_unit_name",
        "org_unit_path",
        "org_unit_level",
        "is_ai_ccoe",
        "is_root",
    ]
    assert mart_rows(warehouse, "org_units", columns) == expected([(s, *u) for s in (S1, S2) for u in tree])


def test_every_published_mart_is_compared_here() -> None:
    assert set(MARTS) == {
        "skills_coverage",
        "skill_gaps",
        "training_progress",
        "budget_vs_spend",
        "readiness_scorecard",
        "org_units",
        "gap_closure_plan",
        "ccoe_capabilities",
        "skills_currency",
        "learning_effectiveness",
        "sentiment_by_team",
        # The pipeline's own run history carries no figure of the organisation: tests/test_run_history.py.
        "pipeline_run_history",
        "pipeline_run_volumes",
    }


def test_no_suppressed_row_of_the_small_org_leaks_a_count(warehouse: duckdb.DuckDBPyConnection) -> None:
    from tests.test_marts_privacy import leaking_suppressed_rows

    assert leaking_suppressed_rows(warehouse) == {}


def test_dbt_docs_are_written_as_one_static_page(warehouse: duckdb.DuckDBPyConnection) -> None:
    settings = Settings.from_env()  # the fixture's data root is still in the environment
    page = generate_docs(settings, as_of_date=AS_OF)
    assert page == settings.docs_dir / "index.html"
    html = page.read_text(encoding="utf-8")
    # The manifest and the catalogue are inlined: every mart, its documented rules and its built columns.
    for mart in MARTS:
        assert f"model.readiness.{mart}" in html
    assert "readiness_coverage_weight" in html and "spend_per_skill_gap_closed" in html
    # The catalogue was read from the built warehouse: each mart is there as a table of schema marts.
    assert html.count('"metadata": {"type": "BASE TABLE", "schema": "marts"') == len(MARTS)


def test_the_nightly_docs_are_made_again_only_when_the_dbt_project_changed(
    warehouse: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readiness import tasks

    page = Path(tasks.write_dbt_docs(AS_OF))
    made = page.stat().st_mtime_ns
    assert Path(tasks.write_dbt_docs(AS_OF)).stat().st_mtime_ns == made, "same project: the page stays"
    # A setting dbt gets as a var is part of the project: the page describes it, so it is made again.
    monkeypatch.setenv("READINESS_SMALL_CELL_THRESHOLD", "6")
    assert Path(tasks.write_dbt_docs(AS_OF)).stat().st_mtime_ns != made
