"""Audit: the checks a candidate warehouse must pass before it replaces the published one.

dbt's tests and contracts already ran inside ``dbt build``. This adds what dbt cannot see: a Great
Expectations suite on the marts as BI reads them, and sanity checks against the version people
are looking at now (a mart that loses half its rows overnight, or a total that jumps, is far more
often a broken extract than a real change, and publishing it would hide yesterday's good numbers).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from readiness import gx, marts, warehouse
from readiness.gx import Failure

if TYPE_CHECKING:
    import great_expectations

log = logging.getLogger(__name__)

#: Tables of the marts schema that are not a dbt model: written by the publish step itself.
PUBLISH_TABLES = frozenset({"publication"})

#: What dbt cannot express: the night-over-night bounds. Every mart's row count is compared with the
#: published version; these totals too. Every mart must be listed (with ``{}`` for "row count only"): a
#: new mart is a decision about what may move overnight, not something to audit by default or not at all.
TOTALS: dict[str, dict[str, str]] = {
    "skills_coverage": {"headcount": "sum(headcount)"},
    "skill_gaps": {},
    "training_progress": {"completions": "sum(completed_count)"},
    "budget_vs_spend": {"budget": "sum(budget_amount)", "actual spend": "sum(actual_amount)"},
    "readiness_scorecard": {},
    # One row per CCoE function and snapshot; people able to staff them move slowly, a halving is a broken extract.
    "ccoe_capabilities": {"qualified": "sum(qualified_count)"},
    # The completers of a period are few and move a lot: the row count only.
    "learning_effectiveness": {},
    "skills_currency": {"headcount": "sum(headcount)"},
    # The plan follows the open gaps: a jump in gaps or in their cost is more often a broken extract or seed.
    # Survey waves arrive a few times a year and a first wave doubles everything: the row count only.
    "sentiment_by_team": {},
    "gap_closure_plan": {"open gaps": "sum(open_gap_count)", "plan cost": "sum(plan_cost_amount)"},
    # The org tree: a unit can disappear in a reorganisation; its row count is bound like every mart's.
    "org_units": {},
    # The run history only grows; its row count is bound like every mart's.
    "pipeline_run_history": {},
    "pipeline_run_volumes": {},
}


class AuditFailed(Exception):
    """The candidate is not fit to publish; the published warehouse was left as it was."""


@dataclass(frozen=True)
class Bounds:
    """How far tonight may move from the published version before a person has to look."""

    #: Largest fraction of a mart's rows that may disappear in one night.
    max_row_drop: float = 0.5
    #: Largest relative change of a mart's total (up or down) in one night.
    max_total_change: float = 1.0

    @classmethod
    def from_env(cls) -> Bounds:
        return cls(
            max_row_drop=float(os.environ.get("READINESS_AUDIT_MAX_ROW_DROP", "0.5")),
            max_total_change=float(os.environ.get("READINESS_AUDIT_MAX_TOTAL_CHANGE", "1.0")),
        )


@dataclass
class AuditReport:
    row_counts: dict[str, int]
    expectations: int = 0
    compared_with: str | None = None
    problems: list[str] = field(default_factory=list)


def mart_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()
    return {row[0] for row in rows}


def unknown_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Problems that make the audit blind: a mart dbt defines without bounds here, a table dbt does not define."""
    defined = set(marts.mart_names())
    problems = [
        f"marts.{m} has no night-over-night bounds: add it to readiness.audit.TOTALS ({{}} for its row count only)"
        for m in sorted(defined - set(TOTALS))
    ]
    problems += [
        f"marts.{t} is in the candidate but no model of the dbt project's marts folder defines it: the audit "
        "does not know its grain or rules, so it is not published"
        for t in sorted(mart_tables(con) - defined - PUBLISH_TABLES)
    ]
    return problems


def configured_unavailable() -> dict[str, str]:
    """The marts of the sources this installation does not have (READINESS_SOURCES), with the reason."""
    from readiness.config import Settings

    return marts.unavailable(Settings.from_env().enabled_sources)


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = marts.mart_names()
    present = mart_tables(con)
    missing = [m for m in names if m not in present]
    if missing:
        raise AuditFailed(f"the candidate has no marts.{', marts.'.join(missing)}: dbt did not build them")
    return {m: con.execute(f"select count(*) from marts.{m}").fetchone()[0] for m in names}  # type: ignore[index]


