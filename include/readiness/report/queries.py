"""What the report reads from the published marts: SQL only, each query returning plain rows or a frame.

Every figure over people comes from the marts, where small populations are already suppressed
(``is_suppressed``: the figures are null and stay null here). A count the report aggregates itself
(gaps per skill, per unit) is a count of people: under the small-cell threshold it is not returned
(null, or the group is left out), never worked out from the numbers around it.

The org tree comes from ``marts.org_units`` (parent, level, the root marked): the report never guesses
the root or a parent from sizes or names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd


class ReportInputMissing(Exception):
    """The published warehouse lacks a mart the report needs (a version published before it existed)."""


def _latest(mart: str) -> str:
    return f"(select max(snapshot_date) from marts.{mart})"


#: A unit and every unit below it (itself included) in the latest org snapshot, from the parent ids of
#: marts.org_units: the population a rolled-up figure of the unit describes.
_SUBTREE = f"""
    with recursive subtree(org_unit_id, descendant_id) as (
        select org_unit_id, org_unit_id from marts.org_units where snapshot_date = {_latest("org_units")}
        union all
        select subtree.org_unit_id, child.org_unit_id
        from subtree
        inner join marts.org_units as child
            on child.parent_org_unit_id = subtree.descendant_id
            and child.snapshot_date = {_latest("org_units")}
    )
"""


@dataclass(frozen=True)
class Headline:
    run_id: str
    #: The run's logical date (the night the pipeline ran for).
    as_of: Any
    published_at: Any
    #: marts -> rows, as the publication recorded them.
    row_counts: dict[str, int]
    #: The latest HR snapshot in the marts: the date the people figures describe.
    snapshot_date: Any
    coverage: float | None
    readiness_score: float | None
    #: Open gaps and those without training, whole organisation; None under the small-cell threshold.
    gaps: int | None
    gaps_without_training: int | None
    spend: tuple[float | None, float | None, str | None]
    #: Marts published empty because their source is not configured (READINESS_SOURCES), with the reason.
    unavailable: dict[str, str] = field(default_factory=dict)


def marts_present(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()
    return {row[0] for row in rows}


def require(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    missing = sorted(set(names) - marts_present(con))
    if missing:
        raise ReportInputMissing(
            f"the published warehouse has no {', '.join('marts.' + m for m in missing)}: it was published by an "
            "older version of the pipeline; run the nightly DAG (or `readiness rollback` to a newer version) "
            "and write the report again"
        )


def _small(count: str, threshold: int) -> str:
    """``count`` where it is 0 or at least the small-cell threshold, else null (none is no one to hide)."""
    return f"case when {count} >= {int(threshold)} or {count} = 0 then {count} end"


def headline(con: duckdb.DuckDBPyConnection, threshold: int) -> Headline:
    import json

    run_id, as_of, published_at, counts = con.execute(
        "select run_id, as_of_date, published_at, row_counts::varchar from marts.publication"
    ).fetchone()  # type: ignore[misc]
    # Versions published before the column existed (a rollback can bring one back) have none.
    has_unavailable = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'publication' and column_name = 'unavailable_marts'"
    ).fetchone()[0]  # type: ignore[index]
    unavailable = (
        con.execute("select unavailable_marts::varchar from marts.publication").fetchone()[0]  # type: ignore[index]
        if has_unavailable
        else None
    )
    root = con.execute(
        f"""
        select snapshot_date, coverage_pct, readiness_score from marts.readiness_scorecard
        where is_root and not is_suppressed and snapshot_date = {_latest("readiness_scorecard")}
        """
    ).fetchone()
    snapshot = con.execute(f"select {_latest('org_units')}").fetchone()
    gaps = con.execute(
        f"""
        select {_small("count(*)", threshold)},
               {_small("count(*) filter (where not has_recommendation)", threshold)}
        from marts.skill_gaps where snapshot_date = {_latest("skill_gaps")}
        """
    ).fetchone()
    spend = con.execute(
        "select sum(actual_amount)::double, sum(budget_amount)::double, any_value(currency) from marts.budget_vs_spend "
        "where fiscal_year = (select max(fiscal_year) from marts.budget_vs_spend where actual_amount > 0)"
    ).fetchone()
    return Headline(
        run_id=run_id,
        as_of=as_of,
        published_at=published_at,
        row_counts=json.loads(counts) if counts else {},
        snapshot_date=snapshot[0] if snapshot else None,
        coverage=root[1] if root else None,
        readiness_score=root[2] if root else None,
        gaps=gaps[0] if gaps else None,
        gaps_without_training=gaps[1] if gaps else None,
        spend=spend or (None, None, None),  # type: ignore[arg-type]
        unavailable=json.loads(unavailable) if unavailable else {},
    )


def org_tree(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every unit of the latest org snapshot with its place in the tree and its scorecard row (same
    snapshot; null figures where the unit is suppressed or has no workers)."""
    return con.execute(
        f"""
        select o.org_unit_id, o.parent_org_unit_id, o.org_unit_name, o.org_unit_path, o.org_unit_level,
               o.is_root, o.is_ai_ccoe, o.cost_center_id,
               s.org_unit_id is not null as has_workforce,
               coalesce(s.is_suppressed, true) as is_suppressed,
               s.headcount, s.coverage_pct, s.leadership_coverage_pct, s.tech_specialist_coverage_pct,
               s.end_user_coverage_pct, s.training_completion_rate, s.readiness_score, s.readiness_score_change,
               s.ai_spend_ytd::double as ai_spend_ytd, s.budget_ytd::double as budget_ytd, s.currency
        from marts.org_units as o
        left join marts.readiness_scorecard as s
            on s.org_unit_id = o.org_unit_id and s.snapshot_date = o.snapshot_date
        where o.snapshot_date = {_latest("org_units")}
        order by o.org_unit_level, o.org_unit_id
        """
    ).df()


