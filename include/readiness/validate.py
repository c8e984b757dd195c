"""Validate: a Great Expectations suite per extract, derived from its contract, run on each new delivery.

Only the nightly delta is validated (the rows of loads still ``pending_validation``), on pandas
frames of the contract's columns: GX's SQL data source does not work on DuckDB, and validating the
whole history every night would make validation the bottleneck. A delivery is validated in batches of
``BATCH_ROWS`` rows, so memory follows the batch, not the delivery (a year of statements of a large
employer is millions of rows): the row-wise expectations run on each batch and their results are
added up; the key's uniqueness, which no batch can judge alone, runs on the rows whose key DuckDB (or
Postgres) finds more than once in the whole delivery (the same GX result as on the whole delivery: the
other rows cannot make a key repeat). A delivery that fails is taken out of ``raw`` again and marked
``rejected``, so the warehouse never builds on it, and the error names the extract, the file, the
expectation and a sample of the failing values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from readiness import gx, warehouse
from readiness.config import Settings
from readiness.contracts import EXTRACTS, ORG_UNITS, PULSE_RESPONSES, WORKERS, Extract
from readiness.gx import BATCH_ROWS, SAMPLE_SIZE, Failure
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


def build_suite(extract: Extract, part: str = "all") -> great_expectations.ExpectationSuite:
    """The expectation suite of an extract, every expectation derived from its contract.

    ``part``: ``all``; ``rows``, the expectations a batch of rows can judge on its own; ``keys``, the
    key's uniqueness, which needs every row of the delivery that shares a key.
    """
    if part not in ("all", "rows", "keys"):
        raise ValueError(f"part={part!r}: expected all, rows or keys")
    suite, e = gx.new_suite(f"{extract.raw_table}_{part}")
    if part != "rows":
        _add_key_expectations(suite, e, extract)
        if part == "keys":
            return suite
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
    for later, earlier in extract.not_before:
        suite.add_expectation(
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=later, column_B=earlier, or_equal=True, ignore_row_if="either_value_is_missing"
            )
        )
    return suite


def _add_key_expectations(suite: Any, e: Any, extract: Extract) -> None:
    if len(extract.key) == 1:
        suite.add_expectation(e.ExpectColumnValuesToBeUnique(column=extract.key[0]))
    elif extract.key:
        suite.add_expectation(e.ExpectCompoundColumnsToBeUnique(column_list=list(extract.key)))


def _repeated_keys_query(extract: Extract, columns: str) -> str:
    """The delivery's rows whose key occurs more than once in it (SQL both warehouses run)."""
    key = ", ".join(f'"{k}"' for k in extract.key)
    return (
        f"select {columns} from raw.{extract.raw_table} where _load_id = ? and ({key}) in ("
        f"select {key} from raw.{extract.raw_table} where _load_id = ? group by {key} having count(*) > 1"
        ")"
    )


def validate_delivery(
    extract: Extract, load_id: str, read_batches: Callable[[str, list[Any]], Iterator[pd.DataFrame]]
) -> tuple[int, int, list[Failure]]:
    """(rows, expectations run, failures) of one delivery, validated batch by batch (module docstring)."""
    columns = ", ".join(f'"{c.name}"' for c in extract.columns)
    rows_suite, keys_suite = build_suite(extract, "rows"), build_suite(extract, "keys")
    name = f"readiness_{extract.raw_table}"
    query = f"select {columns} from raw.{extract.raw_table} where _load_id = ?"
    rows, count, failures = gx.run_suite_in_batches(
        name, rows_suite, read_batches(query, [load_id]), lambda: _no_rows(extract)
    )
    if extract.key:
        repeated = _as_one_frame(read_batches(_repeated_keys_query(extract, columns), [load_id, load_id]), extract)
        key_count, key_failures = gx.run_suite(name, keys_suite, repeated)
        count, failures = count + key_count, key_failures + failures
    return rows, count, failures


def _as_one_frame(frames: Iterator[pd.DataFrame], extract: Extract) -> pd.DataFrame:
    """The batches as one frame (rows whose key repeats: few, unless the delivery is broken)."""
    import pandas as pd

    listed = list(frames)
    return pd.concat(listed, ignore_index=True) if listed else _no_rows(extract)


def _no_rows(extract: Extract) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=[c.name for c in extract.columns])


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


def shared_work_emails(con: Any, load_id: str, frame: pd.DataFrame) -> Failure | None:
    """Every worker of a snapshot has their own work e-mail (compared trimmed and case-insensitively).

    The e-mail is how LMS learners known by e-mail only (xAPI mbox, a Viva learnerUserId) are matched to
    workers: a shared one has two readings, and choosing either would credit one person's training to
    another. So the delivery is rejected, naming the workers, rather than guessing. In SQL that DuckDB and
    Postgres both run, on the delivery's raw rows (``frame`` is not needed).
    """
    rows = con.execute(
        f"""
        select count(*) over (), worker_ids
        from (
            select string_agg(distinct worker_id, ', ' order by worker_id) as worker_ids,
                   count(distinct worker_id) as workers
            from raw.{WORKERS.raw_table}
            where _load_id = ? and work_email is not null
            group by lower(trim(work_email))
        ) as by_email
        where workers > 1
        order by worker_ids
        limit {SAMPLE_SIZE}
        """,
        [load_id],
    ).fetchall()
    if not rows:
        return None
    # Named by worker ids, not by the address: the reason travels to logs, alerts and chat messages.
    problems = [f"workers {ids} share one work_email" for _, ids in rows]
    problems.append(
        "a learner identified by e-mail could be either worker: give each worker their own work_email in the HR "
        "export (or have the LMS identify learners by worker_id)"
    )
    return Failure("one work_email per worker", "work_email", int(rows[0][0]), problems)


