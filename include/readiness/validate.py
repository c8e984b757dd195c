"""Validate: a Great Expectations suite per extract, derived from its contract, run on each new delivery.

Only the nightly delta is validated (the rows of loads still ``pending_validation``), on a pandas
frame of the contract's columns: GX's SQL data source does not work on DuckDB, and validating the
whole history every night would make validation the bottleneck. A delivery that fails is taken
out of ``raw`` again and marked ``rejected``, so the warehouse never builds on it, and the error
names the extract, the file, the expectation and a sample of the failing values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from readiness import gx, ops
from readiness.config import Settings
from readiness.contracts import EXTRACTS, ORG_UNITS, WORKERS, Extract
from readiness.gx import SAMPLE_SIZE, Failure
from readiness.ops import STATUS_LOADED, STATUS_PENDING, STATUS_REJECTED

if TYPE_CHECKING:
    import great_expectations
    import pandas as pd

log = logging.getLogger(__name__)

__all__ = ["CHECKS", "WARNINGS", "Failure", "ValidationFailed", "build_suite", "validate_extract"]


class ValidationFailed(Exception):
    """A delivery broke its extract's suite; the message is written for the person who must act."""


@dataclass
class DeliveryValidation:
    file_name: str
    load_id: str
    rows: int
    expectations: int
    failures: list[Failure] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.failures


@dataclass
class ValidationReport:
    extract: str
    deliveries: list[DeliveryValidation] = field(default_factory=list)
    #: Referential problems that are not the rows' fault: kept, and said here and in the manifest.
    warnings: list[str] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return all(d.success for d in self.deliveries)

    def summary(self) -> str:
        if not self.deliveries:
            return "no new delivery"
        passed = sum(d.success for d in self.deliveries)
        return f"{passed}/{len(self.deliveries)} deliveries passed"


def build_suite(extract: Extract) -> great_expectations.ExpectationSuite:
    """The expectation suite of an extract, every expectation derived from its contract."""
    suite, e = gx.new_suite(extract.raw_table)
    suite.add_expectation(e.ExpectTableRowCountToBeBetween(min_value=1))
    for column in extract.columns:
        suite.add_expectation(e.ExpectColumnToExist(column=column.name))
        if column.required:
            suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column=column.name))
        if column.allowed:
            suite.add_expectation(e.ExpectColumnValuesToBeInSet(column=column.name, value_set=list(column.allowed)))
        if column.min_value is not None or column.max_value is not None:
            suite.add_expectation(
                e.ExpectColumnValuesToBeBetween(
                    column=column.name,
                    min_value=column.min_value,
                    max_value=column.max_value,
                    strict_min=column.min_exclusive,
                )
            )
        if column.pattern:
            suite.add_expectation(e.ExpectColumnValuesToMatchRegex(column=column.name, regex=column.pattern))
    if len(extract.key) == 1:
        suite.add_expectation(e.ExpectColumnValuesToBeUnique(column=extract.key[0]))
    elif extract.key:
        suite.add_expectation(e.ExpectCompoundColumnsToBeUnique(column_list=list(extract.key)))
    for later, earlier in extract.not_before:
        suite.add_expectation(
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=later, column_B=earlier, or_equal=True, ignore_row_if="either_value_is_missing"
            )
        )
    return suite


def _quarantine_failure(extract: Extract, rows_read: int, quarantined: int) -> Failure | None:
    if rows_read and quarantined / rows_read > extract.max_quarantined_fraction:
        return Failure(
            f"at most {extract.max_quarantined_fraction:.0%} of rows quarantined",
            "",
            quarantined,
            [f"{quarantined} of {rows_read} rows quarantined; see ops.quarantine for the reasons"],
        )
    return None


def org_tree_failure(con: Any, load_id: str, frame: pd.DataFrame) -> Failure | None:
    """The org tree must have exactly one root and no cycle; a cycle is named unit by unit.

    GX has no expectation for a tree, and a cycle makes every "units below" sum in the marts
    undefined, so the delivery is rejected rather than quarantining the rows of the cycle.
    """
    parent = {
        str(row.org_unit_id): (None if _is_null(row.parent_org_unit_id) else str(row.parent_org_unit_id))
        for row in frame.itertuples()
    }
    roots = sorted(unit for unit, up in parent.items() if up is None)
    problems: list[str] = []
    if len(roots) != 1:
        problems.append(f"{len(roots)} root units (no parent_org_unit_id): {roots[:SAMPLE_SIZE]}; expected exactly 1")
    missing = sorted({up for up in parent.values() if up is not None and up not in parent})
    if missing:
        problems.append(f"parent unit(s) not in the delivery: {missing[:SAMPLE_SIZE]}")
    for cycle in _cycles(parent):
        problems.append("cycle " + " -> ".join([*cycle, cycle[0]]))
    if not problems:
        return None
    return Failure("org tree: one root, no cycle", "parent_org_unit_id", len(problems), problems[:SAMPLE_SIZE])


