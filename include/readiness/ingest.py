"""Ingest: land each delivery into ``raw.*`` exactly once, with every row loaded or quarantined.

One delivery is one transaction: its typed rows go to ``raw.<source>__<extract>``, its rejected rows
to ``ops.quarantine`` (line, column, reason) and its accounting to ``ops.load_manifest``, all or
nothing. The file is archived unchanged under ``archive/`` (named by content hash) before the
commit and leaves ``landing/`` after it, so a crash at any point is repaired by running again.
Loads wait in status ``pending_validation`` until the extract's Great Expectations suite passes.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from readiness import ops
from readiness.config import Settings, make_private, private_dir
from readiness.contracts import LOAD_METADATA_COLUMNS, Column, Extract
from readiness.ops import STATUS_PENDING, STATUS_REJECTED
from readiness.readers import LINE_COLUMN, DeliveryRejected, DeliveryRows, read_delivery

log = logging.getLogger(__name__)


class NeverDelivered(Exception):
    """An extract the pipeline needs has never been delivered."""


class DeliveriesRejected(Exception):
    """At least one delivery of the night was unusable as a whole; the others were still loaded."""


@dataclass(frozen=True)
class FileOutcome:
    file_name: str
    load_id: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str = ""


@dataclass
class LoadReport:
    """What one run did with the deliveries of one extract."""

    extract: str
    files: list[FileOutcome] = field(default_factory=list)
    latest_as_of: date | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def typed_expression(column: Column) -> str:
    """SQL turning the delivered text of ``column`` into its contract type (null where it cannot)."""
    v = f"nullif(trim(\"{column.name}\"), '')"
    match column.type:
        case "string":
            return v
        case "date":
            # ISO first; US month-first dates are what Azure and Workday exports write.
            return f"coalesce(try_cast({v} as date), try_strptime({v}, '%m/%d/%Y')::date)"
        case "timestamp":
            # Offsets are honoured and everything is stored in UTC; no offset means UTC.
            # US month-first (Azure EA exports) is read as UTC like any timestamp without an offset.
            return (
                f"coalesce(timezone('UTC', try_cast({v} as timestamptz)), "
                f"try_strptime({v}, ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y']))"
            )
        case _:
            return f"try_cast({v} as {column.duckdb_type})"


def rule_checks(column: Column) -> list[str]:
    """SQL expressions that give a reason text when the value breaks a rule of the contract, else null."""
    name = column.name
    delivered = f"nullif(trim(\"{name}\"), '')"
    typed = typed_expression(column)
    checks: list[str] = []
    if column.required:
        checks.append(f"case when {delivered} is null then {_sql_text(f'{name}: required value missing')} end")
    if column.type != "string":
        checks.append(
            f"case when {delivered} is not null and {typed} is null then "
            f"{_sql_text(name + ': cannot read ')} || {delivered} || {_sql_text(' as ' + column.type)} end"
        )
    if column.allowed:
        allowed = ", ".join(_sql_text(a) for a in column.allowed)
        checks.append(
            f"case when {typed} is not null and {typed} not in ({allowed}) then "
            f"{_sql_text(name + ': ')} || {typed} || {_sql_text(' is not one of ' + ', '.join(column.allowed))} end"
        )
    if column.min_value is not None:
        op = "<=" if column.min_exclusive else "<"
        bound = f"{'above' if column.min_exclusive else 'at least'} {column.min_value:g}"
        checks.append(
            f"case when {typed} {op} {column.min_value} then "
            f"{_sql_text(name + ': ')} || {typed} || {_sql_text(' must be ' + bound)} end"
        )
    if column.max_value is not None:
        checks.append(
            f"case when {typed} > {column.max_value} then "
            f"{_sql_text(name + ': ')} || {typed} || {_sql_text(f' must be at most {column.max_value:g}')} end"
        )
    if column.json_object:
        checks.append(
            f"case when {delivered} is not null and not (json_valid({delivered}) and starts_with({delivered}, '{{')) "
            f"then {_sql_text(name + ': not a JSON object: ')} || left({delivered}, 80) end"
        )
    if column.pattern:
        checks.append(
            f"case when {typed} is not null and not regexp_full_match({typed}, {_sql_text(column.pattern)}) then "
            f"{_sql_text(name + ': ')} || {typed} || {_sql_text(' does not have the expected shape')} end"
        )
    return checks


def typing_query(extract: Extract) -> str:
    """One pass over the delivered text: typed values plus the list of broken rules per row."""
    typed = [f'{typed_expression(c)} as "{c.name}"' for c in extract.columns]
    checks = [check for c in extract.columns for check in rule_checks(c)]
    for later, earlier in extract.not_before:
        later_typed, earlier_typed = (
            typed_expression(extract.column(later)),
            typed_expression(extract.column(earlier)),
        )
        checks.append(
            f"case when {later_typed} < {earlier_typed} then "
            f"{_sql_text(f'{later}: ')} || {later_typed} || "
            f"{_sql_text(f' is before {earlier} ')} || {earlier_typed} end"
        )
    for group in extract.one_of_required:
        present = " or ".join(f"nullif(trim(\"{name}\"), '') is not null" for name in group)
        reason = f"{group[0]}: none of {', '.join(group)} given"
        checks.append(f"case when not ({present}) then {_sql_text(reason)} end")
    reasons = f"list_filter([{', '.join(checks)}], lambda r: r is not null)" if checks else "[]::varchar[]"
    # The row as delivered, kept in quarantine so an operator can see and fix it; only for broken rows,
    # as a JSON copy of every row would double the memory a large delivery needs.
    record = ", ".join(f'"{c.name}" := "{c.name}"' for c in extract.columns)
    names = ", ".join(f'"{c.name}"' for c in extract.columns)
    return (
        f"select {LINE_COLUMN}, {names}, _reasons, "
        f"case when len(_reasons) > 0 then to_json(_delivered)::varchar end as _record from ("
        f"select {LINE_COLUMN}, {', '.join(typed)}, {reasons} as _reasons, struct_pack({record}) as _delivered "
        f"from delivery)"
    )


def as_of_from_name(extract: Extract, file_name: str) -> date:
    match = extract.file_pattern.match(file_name)
    if not match:
        raise DeliveryRejected(
            f"{file_name}: the name does not follow the contract; expected {extract.expected_file_names()}"
        )
    try:
        return date.fromisoformat(match.group(1))
    except ValueError as exc:
        raise DeliveryRejected(f"{file_name}: {match.group(1)} is not a valid as-of date") from exc


def _safe_name(file_name: str) -> str:
    """A file name that cannot climb out of its folder, for the archive and quarantine copies."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", file_name).lstrip(".") or "unnamed"