def build_suite(mart: marts.Mart, part: str = "all") -> great_expectations.ExpectationSuite:
    """What every published version of ``mart`` must satisfy, whatever the data: its dbt definition
    (grain, not-null columns, accepted values, bounded values) checked on the file BI will read.

    ``part``: ``all``; ``rows``, what a batch of rows can judge on its own; ``keys``, the grain's uniqueness,
    which needs every row sharing a grain (readiness.validate splits a delivery's suite the same way).
    """
    if part not in ("all", "rows", "keys"):
        raise ValueError(f"part={part!r}: expected all, rows or keys")
    suite, e = gx.new_suite(f"marts.{mart.name}_{part}")
    if part != "rows":
        if len(mart.grain) == 1:  # GX's compound expectation takes two columns or more
            suite.add_expectation(e.ExpectColumnValuesToBeUnique(column=mart.grain[0]))
        else:
            suite.add_expectation(e.ExpectCompoundColumnsToBeUnique(column_list=list(mart.grain)))
        if part == "keys":
            return suite
    suite.add_expectation(e.ExpectTableRowCountToBeBetween(min_value=1))
    for column in mart.columns:
        if column.not_null:
            suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column=column.name))
        if column.accepted_values is not None:
            suite.add_expectation(
                e.ExpectColumnValuesToBeInSet(column=column.name, value_set=list(column.accepted_values))
            )
        if column.min_value is not None or column.max_value is not None:
            suite.add_expectation(
                e.ExpectColumnValuesToBeBetween(
                    column=column.name, min_value=column.min_value, max_value=column.max_value
                )
            )
    return suite


