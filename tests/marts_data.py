"""A small hand-written warehouse with the published marts' columns, for the publish-side tests.

Written row by row (no project SQL), so each test's expected numbers are plain arithmetic on the rows
below. ``scale`` multiplies the rows of every mart, to build a "tonight" that differs from "yesterday".
The tables are created from the marts' dbt contracts (``readiness.marts``, read from the manifest), so
a column added in dbt appears here too (null unless a row below names it).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from readiness import marts

AUDIENCES = ("leadership", "tech_specialist", "end_user")
SKILLS = (("genai_fundamentals", "Generative AI fundamentals", 2), ("prompting", "Prompt engineering", 1))
UNITS = (("U0", "Contoso", 60), ("U1", "Engineering", 30), ("U2", "Sales", 24), ("U3", "Tiny team", 3))
CATEGORIES = ("training", "cloud_ai_services")
FORMULA_TITLE = '=HYPERLINK("http://evil.example","click")'


#: The columns each row below names, in the order of its values; every other column of a mart is null.
COLUMNS: dict[str, tuple[str, ...]] = {
    "skills_coverage": (
        "snapshot_date",
        "org_unit_id",
        "org_unit_name",
        "audience",
        "skill_id",
        "skill_name",
        "required_level",
        "headcount",
        "meeting_count",
        "gap_count",
        "coverage_pct",
        "is_suppressed",
    ),
    "skill_gaps": (
        "snapshot_date",
        "worker_key",
        "org_unit_id",
        "audience",
        "skill_id",
        "skill_name",
        "required_level",
        "current_level",
        "recommended_item_uid",
        "recommended_item_title",
        "has_recommendation",
    ),
    "training_progress": (
        "month",
        "org_unit_id",
        "audience",
        "item_uid",
        "item_title",
        "headcount",
        "enrolled_count",
        "completed_count",
        "passed_count",
        "completion_rate",
        "median_days_to_complete",
        "learning_hours",
        "is_suppressed",
    ),
    "budget_vs_spend": (
        "fiscal_year",
        "fiscal_quarter",
        "cost_center_id",
        "category",
        "budget_amount",
        "actual_amount",
        "variance_amount",
        "variance_pct",
        "ytd_budget_amount",
        "ytd_actual_amount",
        "forecast_amount",
        "status",
        "threshold_reached",
        "fiscal_quarter_start_date",
        "fiscal_quarter_end_date",
        "quarter_state",
        "budget_version",
        "currency",
        "as_of_date",
    ),
    "readiness_scorecard": (
        "snapshot_date",
        "org_unit_id",
        "org_unit_name",
        "headcount",
        "coverage_pct",
        "leadership_coverage_pct",
        "tech_specialist_coverage_pct",
        "end_user_coverage_pct",
        "training_completion_rate",
        "ai_spend_ytd",
        "budget_ytd",
        "skill_gaps_closed",
        "spend_per_skill_gap_closed",
        "readiness_score",
        "readiness_score_change",
        "is_suppressed",
        "previous_snapshot_date",
        "currency",
    ),
    "ccoe_capabilities": (
        "snapshot_date",
        "function_id",
        "function_name",
        "required_skill_count",
        "ccoe_headcount",
        "qualified_count",
        "bench_depth",
        "near_qualified_count",
        "is_unstaffed",
        "is_single_point_of_failure",
        "qualified_count_change",
        "candidate_count",
        "is_suppressed",
    ),
    "skills_currency": (
        "snapshot_date",
        "org_unit_id",
        "org_unit_name",
        "audience",
        "skill_id",
        "skill_name",
        "required_level",
        "headcount",
        "evidence_count",
        "current_count",
        "lapsed_count",
        "due_30_count",
        "due_60_count",
        "due_90_count",
        "current_evidence_pct",
        "is_suppressed",
    ),
    "learning_effectiveness": (
        "snapshot_date",
        "item_uid",
        "item_title",
        "granted_skill_count",
        "completer_count",
        "completers_met_count",
        "completers_met_pct",
        "non_taker_count",
        "non_takers_met_count",
        "non_takers_met_pct",
        "uplift_pct",
        "is_suppressed",
    ),
    "sentiment_by_team": (
        "wave_month",
        "org_unit_id",
        "org_unit_name",
        "audience",
        "question_id",
        "question_text",
        "agreement_is_favourable",
        "response_count",
        "answer_1_count",
        "answer_2_count",
        "answer_3_count",
        "answer_4_count",
        "answer_5_count",
        "mean_score",
        "agree_pct",
        "mean_score_change",
        "top_concern_category",
        "previous_wave_month",
        "is_suppressed",
    ),
    "gap_closure_plan": (
        "fiscal_year",
        "fiscal_quarter",
        "cost_center_id",
        "snapshot_date",
        "headcount",
        "open_gap_count",
        "planned_gap_count",
        "unplanned_gap_count",
        "planned_enrolment_count",
        "learning_hours",
        "time_cost_amount",
        "licence_cost_amount",
        "plan_cost_amount",
        "training_budget_amount",
        "training_spent_amount",
        "training_budget_left_amount",
        "is_covered_by_budget",
        "is_suppressed",
        "currency",
    ),
}

#: The CCoE (30 people) on the latest snapshot: (function, name, able to staff it, one skill short, candidates
#: outside); one function well staffed, one single point of failure, one unstaffed.
CCOE_FUNCTIONS = (
    ("solution_development", "AI solution development", 4, 2, 3),
    ("ai_security", "AI security", 1, 3, 0),
    ("change_and_adoption", "Change and adoption", 0, 1, 2),
)
#: Learning items on the latest snapshot: (uid, title, completers, of them meeting the granted skills, never
#: enrolled, of them meeting them); the second has too few completers and is suppressed.
EFFECTIVENESS = (
    ("item_1", "Introduction to generative AI", 20, 14, 40, 10),
    ("item_2", "Prompting basics", 3, 3, 57, 5),
)
#: Pulse survey groups: (wave, unit, audience, question, answers 1..5); the tiny team's two leaders are suppressed.
SENTIMENT = (
    (date(2026, 10, 1), "U0", "end_user", "confidence", (1, 3, 4, 2, 0)),
    (date(2026, 11, 1), "U0", "end_user", "confidence", (0, 2, 4, 4, 2)),
    (date(2026, 11, 1), "U0", "end_user", "job_impact_concern", (1, 2, 3, 4, 2)),
    (date(2026, 11, 1), "U3", "leadership", "confidence", (0, 0, 1, 1, 0)),
)
QUESTION_TEXTS = {"confidence": "I feel confident", "job_impact_concern": "I am concerned about my job"}
#: The plan's cost centres: (cost centre, headcount, open gaps, of them without an item); the last one is small.
PLAN_COST_CENTERS = (("CC-100", 60, 30, 6), ("CC-200", 24, 10, 0), ("CC-300", 3, 2, 1))


def _insert(con: duckdb.DuckDBPyConnection, mart: str, values: list[Any]) -> None:
    names = ", ".join(COLUMNS[mart])
    con.execute(f"insert into marts.{mart} ({names}) values ({', '.join('?' * len(values))})", values)


def build_candidate(path: Path, *, scale: int = 1, snapshots: tuple[date, ...] = (date(2026, 11, 27),)) -> None:
    """Write the marts into ``path`` (also staging and intermediate schemas, as dbt leaves them)."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts; create schema staging; create schema intermediate")
        con.execute("create table staging.stg_hr__workers as select 'Ada' as first_name, 'ada@x.example' as email")
        for mart in marts.load():
            con.execute(mart.ddl())
        for s, snapshot in enumerate(snapshots):
            for unit, name, size in UNITS:
                for a, audience in enumerate(AUDIENCES):
                    for skill, skill_name, level in SKILLS:
                        headcount = size * scale // (a + 1)
                        suppressed = headcount < 5
                        meeting = min(headcount, headcount // 2 + s * 2 + a)
                        _insert(
                            con,
                            "skills_coverage",
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
        for i in range(40 * scale):
            skill, skill_name, level = SKILLS[i % 2]
            title = (FORMULA_TITLE if i % 4 == 1 else "Introduction to generative AI") if i % 10 else None
            _insert(
                con,
                "skill_gaps",
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
        for m in range(1, 7):
            for unit, _name, size in UNITS[:2]:
                for audience in AUDIENCES:
                    enrolled, completed = 10 * scale, (m + 2) * scale
                    _insert(
                        con,
                        "training_progress",
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
        for q in range(1, 5):
            for c, category in enumerate(CATEGORIES):
                budget = 10000 * (c + 1) * scale
                actual = 0 if q == 4 else (2500 * q + 1000 * c) * scale
                forecast = actual if q < 4 else 0
                status = "over_budget" if actual > budget else "on_track"
                _insert(
                    con,
                    "budget_vs_spend",
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
                _insert(
                    con,
                    "readiness_scorecard",
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
        # Evidence of the end users' required skills on the latest snapshot, per unit of `size` people: a quarter
        # hold none, a tenth lapsed, size // 12, // 6, // 5 fall due within 30, 60, 90 days (the whatever-scale
        # same rows); the tiny team is suppressed.
        for unit, name, size in UNITS:
            for skill, skill_name, level in SKILLS:
                evidence, lapsed = size - size // 4, size // 10
                figures = [size, evidence, evidence - lapsed, lapsed, size // 12, size // 6, size // 5]
                figures.append((evidence - lapsed) / evidence)
                shown = [None] * len(figures) if size < 5 else figures
                row = [snapshots[-1], unit, name, "end_user", skill, skill_name, level, *shown, size < 5]
                _insert(con, "skills_currency", row)
        for wave, unit, audience, question, answers in SENTIMENT:
            n = sum(answers)
            mean = sum(k * a for k, a in enumerate(answers, start=1)) / n
            earlier = [w for w, u, a, q, _ in SENTIMENT if (u, a, q) == (unit, audience, question) and w < wave]
            previous = max(earlier, default=None)
            change = round(mean - 2.7, 2) if previous else None  # 2.7: October's mean of the one earlier group
            figures = [n, *answers, round(mean, 2), (answers[3] + answers[4]) / n, change, "accuracy"]
            shown = [None] * len(figures) if n < 5 else figures
            head = [wave, unit, {u[0]: u[1] for u in UNITS}[unit], audience, question, QUESTION_TEXTS[question]]
            row = [*head, question != "job_impact_concern", *shown, previous, n < 5]
            _insert(con, "sentiment_by_team", row)
        for uid, title, completers, met, others, others_met in EFFECTIVENESS:
            figures = [completers, met, met / completers, others, others_met, others_met / others]
            figures.append(round(met / completers - others_met / others, 4))
            shown = [None] * len(figures) if completers < 5 else figures
            _insert(con, "learning_effectiveness", [snapshots[-1], uid, title, 2, *shown, completers < 5])
        for function_id, name, qualified, near, candidates in CCOE_FUNCTIONS:
            figures = [30, qualified, max(qualified - 1, 0), near, qualified == 0, qualified == 1, -1, candidates]
            _insert(con, "ccoe_capabilities", [snapshots[-1], function_id, name, 2, *figures, False])
        # The gap closure plan of the latest snapshot (Q4 2026), the same whatever the scale: per planned gap
        # 2 h at 50 an hour plus a licence of 10; a training budget of 10,000 with 4,000 spent.
        for cost_center, headcount, gaps, unplanned in PLAN_COST_CENTERS:
            planned = gaps - unplanned
            hours, time_cost, licences = 2 * planned, 100 * planned, 10 * planned
            figures = [headcount, gaps, planned, unplanned, planned, hours, time_cost, licences, time_cost + licences]
            figures += [10000, 4000, 6000, time_cost + licences <= 6000]
            suppressed = headcount < 5
            shown = [None] * len(figures) if suppressed else figures
            _insert(con, "gap_closure_plan", [2026, 4, cost_center, snapshots[-1], *shown, suppressed, "USD"])
        # The org tree: U0 the root, the other units directly below it, per snapshot.
        for snapshot in snapshots:
            for unit, name, _ in UNITS:
                root = unit == "U0"
                con.execute(
                    "insert into marts.org_units (snapshot_date, org_unit_id, parent_org_unit_id, org_unit_name, "
                    "org_unit_path, org_unit_level, is_root) values (?, ?, ?, ?, ?, ?, ?)",
                    [
                        snapshot,
                        unit,
                        None if root else "U0",
                        name,
                        name if root else f"Contoso / {name}",
                        0 if root else 1,
                        root,
                    ],
                )
        # The run history of the pipeline: the run being built, one extract it loaded and one mart it built.
        con.execute(
            "insert into marts.pipeline_run_history (run_id, as_of_date, started_at, status, is_published, "
            "duration_seconds, files_received, files_rejected, rows_read, rows_loaded, rows_quarantined) "
            "values ('run-1', ?, ?::timestamp, 'running', false, 12.5, 1, 0, 300, 298, 2)",
            [snapshots[-1], f"{snapshots[-1]} 02:00:00"],
        )
        con.execute(
            "insert into marts.pipeline_run_volumes (run_id, object_type, object_name, files_received, "
            "files_rejected, rows_read, rows_loaded, rows_quarantined, rows_published) values "
            "('run-1', 'extract', 'hr/workers', 1, 0, 300, 298, 2, null), "
            "('run-1', 'mart', 'skills_coverage', null, null, null, null, null, 24)"
        )
        for mart in marts.load():
            if any(c.name == "is_root" for c in mart.columns):  # the whole organisation is U0
                con.execute(f"update marts.{mart.name} set is_root = (org_unit_id = 'U0')")
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
        "gap_closure_plan": len(PLAN_COST_CENTERS),
        "ccoe_capabilities": len(CCOE_FUNCTIONS),
        "skills_currency": len(UNITS) * len(SKILLS),
        "learning_effectiveness": len(EFFECTIVENESS),
        "sentiment_by_team": len(SENTIMENT),
        "org_units": snapshots * len(UNITS),
        "pipeline_run_history": 1,
        "pipeline_run_volumes": 2,
    }
