"""The readiness plan's headlines in `readiness summary`, on tests/marts_data.py's hand-written warehouse.

Every expected figure is arithmetic on the rows marts_data writes (PLAN_COST_CENTERS), not the SQL again.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from readiness import plan_headlines
from tests.marts_data import build_candidate


def test_gap_closure_plan_headline(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    build_candidate(path)
    with duckdb.connect(str(path), read_only=True) as con:
        lines = plan_headlines.headlines(con)
    # Visible cost centres CC-100 (24 planned of 30 gaps) and CC-200 (10 of 10): 34 enrolments of 2 h each and
    # 110 each, all within the 6,000 left; CC-300 (3 people) is held back; 6 gaps without an item (CC-100's).
    assert lines["gap_closure_plan"] == (
        "Closing the open gaps (FY2026 Q4): 34 enrolments, 68 h, 3,740 USD; the training budget left covers 2 of 2 "
        "cost centres (1 with fewer people than the threshold not counted); 6 gaps have no learning item to close "
        "them"
    )

    # marts_data's CCoE: change and adoption nobody can staff, AI security one person; 3 + 0 + 2 candidates.
    assert lines["ccoe_capabilities"] == (
        "CCoE (2026-11-27): 1 of 3 AI functions nobody can staff (Change and adoption), 1 covered by one person "
        "alone; 5 (person, function) matches outside the CCoE could join"
    )

    # marts_data's root U0 (60 people) for two skills: 45 records each, 6 lapsed, 39 current, 12 due in 90 days.
    assert lines["skills_currency"] == (
        "Skills currency (2026-11-27): 87% of 90 evidence records of required skills current, 12 lapsed, 24 due for "
        "renewal within 90 days"
    )

    # item_1: 14 of 20 completers against 10 of 40 never enrolled, 70 % - 25 % = +45 points; item_2 suppressed.
    assert lines["learning_effectiveness"] == (
        "Learning effectiveness: 1 item(s) can be judged; the largest uplift is 'Introduction to generative AI', "
        "70% of completers meet its skills against 25% of those who never took it (+45 points)"
    )

    # November at the root (U0's end users; U3's two leaders are not at the root): confidence 0, 2, 4, 4, 2 of 12
    # = 42 / 12 = 3.50; job impact concern 1, 2, 3, 4, 2 = 40 / 12 = 3.33.
    assert lines["sentiment_by_team"] == (
        "Pulse survey (2026-11, whole organisation, 12 responses shown; mean of 1-5): confidence 3.50, job impact "
        "concern 3.33"
    )


def test_a_version_without_the_plan_marts_has_no_headline(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        con.execute("create schema marts; create table marts.skill_gaps (snapshot_date date)")
        assert plan_headlines.headlines(con) == {}