def _is_null(value: Any) -> bool:
    return value is None or value != value  # pandas gives NaN for a null string


def _cycles(parent: dict[str, str | None]) -> list[list[str]]:
    """Each cycle of the parent links once, starting at its smallest unit id."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in sorted(parent):
        path: list[str] = []
        unit: str | None = start
        while unit is not None and unit in parent and unit not in done and unit not in path:
            path.append(unit)
            unit = parent[unit]
        if unit is not None and unit in path:
            cycle = path[path.index(unit) :]
            first = cycle.index(min(cycle))
            cycles.append(cycle[first:] + cycle[:first])
        done.update(path)
    return cycles


def workers_in_unknown_org_units(con: Any, load_id: str, frame: pd.DataFrame) -> str | None:
    """Workers whose org unit is not in the latest org_units delivery on or before their as-of date.

    The worker is not at fault (the HR export may lag the org change): the rows are kept and the
    count is said in the manifest message and the run's log. (An unchanged org_units file is skipped
    as a duplicate, hence "on or before".) Nothing is said when no org_units delivery is loaded yet:
    there is nothing to compare with.
    """
    # Plain SQL that DuckDB and Postgres both run: the warehouse may be either (READINESS_WAREHOUSE).
    rows = con.execute(
        f"""
        with delivery as (select * from raw.{WORKERS.raw_table} where _load_id = ?),
        units as (
            select distinct org_unit_id from raw.{ORG_UNITS.raw_table}
            where _as_of_date = (
                select max(_as_of_date) from raw.{ORG_UNITS.raw_table}
                where _as_of_date <= (select max(_as_of_date) from delivery)
            )
        ),
        missing as (
            select org_unit_id from delivery
            where exists (select 1 from units) and org_unit_id not in (select org_unit_id from units)
        )
        select (select count(*) from missing), org_unit_id
        from (select distinct org_unit_id from missing) as units_missing
        order by org_unit_id
        limit {SAMPLE_SIZE}
        """,
        [load_id],
    ).fetchall()
    if not rows:
        return None
    row = (rows[0][0], [unit for _, unit in rows])
    return (
        f"{row[0]} worker(s) in org unit(s) missing from the latest org_units delivery: "
        f"{', '.join(row[1])}; kept, they count under their unit id until HR delivers it"
    )


def survey_groups_under_threshold(con: Any, load_id: str, frame: pd.DataFrame) -> str | None:
    """Response groups (wave month, org unit, audience) of the delivery smaller than the small-cell threshold.

    Not the respondents' fault, and their answers count in the groups above them (the org tree rolls up): the
    rows are kept and sentiment_by_team suppresses the group; the manifest says so, so that the survey owner
    can merge small teams in the form's choices.
    """
    from readiness.config import Settings

    threshold = Settings.from_env().small_cell_threshold
    if frame.empty:
        return None
    months = frame["submitted_date"].astype(str).str[:7]
    sizes = frame.assign(month=months).groupby(["month", "org_unit_id", "audience"]).size()
    small = sizes[sizes < threshold].sort_index()
    if small.empty:
        return None
    examples = ", ".join(f"{m} {u} {a}" for (m, u, a) in list(small.index)[:3])
    return (
        f"{len(small)} response group(s) (month, org unit, audience) have fewer than {threshold} responses, e.g. "
        f"{examples}: kept, and suppressed in marts.sentiment_by_team (they count in the units above)"
    )


#: Checks a contract cannot say column by column, by the name an ``Extract`` lists in ``checks``: a
#: failure rejects the delivery. Each gets the ingest connection, the load id and the delivery's rows.
CHECKS: dict[str, Callable[[Any, str, pd.DataFrame], Failure | None]] = {
    "org_tree": org_tree_failure,
}

#: Problems that are not the rows' fault, by the name an ``Extract`` lists in ``warnings``: the rows are
#: kept, and the sentence goes into the manifest message and the run's log.
WARNINGS: dict[str, Callable[[Any, str, pd.DataFrame], str | None]] = {
    "workers_in_unknown_org_units": workers_in_unknown_org_units,
    "survey_groups_under_threshold": survey_groups_under_threshold,
}


def unknown_checks() -> list[str]:
    """Check names an extract declares that nothing implements (a typo would silently skip the check)."""
    return [
        f"{e.qualified_name}: {kind} {name!r}"
        for e in EXTRACTS
        for kind, names, known in (("check", e.checks, CHECKS), ("warning", e.warnings, WARNINGS))
        for name in names
        if name not in known
    ]


def validate_extract(settings: Settings, extract: Extract) -> ValidationReport:
    """Validate every delivery of ``extract`` waiting for validation; raise if any fails."""
    report = ValidationReport(extract.qualified_name)
    columns = ", ".join(f'"{c.name}"' for c in extract.columns)
    with _warehouse(settings) as (con, read_frame):
        pending = con.execute(
            "select load_id, file_name, rows_read, rows_quarantined from ops.load_manifest "
            "where source = ? and extract = ? and status = ? order by as_of_date, received_at",
            [extract.source, extract.name, STATUS_PENDING],
        ).fetchall()
        for load_id, file_name, rows_read, quarantined in pending:
            frame = read_frame(f"select {columns} from raw.{extract.raw_table} where _load_id = ?", [load_id])
            count, failures = gx.run_suite(f"readiness_{extract.raw_table}", build_suite(extract), frame)
            checks = [_quarantine_failure(extract, rows_read, quarantined)]
            checks += [CHECKS[name](con, load_id, frame) for name in extract.checks]
            failures += [f for f in checks if f]
            report.deliveries.append(DeliveryValidation(file_name, load_id, len(frame), count + len(checks), failures))
            warnings = [] if failures else [WARNINGS[name](con, load_id, frame) for name in extract.warnings]
            warning = "; ".join(w for w in warnings if w) or None
            if warning:
                report.warnings.append(f"{file_name}: {warning}")
            _settle(con, extract, load_id, failures, warning)
    failed = [d for d in report.deliveries if not d.success]
    if failed:
        lines = [
            f"{extract.qualified_name}: delivery {d.file_name} failed {len(d.failures)} of {d.expectations} "
            f"expectations:\n" + "\n".join(f"  - {f.describe()}" for f in d.failures)
            for d in failed
        ]
        raise ValidationFailed(
            "\n".join(lines) + f"\nThe delivery was taken out of the warehouse and the run stopped before dbt; the "
            f"published warehouse is unchanged. Fix the export in the {extract.source.upper()} system and deliver "
            "it again (a corrected file has a new content hash and is loaded)."
        )
    return report


@contextmanager
def _warehouse(settings: Settings) -> Iterator[tuple[Any, Callable[[str, list[Any]], pd.DataFrame]]]:
    """(connection taking ``?`` parameters, read a query into a pandas frame) of the configured warehouse.

    A delivery is read into pandas for GX the same way from both: DuckDB's frame of the rows (from
    Postgres, the rows arrive as Arrow batches through COPY and become a frame through DuckDB too).
    """
    if settings.warehouse == "postgres":
        from readiness import pg

        with pg.connect(settings) as pg_con:
            yield pg.QmarkConnection(pg_con), lambda query, params: pg.read_frame(pg_con, query, params)
        return
    with ops.connect(settings.ingest_db) as con:
        yield con, lambda query, params: con.execute(query, params).df()


def _settle(con: Any, extract: Extract, load_id: str, failures: list[Failure], warning: str | None = None) -> None:
    """Mark the load validated, or take its rows out again: one transaction either way."""
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("begin")
    if failures:
        reason = "; ".join(f.describe() for f in failures)
        con.execute(f"delete from raw.{extract.raw_table} where _load_id = ?", [load_id])
        con.execute(
            "update ops.load_manifest set status = ?, rows_loaded = 0, rows_quarantined = rows_read, "
            "message = ?, validated_at = ? where load_id = ?",
            [STATUS_REJECTED, f"validation failed: {reason}", now, load_id],
        )
        con.execute(
            "insert into ops.quarantine select load_id, source, extract, file_name, null, null, ?, null, ? "
            "from ops.load_manifest where load_id = ?",
            [f"whole file rejected, validation failed: {reason}", now, load_id],
        )
    else:
        con.execute(
            "update ops.load_manifest set status = ?, validated_at = ?, "
            "message = concat_ws('; ', nullif(message, ''), ?::varchar) where load_id = ?",
            [STATUS_LOADED, now, warning, load_id],
        )
    con.execute("commit")
    log.log(
        logging.ERROR if failures else logging.INFO,
        "%s %s: %s",
        extract.qualified_name,
        load_id[:12],
        "rejected" if failures else "validated",
    )