#: ``.name.XXXX``: a file still being uploaded (rsync, scp and SFTP clients write under a dot name and
#: rename when done). Names starting with two dots cannot be that and are treated as deliveries, so a
#: name like ``..%2Fworkers.csv`` is rejected with a sentence instead of lying in landing unseen.
IN_PROGRESS_UPLOAD = re.compile(r"^\.(?!\.)")


def landing_files(settings: Settings, extract: Extract) -> list[Path]:
    folder = settings.landing_dir / extract.source / extract.name
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if (p.is_symlink() or p.is_file()) and not IN_PROGRESS_UPLOAD.match(p.name)
    )


def _record_rejection(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    path: Path,
    load_id: str,
    as_of: date | None,
    reason: str,
    rows_read: int,
    archive_path: Path | None,
    run_id: str | None,
) -> FileOutcome:
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("begin")
    con.execute(
        "insert or replace into ops.load_manifest values (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, null, ?, ?)",
        [
            load_id,
            extract.source,
            extract.name,
            path.name,
            as_of,
            rows_read,
            rows_read,
            STATUS_REJECTED,
            reason,
            now,
            str(archive_path) if archive_path else None,
            run_id,
        ],
    )
    con.execute(
        "insert into ops.quarantine values (?, ?, ?, ?, null, null, ?, null, ?)",
        [load_id, extract.source, extract.name, path.name, f"whole file rejected: {reason}", now],
    )
    con.execute("commit")
    return FileOutcome(path.name, load_id, STATUS_REJECTED, rows_read, 0, rows_read, reason)


def load_delivery(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    extract: Extract,
    path: Path,
    run_id: str | None = None,
) -> FileOutcome:
    """Load one delivered file (see the module docstring for the guarantees)."""
    if path.is_symlink():
        return _reject_symlink(con, settings, extract, path, run_id)
    load_id = sha256_of(path)
    existing = con.execute("select file_name, status from ops.load_manifest where load_id = ?", [load_id]).fetchone()
    if existing:
        match = extract.file_pattern.match(path.name)
        as_of_text = match.group(1) if match else None
        con.execute(
            "insert into ops.duplicate_deliveries values (?, ?, ?, ?, try_cast(? as date), ?, ?)",
            [
                path.name,
                extract.source,
                extract.name,
                load_id,
                as_of_text,
                datetime.now(UTC).replace(tzinfo=None),
                run_id,
            ],
        )
        path.unlink()
        message = f"{path.name}: same bytes as {existing[0]} (already {existing[1]}); skipped"
        return FileOutcome(path.name, load_id, "duplicate", message=message)

    archive_path = settings.archive_dir / extract.source / extract.name / f"{load_id[:16]}__{_safe_name(path.name)}"
    private_dir(archive_path.parent)
    make_private(Path(shutil.copyfile(path, archive_path)))

    as_of: date | None = None
    try:
        as_of = as_of_from_name(extract, path.name)
        rows = read_delivery(path, extract)
    except DeliveryRejected as exc:
        outcome = _record_rejection(con, extract, path, load_id, as_of, str(exc), 0, archive_path, run_id)
        _move_to_quarantine(settings, extract, path)
        return outcome

    outcome = _commit_rows(con, extract, path, load_id, as_of, rows, archive_path, run_id)
    path.unlink()
    return outcome


