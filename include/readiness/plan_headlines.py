"""One sentence per mart of the readiness plan for `readiness summary`: the figure a planner asks first.

Each headline reads one published mart and only its visible rows: a figure the mart suppressed stays out of
the sum, and the sentence says how many groups were held back. A mart missing from the published version
(published before it existed) gives no headline rather than an error.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb


def _present(con: duckdb.DuckDBPyConnection, mart: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = ?", [mart]
    ).fetchone()
    return bool(row and row[0])


def gap_closure_plan(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest quarter's plan: enrolments, hours and cost, how many cost centres the budget left covers."""
    row = con.execute(
        """
        with latest as (
            select * from marts.gap_closure_plan
            where (fiscal_year, fiscal_quarter) = (
                select (fiscal_year, fiscal_quarter) from marts.gap_closure_plan
                order by fiscal_year desc, fiscal_quarter desc limit 1
            )
        )
        select any_value(fiscal_year), any_value(fiscal_quarter), any_value(currency),
               sum(planned_enrolment_count) filter (where not is_suppressed),
               sum(learning_hours) filter (where not is_suppressed)::double,
               sum(plan_cost_amount) filter (where not is_suppressed)::double,
               count(*) filter (where is_covered_by_budget),
               count(*) filter (where not is_suppressed),
               count(*) filter (where is_suppressed),
               sum(unplanned_gap_count) filter (where not is_suppressed)
        from latest
        """
    ).fetchone()
    if not row or row[0] is None:
        return None
    year, quarter, currency, enrolments, hours, cost, covered, shown, hidden, unplanned = row
    held_back = f" ({hidden} with fewer people than the threshold not counted)" if hidden else ""
    return (
        f"Closing the open gaps (FY{year} Q{quarter}): {enrolments or 0:,} enrolments, {hours or 0:,.0f} h, "
        f"{cost or 0:,.0f} {currency}; the training budget left covers {covered} of {shown} cost centres"
        f"{held_back}; {unplanned or 0:,} gaps have no learning item to close them"
    )


def ccoe_capabilities(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest snapshot's CCoE: functions nobody or one person alone covers, people who could join."""
    row = con.execute(
        """
        select any_value(snapshot_date), count(*), bool_and(is_suppressed),
               count(*) filter (where is_unstaffed), count(*) filter (where is_single_point_of_failure),
               string_agg(function_name, ', ' order by function_name) filter (where is_unstaffed),
               sum(candidate_count)
        from marts.ccoe_capabilities
        where snapshot_date = (select max(snapshot_date) from marts.ccoe_capabilities)
        """
    ).fetchone()
    if not row or row[0] is None:
        return None
    snapshot, functions, suppressed, unstaffed, single, names, candidates = row
    if suppressed:
        return f"CCoE ({snapshot}): fewer people than the small-cell threshold, no figure shown"
    nobody = f" ({names})" if names else ""
    return (
        f"CCoE ({snapshot}): {unstaffed} of {functions} AI functions nobody can staff{nobody}, {single} covered by "
        f"one person alone; {candidates or 0:,} (person, function) matches outside the CCoE could join"
    )


def skills_currency(con: duckdb.DuckDBPyConnection) -> str | None:
    """The whole organisation's evidence of the required skills: lapsed and due within 90 days."""
    row = con.execute(
        """
        select any_value(snapshot_date), sum(evidence_count), sum(current_count), sum(lapsed_count),
               sum(due_90_count)
        from marts.skills_currency
        where is_root and not is_suppressed
          and snapshot_date = (select max(snapshot_date) from marts.skills_currency)
        """
    ).fetchone()
    if not row or row[0] is None:
        return None
    snapshot, evidence, current, lapsed, due = row
    share = f"{current / evidence:.0%}" if evidence else "–"
    return (
        f"Skills currency ({snapshot}): {share} of {evidence:,} evidence records of required skills current, "
        f"{lapsed:,} lapsed, {due:,} due for renewal within 90 days"
    )


def learning_effectiveness(con: duckdb.DuckDBPyConnection) -> str | None:
    """The item with the largest uplift at its latest visible snapshot, and how many items can be judged."""
    rows = con.execute(
        """
        select item_title, uplift_pct, completers_met_pct, non_takers_met_pct
        from marts.learning_effectiveness
        where not is_suppressed and uplift_pct is not null
        qualify row_number() over (partition by item_uid order by snapshot_date desc) = 1
        order by uplift_pct desc, item_title
        """
    ).fetchall()
    if not rows:
        return "Learning effectiveness: no item has enough completers between two HR snapshots to judge yet"
    title, uplift, completers, others = rows[0]
    return (
        f"Learning effectiveness: {len(rows)} item(s) can be judged; the largest uplift is {title!r}, "
        f"{completers:.0%} of completers meet its skills against {others:.0%} of those who never took it "
        f"({100 * uplift:+.0f} points)"
    )


def sentiment_by_team(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest wave, whole organisation: mean answer per question over the audiences shown, and the change."""
    rows = con.execute(
        """
        with latest as (
            select * from marts.sentiment_by_team
            where is_root and not is_suppressed
              and wave_month = (select max(wave_month) from marts.sentiment_by_team where is_root)
        )
        select any_value(wave_month), question_id, sum(response_count),
               sum(answer_1_count + 2 * answer_2_count + 3 * answer_3_count + 4 * answer_4_count
                   + 5 * answer_5_count) / sum(response_count)
        from latest
        group by question_id
        order by question_id
        """
    ).fetchall()
    if not rows:
        return "Pulse survey: none delivered (the survey is optional), or every group is under the threshold"
    wave, responses = rows[0][0], max(r[2] for r in rows)
    means = ", ".join(f"{question.replace('_', ' ')} {mean:.2f}" for _, question, _, mean in rows)
    return f"Pulse survey ({wave:%Y-%m}, whole organisation, {responses:,} responses shown; mean of 1-5): {means}"


#: mart -> its headline, in the order the summary prints them.
HEADLINES: dict[str, Callable[[duckdb.DuckDBPyConnection], str | None]] = {
    "gap_closure_plan": gap_closure_plan,
    "ccoe_capabilities": ccoe_capabilities,
    "skills_currency": skills_currency,
    "learning_effectiveness": learning_effectiveness,
    "sentiment_by_team": sentiment_by_team,
}


def headlines(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """mart -> headline, for the plan's marts present in the published version behind ``con``."""
    result = {}
    for mart, headline in HEADLINES.items():
        if _present(con, mart):
            text = headline(con)
            if text:
                result[mart] = text
    return result