def coverage_cells(con: duckdb.DuckDBPyConnection, threshold: int) -> pd.DataFrame:
    """Coverage per unit, audience and skill at the latest snapshot (suppressed cells have null figures)."""
    return con.execute(
        f"""
        select c.audience, c.org_unit_id, c.org_unit_name, o.org_unit_path, o.org_unit_level, c.skill_id,
               c.skill_name, c.headcount, c.meeting_count, c.coverage_pct, c.is_suppressed
        from marts.skills_coverage as c
        inner join marts.org_units as o using (snapshot_date, org_unit_id)
        where c.snapshot_date = {_latest("skills_coverage")}
        order by c.audience, o.org_unit_path, c.skill_id
        """
    ).df()


def top_gaps(con: duckdb.DuckDBPyConnection, threshold: int, limit: int = 12) -> pd.DataFrame:
    """The largest (skill, recommended training) groups of open gaps; groups under the threshold left out.
    A gap without any training is its own group per skill (``has_recommendation`` false)."""
    return con.execute(
        f"""
        select skill_name, recommended_item_title as training, has_recommendation, count(*) as gaps
        from marts.skill_gaps
        where snapshot_date = {_latest("skill_gaps")}
        group by all
        having count(*) >= {int(threshold)}
        order by gaps desc, skill_name, training
        limit {int(limit)}
        """
    ).df()


def unit_gaps(con: duckdb.DuckDBPyConnection, threshold: int) -> pd.DataFrame:
    """Open gaps of each unit's population (the unit and the units below it) per skill and recommended
    training, latest snapshot; groups under the threshold left out."""
    return con.execute(
        f"""
        {_SUBTREE}
        select subtree.org_unit_id, g.skill_name, g.recommended_item_title as training, g.has_recommendation,
               count(*) as gaps
        from subtree
        inner join marts.skill_gaps as g
            on g.org_unit_id = subtree.descendant_id and g.snapshot_date = {_latest("skill_gaps")}
        group by all
        having count(*) >= {int(threshold)}
        order by subtree.org_unit_id, gaps desc, g.skill_name, training
        """
    ).df()


def unit_gap_totals(con: duckdb.DuckDBPyConnection, threshold: int) -> pd.DataFrame:
    """Per unit (with the units below it): open gaps and those without training, each null under the
    threshold."""
    return con.execute(
        f"""
        {_SUBTREE}
        select subtree.org_unit_id,
               {_small("count(*)", threshold)} as gaps,
               {_small("count(*) filter (where not g.has_recommendation)", threshold)} as gaps_without_training
        from subtree
        inner join marts.skill_gaps as g
            on g.org_unit_id = subtree.descendant_id and g.snapshot_date = {_latest("skill_gaps")}
        group by all
        """
    ).df()


def training_by_month(con: duckdb.DuckDBPyConnection, threshold: int) -> pd.DataFrame:
    """The whole organisation's (the root unit's) enrolments and completions per month and audience."""
    return con.execute(
        """
        select
            month, audience, sum(completed_count) as completed, sum(enrolled_count) as enrolled,
            sum(withdrawn_count) as withdrawn
        from marts.training_progress
        where is_root and not is_suppressed
        group by all
        order by month
        """
    ).df()


def _budget_year() -> str:
    return "(select max(fiscal_year) from marts.budget_vs_spend where actual_amount > 0)"


def budget_by_quarter(con: duckdb.DuckDBPyConnection, threshold: int) -> pd.DataFrame:
    return con.execute(
        f"""
        select fiscal_year, fiscal_quarter, category,
               sum(budget_amount)::double as budget, sum(actual_amount)::double as actual,
               sum(forecast_amount)::double as forecast, any_value(currency) as currency,
               bool_or(status in ('over_budget', 'unbudgeted')) as over_budget
        from marts.budget_vs_spend
        where fiscal_year = {_budget_year()}
        group by all
        order by category, fiscal_quarter
        """
    ).df()


#: Status of budget_vs_spend, worst first: a cost centre's status for the year is its worst quarter's.
STATUS_ORDER = ("over_budget", "unbudgeted", "at_risk", "on_track")