def workers_in_unknown_org_units(con: Any, load_id: str) -> str | None:
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


def survey_groups_under_threshold(con: Any, load_id: str) -> str | None:
    """Response groups (wave month, org unit, audience) of the delivery smaller than the small-cell threshold.

    Not the respondents' fault, and their answers count in the groups above them (the org tree rolls up): the
    rows are kept and sentiment_by_team suppresses the group; the manifest says so, so that the survey owner
    can merge small teams in the form's choices.
    """
    from readiness.config import Settings

    threshold = Settings.from_env().small_cell_threshold
    # Plain SQL that DuckDB and Postgres both run, as the warning above.
    rows = con.execute(
        f"""
        with groups as (
            select substr(cast(submitted_date as varchar), 1, 7) as wave, org_unit_id, audience, count(*) as n
            from raw.{PULSE_RESPONSES.raw_table}
            where _load_id = ?
            group by substr(cast(submitted_date as varchar), 1, 7), org_unit_id, audience
        ),
        small as (select * from groups where n < {int(threshold)})
        select (select count(*) from small), wave, org_unit_id, audience
        from small
        order by wave, org_unit_id, audience
        limit 3
        """,
        [load_id],
    ).fetchall()
    if not rows:
        return None
    examples = ", ".join(f"{wave} {unit} {audience}" for _, wave, unit, audience in rows)
    return (
        f"{rows[0][0]} response group(s) (month, org unit, audience) have fewer than {threshold} responses, e.g. "
        f"{examples}: kept, and suppressed in marts.sentiment_by_team (they count in the units above)"
    )


#: Checks a contract cannot say column by column, by the name an ``Extract`` lists in ``checks``: a
#: failure rejects the delivery. Each gets the connection, the load id and the delivery's rows as one frame
#: (so a check is for an extract that is small by nature: the org tree).
CHECKS: dict[str, Callable[[Any, str, pd.DataFrame], Failure | None]] = {
    "org_tree": org_tree_failure,
    "unique_work_emails": shared_work_emails,
}

#: Problems that are not the rows' fault, by the name an ``Extract`` lists in ``warnings``: the rows are
#: kept, and the sentence goes into the manifest message and the run's log. Each gets the connection and
#: the load id (it asks the warehouse what it needs: a warning must not hold a large delivery in memory).
WARNINGS: dict[str, Callable[[Any, str], str | None]] = {
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
    with _warehouse(settings) as (con, read_batches):
        pending = con.execute(
            "select load_id, file_name, rows_read, rows_quarantined from ops.load_manifest "
            "where source = ? and extract = ? and status = ? order by as_of_date, received_at",
            [extract.source, extract.name, STATUS_PENDING],
        ).fetchall()
        for load_id, file_name, rows_read, quarantined in pending:
            rows, count, failures = validate_delivery(extract, load_id, read_batches)
            checks = [_quarantine_failure(extract, rows_read, quarantined)]
            if extract.checks:  # whole-delivery checks of small extracts (the org tree): one frame
                frame = _whole(extract, load_id, read_batches)
                checks += [CHECKS[name](con, load_id, frame) for name in extract.checks]
            failures += [f for f in checks if f]
            report.deliveries.append(DeliveryValidation(file_name, load_id, rows, count + len(checks), failures))
            warnings = [] if failures else [WARNINGS[name](con, load_id) for name in extract.warnings]
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


def _whole(extract: Extract, load_id: str, read_batches: Callable[[str, list[Any]], Iterator[pd.DataFrame]]) -> Any:
    columns = ", ".join(f'"{c.name}"' for c in extract.columns)
    query = f"select {columns} from raw.{extract.raw_table} where _load_id = ?"
    return _as_one_frame(read_batches(query, [load_id]), extract)


#: A reader of a query's rows as pandas frames of at most BATCH_ROWS rows each.
BatchReader = Callable[[str, list[Any]], Iterator["pd.DataFrame"]]


@contextmanager
def _warehouse(settings: Settings) -> Iterator[tuple[Any, BatchReader]]:
    """(connection taking ``?`` parameters, read a query in frames of BATCH_ROWS) of the configured warehouse.

    A delivery reaches GX the same way from both: DuckDB's frames of the rows (from Postgres, the rows
    arrive as Arrow batches through COPY and become frames through DuckDB too).
    """
    with warehouse.connect(settings) as con:
        yield con, lambda query, params: con.frames(query, params, BATCH_ROWS)


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