def _select(con: duckdb.DuckDBPyConnection, mart: str) -> str:
    """The mart's columns, decimals as doubles (GX compares numbers, not Decimal objects)."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = ? order by ordinal_position",
        [mart],
    ).fetchall()
    return ", ".join(f'"{c}"::double as "{c}"' if t.startswith("DECIMAL") else f'"{c}"' for c, t in columns)


def run_mart_suite(con: duckdb.DuckDBPyConnection, mart: marts.Mart) -> tuple[int, list[Failure]]:
    """(expectations run, failures) of one mart: the row-wise suite batch by batch, added up, and the grain's
    uniqueness on the rows whose grain repeats (none, unless the mart is broken)."""
    name, select = f"readiness_marts_{mart.name}", _select(con, mart.name)
    rows_suite, every_row = build_suite(mart, "rows"), f"select {select} from marts.{mart.name}"
    batches = warehouse.Connection("duckdb", con).frames(every_row, None, gx.BATCH_ROWS)  # a mart streams alike
    _, count, failures = gx.run_suite_in_batches(name, rows_suite, batches, lambda: con.execute(every_row).df())
    grain = ", ".join(f'"{g}"' for g in mart.grain)
    repeated = con.execute(
        f"select {select} from marts.{mart.name} where ({grain}) in "
        f"(select {grain} from marts.{mart.name} group by {grain} having count(*) > 1)"
    ).df()
    key_count, key_failures = gx.run_suite(name, build_suite(mart, "keys"), repeated)
    return count + key_count, key_failures + failures


def run_mart_suites(
    con: duckdb.DuckDBPyConnection, skip: frozenset[str] = frozenset()
) -> tuple[int, dict[str, list[Failure]]]:
    """Run the GX suite of every mart but ``skip`` (unavailable: empty by design); returns (expectations
    run, failures per mart)."""
    total, failures = 0, {}
    for mart in [m for m in marts.load() if m.name not in skip]:
        count, failed = run_mart_suite(con, mart)
        total += count
        if failed:
            failures[mart.name] = failed
    return total, failures


def _measures(con: duckdb.DuckDBPyConnection, present: set[str]) -> dict[str, dict[str, float]]:
    """Row count and totals of each mart, the numbers compared night over night."""
    result = {}
    for mart in [m for m in TOTALS if m in present]:
        values = {"rows": float(con.execute(f"select count(*) from marts.{mart}").fetchone()[0])}  # type: ignore[index]
        for name, expression in TOTALS.get(mart, {}).items():
            value = con.execute(f"select {expression} from marts.{mart}").fetchone()[0]  # type: ignore[index]
            values[name] = float(value or 0)
        result[mart] = values
    return result


def published_measures(published: Path) -> tuple[str | None, dict[str, dict[str, float]]]:
    """(run id, measures) of the published version; read-only, so readers and the file are untouched."""
    if not published.exists():
        return None, {}
    with duckdb.connect(str(published), read_only=True) as con:
        return measures_of(con)


def measures_of(con: duckdb.DuckDBPyConnection) -> tuple[str | None, dict[str, dict[str, float]]]:
    """(run id, measures) of the published marts behind ``con``."""
    present = mart_tables(con)
    row = con.execute("select run_id from marts.publication").fetchone() if "publication" in present else None
    return (row[0] if row else None), _measures(con, present)


def compare(
    candidate: dict[str, dict[str, float]], published: dict[str, dict[str, float]], bounds: Bounds
) -> list[str]:
    """The night-over-night changes beyond ``bounds``, one sentence each."""
    problems = []
    for mart, before in published.items():
        after = candidate.get(mart)
        if after is None:
            continue
        if before["rows"] and after["rows"] < before["rows"] * (1 - bounds.max_row_drop):
            drop = 1 - after["rows"] / before["rows"]
            problems.append(
                f"marts.{mart} has {after['rows']:.0f} rows, {drop:.0%} fewer than the {before['rows']:.0f} published; "
                f"READINESS_AUDIT_MAX_ROW_DROP allows {bounds.max_row_drop:.0%}"
            )
        for name in TOTALS.get(mart, {}):
            old, new = before.get(name, 0.0), after.get(name, 0.0)
            if old and abs(new - old) / abs(old) > bounds.max_total_change:
                problems.append(
                    f"marts.{mart} total {name} moved from {old:,.2f} to {new:,.2f} ({(new - old) / abs(old):+.0%}); "
                    f"READINESS_AUDIT_MAX_TOTAL_CHANGE allows ±{bounds.max_total_change:.0%}"
                )
    return problems


def audit(
    con: duckdb.DuckDBPyConnection,
    published: Path | None,
    bounds: Bounds | None = None,
    *,
    before: tuple[str | None, dict[str, dict[str, float]]] | None = None,
    unavailable: dict[str, str] | None = None,
) -> AuditReport:
    """Every check on the candidate behind ``con``; raises AuditFailed naming each problem found.

    The published version is read from the file ``published``, or given as ``before`` (run id, measures)
    where it is not a DuckDB file (the Postgres warehouse, readiness.pg).

    ``unavailable`` (mart -> reason; the configured sources' by default) are the marts of a source this
    installation does not have: they must be empty, and are neither held to the row-count floor nor
    compared with the published version (switching a source off is a decision, not a broken night).
    """
    bounds = bounds or Bounds.from_env()
    unavailable = configured_unavailable() if unavailable is None else unavailable
    blind = unknown_marts(con)
    if blind:
        raise AuditFailed("the audit does not know every mart:\n" + "\n".join(f"  - {p}" for p in blind))
    counts = mart_row_counts(con)
    report = AuditReport(row_counts=counts)
    empty = [m for m, n in counts.items() if n == 0 and m not in unavailable]
    if empty:
        raise AuditFailed(f"marts.{', marts.'.join(empty)} came out empty; an empty mart is never published")
    report.problems += [
        f"marts.{m} has {counts[m]} rows but is unavailable ({reason}): its source's rows must not count"
        for m, reason in unavailable.items()
        if counts.get(m)
    ]
    report.expectations, failures = run_mart_suites(con, frozenset(unavailable))
    for mart, failed in failures.items():
        report.problems += [f"marts.{mart}: {f.describe()}" for f in failed]
    if before is None:
        before = published_measures(published) if published is not None else (None, {})
    report.compared_with, measures = before
    measures = {m: values for m, values in measures.items() if m not in unavailable}
    report.problems += compare(_measures(con, mart_tables(con)), measures, bounds)
    if report.problems:
        against = f" (compared with run {report.compared_with})" if report.compared_with else ""
        raise AuditFailed(
            f"the candidate failed the audit{against}; the published warehouse is unchanged:\n"
            + "\n".join(f"  - {p}" for p in report.problems)
            + "\nFix the cause upstream and run again; if the change is real, raise the bound named above "
            "for one run."
        )
    log.info(
        "audit passed: %d expectations, %s; compared with %s",
        report.expectations,
        json.dumps(counts),
        report.compared_with or "nothing (first publication)",
    )
    return report
