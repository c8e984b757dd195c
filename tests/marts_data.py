"""A small hand-written warehouse with the published marts' columns, for the publish-side tests.

Written row by row (no project SQL), so each test's expected numbers are plain arithmetic on the rows
below. ``scale`` multiplies the rows of every mart, to build a "tonight" that differs from "yesterday".
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

AUDIENCES = ("leadership", "tech_specialist", "end_user")
SKILLS = (("genai_fundamentals", "Generative AI fundamentals", 2), ("prompting", "Prompt engineering", 1))
UNITS = (("U0", "Contoso", 60), ("U1", "Engineering", 30), ("U2", "Sales", 24), ("U3", "Tiny team", 3))
CATEGORIES = ("training", "cloud_ai_services")
FORMULA_TITLE = '=HYPERLINK("http://evil.example","click")'


def build_candidate(path: Path, *, scale: int = 1, snapshots: tuple[date, ...] = (date(2026, 11, 27),)) -> None:
    """Write the marts into ``path`` (also staging and intermediate schemas, as dbt leaves them)."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts; create schema staging; create schema intermediate")
        con.execute("create table staging.stg_hr__workers as select 'Ada' as first_name, 'ada@x.example' as email")
        con.execute(
            "create table marts.skills_coverage (snapshot_date date, org_unit_id varchar, org_unit_name varchar, "
            "audience varchar, skill_id varchar, skill_name varchar, required_level integer, headcount integer, "
            "meeting_count integer, gap_count integer, coverage_pct double, is_suppressed boolean)"
        )
        for s, snapshot in enumerate(snapshots):
            for unit, name, size in UNITS:
                for a, audience in enumerate(AUDIENCES):
                    for skill, skill_name, level in SKILLS:
                        headcount = size * scale // (a + 1)
                        suppressed = headcount < 5
                        meeting = min(headcount, headcount // 2 + s * 2 + a)
                        con.execute(
                            "insert into marts.skills_coverage values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [
                                snapshot,
                                unit,
                                name,
                                audience,
                                skill,
                                skill_name,
                                level,
                                headcount,
                                None if suppressed else meeting,
                                None if suppressed else headcount - meeting,
                                None if suppressed else meeting / headcount,
                                suppressed,
                            ],
                        )
        con.execute(
            "create table marts.skill_gaps (snapshot_date date, worker_key varchar, org_unit_id varchar, "
            "audience varchar, skill_id varchar, skill_name varchar, required_level integer, current_level integer, "
            "recommended_item_uid varchar, recommended_item_title varchar, has_recommendation boolean)"
        )
        for i in range(40 * scale):
            skill, skill_name, level = SKILLS[i % 2]
            title = (FORMULA_TITLE if i % 4 == 1 else "Introduction to generative AI") if i % 10 else None
            con.execute(
                "insert into marts.skill_gaps values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    snapshots[-1],
                    f"wk_{i:04d}",
                    UNITS[1 + i % 2][0],
                    AUDIENCES[i % 3],
                    skill,
                    skill_name,
                    level,
                    level - 1,
                    None if title is None else f"item_{i % 4}",
                    title,
                    title is not None,
                ],
            )
        con.execute(
            "create table marts.training_progress (month date, org_unit_id varchar, audience varchar, "
            "item_uid varchar, item_title varchar, headcount integer, enrolled_count integer, "
            "completed_count integer, passed_count integer, completion_rate double, "
            "median_days_to_complete double, learning_hours double, is_suppressed boolean)"
        )
        for m in range(1, 7):
            for unit, _name, size in UNITS[:2]:
                for audience in AUDIENCES:
                    enrolled, completed = 10 * scale, (m + 2) * scale
                    con.execute(
                        "insert into marts.training_progress values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            date(2026, m + 5, 1),
                            unit,
                            audience,
                            "item_1",
                            "+cmd|' /C calc'!A0",
                            size,
                            enrolled,
                            completed,
                            completed // 2,
                            min(1.0, completed * m / (enrolled * m)),
                            12.5,
                            3.0,
                            False,
                        ],
                    )
        con.execute(
            "create table marts.budget_vs_spend (fiscal_year integer, fiscal_quarter integer, cost_center_id varchar, "
            "category varchar, budget_amount decimal(18,2), actual_amount decimal(18,2), "
            "variance_amount decimal(18,2), variance_pct decimal(18,4), ytd_budget_amount decimal(18,2), "
            "ytd_actual_amount decimal(18,2), forecast_amount decimal(18,2), status varchar, "
            "threshold_reached decimal(6,4), fiscal_quarter_start_date date, fiscal_quarter_end_date date, "
            "quarter_state varchar, budget_version varchar, currency varchar, as_of_date date)"
        )
        for q in range(1, 5):
            for c, category in enumerate(CATEGORIES):
                budget = 10000 * (c + 1) * scale
                actual = 0 if q == 4 else (2500 * q + 1000 * c) * scale
                forecast = actual if q < 4 else 0
                status = "over_budget" if actual > budget else "on_track"
                con.execute(
                    f"insert into marts.budget_vs_spend values ({', '.join('?' * 19)})",
                    [
                        2026,
                        q,
                        "CC-100",
                        category,
                        budget,
                        actual,
                        budget - actual,
                        (budget - actual) / budget,
                        budget * q,
                        actual,
                        forecast,
                        status,
                        0.5 if actual >= budget / 2 else 0,
                        date(2026, 3 * q - 2, 1),
                        date(2026, 3 * q, 28),
                        "closed" if q < 4 else "current",
                        "v1",
                        "USD",
                        date(2026, 11, 28),
                    ],
                )
        con.execute(
            "create table marts.readiness_scorecard (snapshot_date date, org_unit_id varchar, org_unit_name varchar, "
            "headcount integer, coverage_pct double, leadership_coverage_pct double, "
            "tech_specialist_coverage_pct double, end_user_coverage_pct double, training_completion_rate double, "
            "ai_spend_ytd decimal(18,2), budget_ytd decimal(18,2), skill_gaps_closed integer, "
            "spend_per_skill_gap_closed decimal(18,2), readiness_score double, readiness_score_change double, "
            "is_suppressed boolean, previous_snapshot_date date, currency varchar)"
        )
        for s, snapshot in enumerate(snapshots):
            for unit, name, size in UNITS:
                suppressed = size * scale < 5
                coverage, completion = 0.4 + 0.1 * s, 0.5
                score = round(100 * (0.7 * coverage + 0.3 * completion), 1)
                figures = [
                    size * scale,
                    coverage,
                    coverage,
                    coverage,
                    coverage,
                    completion,
                    1000 * scale,
                    4000 * scale,
                    2 * s if s else None,
                    500 if s else None,
                    score,
                    7.0 if s else None,
                ]
                con.execute(
                    f"insert into marts.readiness_scorecard values ({', '.join('?' * 18)})",
                    [
                        snapshot,
                        unit,
                        name,
                        *([None] * len(figures) if suppressed else figures),
                        suppressed,
                        snapshots[s - 1] if s else None,
                        "USD",
                    ],
                )
        con.execute("checkpoint")
    finally:
        con.close()


def expected_rows(scale: int = 1, snapshots: int = 1) -> dict[str, int]:
    """Row counts of build_candidate, by hand from the loops above."""
    return {
        "skills_coverage": snapshots * len(UNITS) * len(AUDIENCES) * len(SKILLS),
        "skill_gaps": 40 * scale,
        "training_progress": 6 * 2 * len(AUDIENCES),
        "budget_vs_spend": 4 * len(CATEGORIES),
        "readiness_scorecard": snapshots * len(UNITS),
    }