def _reject_symlink(
    con: duckdb.DuckDBPyConnection, settings: Settings, extract: Extract, path: Path, run_id: str | None
) -> FileOutcome:
    """A link is never followed: it could point anywhere outside landing/ (another extract, /etc)."""
    target = path.readlink()
    load_id = hashlib.sha256(f"symlink:{path.name}->{target}".encode()).hexdigest()
    reason = (
        f"{path.name} is a symbolic link (to {target}), not a file; the loader does not follow links. "
        "Deliver the file itself into landing/"
    )
    outcome = _record_rejection(con, extract, path, load_id, None, reason, 0, None, run_id)
    _move_to_quarantine(settings, extract, path)
    return outcome


def _move_to_quarantine(settings: Settings, extract: Extract, path: Path) -> None:
    target = settings.quarantine_dir / extract.source / extract.name / _safe_name(path.name)
    private_dir(target.parent)
    make_private(Path(shutil.move(str(path), target)))


def _commit_rows(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    path: Path,
    load_id: str,
    as_of: date,
    rows: DeliveryRows,
    archive_path: Path,
    run_id: str | None,
) -> FileOutcome:
    now = datetime.now(UTC).replace(tzinfo=None)
    con.register("delivery", rows.table)
    try:
        con.execute("begin")
        con.execute(f"create or replace temp table typed_delivery as {typing_query(extract)}")
        columns = ", ".join(f'"{c.name}"' for c in extract.columns)
        metadata = ", ".join(name for name, _, _ in LOAD_METADATA_COLUMNS)
        con.execute(
            f"insert into raw.{extract.raw_table} ({columns}, {metadata}) "
            f"select {columns}, ?, ?, {LINE_COLUMN}, ?, ? from typed_delivery where len(_reasons) = 0",
            [load_id, path.name, as_of, now],
        )
        # One quarantine row per broken rule, so an operator sees every problem of a row at once.
        con.execute(
            "insert into ops.quarantine "
            "select ?, ?, ?, ?, _line_number, split_part(reason, ':', 1), reason, _record, ? "
            "from (select _line_number, unnest(_reasons) as reason, _record from typed_delivery "
            "where len(_reasons) > 0)",
            [load_id, extract.source, extract.name, path.name, now],
        )
        if rows.broken:
            con.executemany(
                "insert into ops.quarantine values (?, ?, ?, ?, ?, null, ?, ?, ?)",
                [
                    [load_id, extract.source, extract.name, path.name, line, reason, text, now]
                    for line, reason, text in rows.broken
                ],
            )
        loaded, quarantined = con.execute(
            "select count(*) filter (where len(_reasons) = 0), count(*) filter (where len(_reasons) > 0) "
            "from typed_delivery"
        ).fetchone() or (0, 0)
        quarantined += len(rows.broken)
        message = f"unknown columns ignored: {', '.join(rows.extra_columns)}" if rows.extra_columns else ""
        con.execute(
            "insert into ops.load_manifest values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?)",
            [
                load_id,
                extract.source,
                extract.name,
                path.name,
                as_of,
                rows.rows_read,
                loaded,
                quarantined,
                STATUS_PENDING,
                message,
                now,
                str(archive_path),
                run_id,
            ],
        )
        con.execute("drop table typed_delivery")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.unregister("delivery")
    if rows.extra_columns:
        log.warning("%s: %s", path.name, message)
    return FileOutcome(path.name, load_id, STATUS_PENDING, rows.rows_read, loaded, quarantined, message)


def load_extract(settings: Settings, extract: Extract, run_id: str | None = None) -> LoadReport:
    """Load every new delivery of ``extract`` waiting in landing/, oldest as-of date first."""
    report = LoadReport(extract.qualified_name)
    with ops.connect(settings.ingest_db) as con:
        make_private(settings.ingest_db)
        for path in landing_files(settings, extract):
            outcome = load_delivery(con, settings, extract, path, run_id)
            report.files.append(outcome)
            log.info(
                "%s: %s (read %d, loaded %d, quarantined %d) %s",
                extract.qualified_name,
                outcome.status,
                outcome.rows_read,
                outcome.rows_loaded,
                outcome.rows_quarantined,
                outcome.message,
            )
        report.latest_as_of = latest_as_of(con, extract)
    rejected = [f for f in report.files if f.status == STATUS_REJECTED]
    if rejected:
        raise DeliveriesRejected(
            "\n".join(f"{extract.qualified_name}: {f.message}" for f in rejected)
            + f"\nThe file(s) were moved to {settings.quarantine_dir / extract.source / extract.name}/ and nothing "
            "of them was loaded; the run stops before dbt and the published warehouse is unchanged."
        )
    if report.latest_as_of is None:
        folder = settings.landing_dir / extract.source / extract.name
        raise NeverDelivered(
            f"{extract.qualified_name} has never been delivered: expected a file named "
            f"{extract.expected_file_names()} in {folder}/. Ask the {extract.source.upper()} system's owner for "
            "the nightly export, or run `readiness generate` for a sample."
        )
    return report


def latest_as_of(con: duckdb.DuckDBPyConnection, extract: Extract) -> date | None:
    row = con.execute(
        "select max(as_of_date) from ops.load_manifest where source = ? and extract = ? and status <> ?",
        [extract.source, extract.name, STATUS_REJECTED],
    ).fetchone()
    return row[0] if row else None
