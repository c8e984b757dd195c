"""What the report reads from the published marts: SQL only, each query returning plain rows or a frame.

Every figure over people comes from the marts, where small populations are already suppressed; a
count aggregated here is suppressed again under the same threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd


def _root_units(mart: str, size: str, where: str = "", per_audience: bool = True) -> str:
    """The unit standing for the whole organisation (per audience): the marts roll up the org tree, so it
    is the unit with the largest ``size`` (an aggregate over the unit's rows). Every figure of the page
    that speaks for the whole organisation takes its unit from here."""
    by = "audience, " if per_audience else ""
    return f"""
        select {by}arg_max(org_unit_id, size) as org_unit_id
        from (select {by}org_unit_id, {size} as size from marts.{mart} {where} group by all)
        {"group by audience" if per_audience else ""}
    """


def _latest(mart: str) -> str:
    return f"(select max(snapshot_date) from marts.{mart})"


@dataclass(frozen=True)
class Headline:
    run_id: str
    as_of: Any
    published_at: Any
    row_counts: str
    coverage: float | None
    gaps: int
    gaps_without_training: int
    spend: tuple[float | None, float | None, str | None]


def marts_present(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()
    return {row[0] for row in rows}


def headline(con: duckdb.DuckDBPyConnection) -> Headline:
    run_id, as_of, published_at, counts = con.execute(
        "select run_id, as_of_date, published_at, row_counts::varchar from marts.publication"
    ).fetchone()  # type: ignore[misc]
    latest = _latest("skills_coverage")
    coverage = con.execute(
        f"""
        with top_unit as ({_root_units("skills_coverage", "max(headcount)", f"where snapshot_date = {latest}")})
        select sum(meeting_count) / sum(headcount) from marts.skills_coverage
        inner join top_unit using (audience, org_unit_id)
        where snapshot_date = {latest} and not is_suppressed
        """
    ).fetchone()
    gaps = con.execute(
        "select count(*), count(*) filter (where not has_recommendation) from marts.skill_gaps "
        f"where snapshot_date = {_latest('skill_gaps')}"
    ).fetchone()
    spend = con.execute(
        "select sum(actual_amount)::double, sum(budget_amount)::double, any_value(currency) from marts.budget_vs_spend "
        "where fiscal_year = (select max(fiscal_year) from marts.budget_vs_spend where actual_amount > 0)"
    ).fetchone()
    return Headline(
        run_id,
        as_of,
        published_at,
        counts,
        coverage[0] if coverage else None,
        gaps[0] if gaps else 0,
        gaps[1] if gaps else 0,
        spend or (None, None, None),  # type: ignore[arg-type]
    )


def coverage_cells(con: duckdb.DuckDBPyConnection, threshold: int) -> pd.DataFrame:
    return con.execute(
        f"""
        select audience, org_unit_id, org_unit_name, skill_name, headcount, coverage_pct, is_suppressed
        from marts.skills_coverage
        where snapshot_date = {_latest("skills_coverage")}
        """
    ).df()


def top_gaps(con: duckdb.DuckDBPyConnection, threshold: int, limit: int = 12) -> pd.DataFrame:
    return con.execute(
        f"""
        select skill_name,
               coalesce(recommended_item_title, '(no training grants this skill)') as training,
               count(*) as gaps
        from marts.skill_gaps
        where snapshot_date = {_latest("skill_gaps")}
        group by all
        having count(*) >= {int(threshold)}
        order by gaps desc, skill_name, training
        limit {int(limit)}
        """
    ).df()


def training_by_month(con: duckdb.DuckDBPyConnection, threshold: int) -> pd.DataFrame:
    return con.execute(
        f"""
        with top_unit as ({_root_units("training_progress", "sum(enrolled_count)")})
        select t.month, t.audience, sum(t.completed_count) as completed, sum(t.enrolled_count) as enrolled
        from marts.training_progress as t
        inner join top_unit using (audience, org_unit_id)
        where not t.is_suppressed
        group by all
        order by t.month
        """
    ).df()


def budget_by_quarter(con: duckdb.DuckDBPyConnection, threshold: int) -> pd.DataFrame:
    return con.execute(
        """
        select fiscal_year, fiscal_quarter, category,
               sum(budget_amount)::double as budget, sum(actual_amount)::double as actual,
               sum(forecast_amount)::double as forecast, any_value(currency) as currency
        from marts.budget_vs_spend
        where fiscal_year = (select max(fiscal_year) from marts.budget_vs_spend where actual_amount > 0)
        group by all
        order by category, fiscal_quarter
        """
    ).df()


def readiness_trend(con: duckdb.DuckDBPyConnection, threshold: int) -> tuple[str, pd.DataFrame]:
    """("score", the root unit's readiness score per snapshot), or ("coverage", coverage per audience)
    while ``marts.readiness_scorecard`` is not published."""
    if "readiness_scorecard" in marts_present(con):
        return "score", con.execute(
            f"""
            select snapshot_date, readiness_score from marts.readiness_scorecard
            where org_unit_id = ({_root_units("readiness_scorecard", "max(headcount)", per_audience=False)})
            order by snapshot_date
            """
        ).df()
    return "coverage", con.execute(
        f"""
        with top_unit as ({_root_units("skills_coverage", "max(headcount)")})
        select snapshot_date, audience, sum(meeting_count) / sum(headcount) as coverage
        from marts.skills_coverage inner join top_unit using (audience, org_unit_id)
        where not is_suppressed
        group by all order by snapshot_date
        """
    ).df()