def budget_by_cost_center(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per cost centre, the fiscal year with spend: budget, actual and forecast for the year, the worst
    quarterly status, the quarters over budget, and the units of the latest org snapshot it belongs to."""
    ranks = " ".join(f"when '{s}' then {i}" for i, s in enumerate(STATUS_ORDER))
    return con.execute(
        f"""
        with years as (
            select fiscal_year, cost_center_id,
                   sum(budget_amount)::double as budget, sum(actual_amount)::double as actual,
                   sum(forecast_amount)::double as forecast, any_value(currency) as currency,
                   min(case status {ranks} else {len(STATUS_ORDER)} end) as worst,
                   string_agg(case when status in ('over_budget', 'unbudgeted') then 'Q' || fiscal_quarter end, ', '
                              order by fiscal_quarter) as quarters_over,
                   max(threshold_reached) as threshold_reached
            from marts.budget_vs_spend
            where fiscal_year = {_budget_year()}
            group by fiscal_year, cost_center_id
        ),
        units as (
            select cost_center_id, string_agg(org_unit_name, ', ' order by org_unit_level, org_unit_name) as units
            from marts.org_units where snapshot_date = {_latest("org_units")}
            group by cost_center_id
        )
        select years.*, units.units
        from years left join units using (cost_center_id)
        order by worst, actual desc, cost_center_id
        """
    ).df()


def readiness_trend(con: duckdb.DuckDBPyConnection, threshold: int) -> pd.DataFrame:
    """The whole organisation's (the root unit's) readiness score per HR snapshot."""
    return con.execute(
        "select snapshot_date, readiness_score from marts.readiness_scorecard where is_root order by snapshot_date"
    ).df()


def gap_closure_plan(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest quarter's plan per cost centre (marts.gap_closure_plan; suppressed rows keep their nulls),
    with the units of the latest org snapshot that carry the cost centre; the dearest plan first."""
    return con.execute(
        f"""
        with latest as (
            select fiscal_year, fiscal_quarter from marts.gap_closure_plan
            order by fiscal_year desc, fiscal_quarter desc limit 1
        ),
        units as (
            select cost_center_id, string_agg(org_unit_name, ', ' order by org_unit_level, org_unit_name) as units
            from marts.org_units where snapshot_date = {_latest("org_units")}
            group by cost_center_id
        )
        select p.fiscal_year, p.fiscal_quarter, p.cost_center_id, p.snapshot_date, p.is_suppressed,
               p.open_gap_count, p.unplanned_gap_count, p.planned_enrolment_count,
               p.learning_hours::double as learning_hours, p.plan_cost_amount::double as plan_cost,
               p.training_budget_left_amount::double as budget_left, p.is_covered_by_budget, p.currency,
               units.units
        from marts.gap_closure_plan as p
        inner join latest using (fiscal_year, fiscal_quarter)
        left join units using (cost_center_id)
        order by p.is_suppressed, p.plan_cost_amount desc nulls last, p.cost_center_id
        """
    ).df()


def ccoe_capabilities(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The CCoE's AI functions on the latest HR snapshot (marts.ccoe_capabilities), the least staffed first."""
    return con.execute(
        f"""
        select snapshot_date, function_id, function_name, ccoe_headcount, qualified_count, bench_depth,
               near_qualified_count, is_unstaffed, is_single_point_of_failure, qualified_count_change,
               candidate_count, is_suppressed
        from marts.ccoe_capabilities
        where snapshot_date = {_latest("ccoe_capabilities")}
        order by qualified_count nulls last, function_name
        """
    ).df()


def skills_currency(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The whole organisation's (the root unit's) evidence per audience and required skill on the latest HR
    snapshot, suppressed rows left out; the most renewals due first."""
    return con.execute(
        f"""
        select snapshot_date, audience, skill_name, headcount, evidence_count, current_count, lapsed_count,
               due_30_count, due_60_count, due_90_count, current_evidence_pct
        from marts.skills_currency
        where is_root and not is_suppressed and snapshot_date = {_latest("skills_currency")}
        order by lapsed_count + due_90_count desc, audience, skill_name
        """
    ).df()


def learning_effectiveness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per learning item, its latest HR snapshot with enough completers to show (marts.learning_effectiveness)."""
    return con.execute(
        """
        select item_uid, item_title, snapshot_date, completer_count, completers_met_pct, non_taker_count,
               non_takers_met_pct, uplift_pct
        from marts.learning_effectiveness
        where not is_suppressed
        qualify row_number() over (partition by item_uid order by snapshot_date desc) = 1
        order by uplift_pct desc nulls last, item_title
        """
    ).df()


def sentiment(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The whole organisation's (the root unit's) pulse survey of the latest wave per audience and question,
    suppressed groups left out (marts.sentiment_by_team; empty where the organisation runs no survey)."""
    return con.execute(
        """
        select wave_month, audience, question_id, question_text, agreement_is_favourable, response_count,
               answer_1_count, answer_2_count, answer_3_count, answer_4_count, answer_5_count, mean_score,
               agree_pct, mean_score_change, previous_wave_month, top_concern_category
        from marts.sentiment_by_team
        where is_root and not is_suppressed
          and wave_month = (select max(wave_month) from marts.sentiment_by_team where is_root)
        order by audience, question_id
        """
    ).df()
