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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

import duckdb

from readiness import warehouse
from readiness.config import Settings, make_private, private_dir
from readiness.contracts import LOAD_METADATA_COLUMNS, Column, Extract, get_extract
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


#: The delivered texts read as a boolean (lower-cased): JSON and SQL exports, HR spreadsheets (Yes/No, Y/N)
#: and 1/0 flags. README, Extracts.
BOOLEAN_TRUE: tuple[str, ...] = ("true", "t", "yes", "y", "1")
BOOLEAN_FALSE: tuple[str, ...] = ("false", "f", "no", "n", "0")


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
        case "boolean":
            # Exports write booleans many ways; these readings are the only ones taken (case ignored), so
            # anything else ("on", "2", "-1") is a broken rule naming them, never a guess.
            truthy = ", ".join(_sql_text(t) for t in BOOLEAN_TRUE)
            falsy = ", ".join(_sql_text(f) for f in BOOLEAN_FALSE)
            return f"case when lower({v}) in ({truthy}) then true when lower({v}) in ({falsy}) then false end"
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
        readings = f" ({'/'.join(BOOLEAN_TRUE)} or {'/'.join(BOOLEAN_FALSE)})" if column.type == "boolean" else ""
        checks.append(
            f"case when {delivered} is not null and {typed} is null then "
            f"{_sql_text(name + ': cannot read ')} || {delivered} || {_sql_text(' as ' + column.type + readings)} end"
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


def good_rows_query(extract: Extract) -> str:
    """The typed rows that broke no rule, with their load metadata (parameters: load id, file, as-of, time)."""
    columns = ", ".join(f'"{c.name}"' for c in extract.columns)
    return f"select {columns}, ?, ?, {LINE_COLUMN}, ?, ? from typed_delivery where len(_reasons) = 0"


#: One quarantine row per broken rule, so an operator sees every problem of a row at once (parameters:
#: load id, source, extract, file, time); the columns of ``ops.quarantine`` in order.
QUARANTINE_ROWS_QUERY = (
    "select ?, ?, ?, ?, _line_number, split_part(reason, ':', 1), reason, _record, ? "
    "from (select _line_number, unnest(_reasons) as reason, _record from typed_delivery "
    "where len(_reasons) > 0)"
)


def type_rows(con: duckdb.DuckDBPyConnection, extract: Extract, rows: DeliveryRows) -> tuple[int, int]:
    """Type the delivered text into the temp table ``typed_delivery`` of ``con``: (rows loaded, quarantined).

    The one place the contract's typing and row rules run, whichever warehouse the rows then go to.
    """
    con.register("delivery", rows.batches)  # read as it is typed: one chunk of text at a time
    try:
        con.execute(f"create or replace temp table typed_delivery as {typing_query(extract)}")
    finally:
        con.unregister("delivery")
    rows.raise_if_rejected()  # the caller's transaction is rolled back: nothing of the file is loaded
    loaded, quarantined = con.execute(
        "select count(*) filter (where len(_reasons) = 0), count(*) filter (where len(_reasons) > 0) "
        "from typed_delivery"
    ).fetchall()[0]  # fetched whole: the connection goes on with other statements
    return loaded, quarantined + len(rows.broken)


@dataclass(frozen=True)
class ManifestRow:
    """A row of ``ops.load_manifest`` as a load writes it (validated_at is set later, by validation)."""

    load_id: str
    source: str
    extract: str
    file_name: str
    as_of_date: date | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    status: str
    message: str
    received_at: datetime
    archive_path: str | None
    run_id: str | None

    def values(self) -> list[object]:
        """In the column order of ``ops.load_manifest``, with null for validated_at."""
        return [
            self.load_id,
            self.source,
            self.extract,
            self.file_name,
            self.as_of_date,
            self.rows_read,
            self.rows_loaded,
            self.rows_quarantined,
            self.status,
            self.message,
            self.received_at,
            None,
            self.archive_path,
            self.run_id,
        ]


class LoadSink(Protocol):
    """Where loads are recorded: the DuckDB ingest file or the Postgres warehouse (readiness.pg).

    Reading, typing and quarantining are the same for both; only these writes and reads differ.
    """

    def delivered(self, load_id: str) -> tuple[str, str] | None:
        """(file name, status) of an earlier load of the same bytes."""
        ...

    def record_duplicate(
        self, extract: Extract, file_name: str, load_id: str, as_of: date | None, run_id: str | None
    ) -> None: ...

    def record_rejection(self, extract: Extract, manifest: ManifestRow, reason: str) -> None:
        """The manifest row of a whole rejected file and its quarantine line, in one transaction."""
        ...

    def commit_rows(self, extract: Extract, rows: DeliveryRows, manifest: ManifestRow) -> tuple[int, int]:
        """Type ``rows``, then write raw rows, quarantine and the manifest in one transaction."""
        ...

    def latest_as_of(self, extract: Extract) -> date | None: ...


def whole_file_quarantine(manifest: ManifestRow, reason: str) -> list[object]:
    return [
        manifest.load_id,
        manifest.source,
        manifest.extract,
        manifest.file_name,
        None,
        None,
        f"whole file rejected: {reason}",
        None,
        manifest.received_at,
    ]


class DuckDBSink:
    """Loads into ``raw.*`` and ``ops.*`` of the DuckDB ingest file."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def delivered(self, load_id: str) -> tuple[str, str] | None:
        row = self.con.execute("select file_name, status from ops.load_manifest where load_id = ?", [load_id])
        found = row.fetchone()
        return (found[0], found[1]) if found else None

    def record_duplicate(
        self, extract: Extract, file_name: str, load_id: str, as_of: date | None, run_id: str | None
    ) -> None:
        self.con.execute(
            "insert into ops.duplicate_deliveries values (?, ?, ?, ?, ?, ?, ?)",
            [file_name, extract.source, extract.name, load_id, as_of, datetime.now(UTC).replace(tzinfo=None), run_id],
        )

    def record_rejection(self, extract: Extract, manifest: ManifestRow, reason: str) -> None:
        con = self.con
        con.execute("begin")
        con.execute(
            "insert or replace into ops.load_manifest values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            manifest.values(),
        )
        con.execute(
            "insert into ops.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, ?)", whole_file_quarantine(manifest, reason)
        )
        con.execute("commit")

    def commit_rows(self, extract: Extract, rows: DeliveryRows, manifest: ManifestRow) -> tuple[int, int]:
        con = self.con
        m = manifest
        try:
            con.execute("begin")
            loaded, quarantined = type_rows(con, extract, rows)
            columns = ", ".join(f'"{c.name}"' for c in extract.columns)
            metadata = ", ".join(name for name, _, _ in LOAD_METADATA_COLUMNS)
            con.execute(
                f"insert into raw.{extract.raw_table} ({columns}, {metadata}) {good_rows_query(extract)}",
                [m.load_id, m.file_name, m.as_of_date, m.received_at],
            )
            con.execute(
                f"insert into ops.quarantine {QUARANTINE_ROWS_QUERY}",
                [m.load_id, m.source, m.extract, m.file_name, m.received_at],
            )
            if rows.broken:
                con.executemany(
                    "insert into ops.quarantine values (?, ?, ?, ?, ?, null, ?, ?, ?)",
                    [
                        [m.load_id, m.source, m.extract, m.file_name, line, reason, text, m.received_at]
                        for line, reason, text in rows.broken
                    ],
                )
            con.execute(
                "insert into ops.load_manifest values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                replace(m, rows_read=rows.rows_read, rows_loaded=loaded, rows_quarantined=quarantined).values(),
            )
            con.execute("drop table typed_delivery")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return loaded, quarantined

    def latest_as_of(self, extract: Extract) -> date | None:
        return latest_as_of(self.con, extract)


def load_delivery(
    sink: LoadSink,
    settings: Settings,
    extract: Extract,
    path: Path,
    run_id: str | None = None,
) -> FileOutcome:
    """Load one delivered file (see the module docstring for the guarantees)."""
    if path.is_symlink():
        return _reject_symlink(sink, settings, extract, path, run_id)
    load_id = sha256_of(path)
    existing = sink.delivered(load_id)
    if existing:
        sink.record_duplicate(extract, path.name, load_id, _as_of_or_none(extract, path.name), run_id)
        path.unlink()
        message = f"{path.name}: same bytes as {existing[0]} (already {existing[1]}); skipped"
        return FileOutcome(path.name, load_id, "duplicate", message=message)

    archive_path = settings.archive_dir / extract.source / extract.name / f"{load_id[:16]}__{_safe_name(path.name)}"
    private_dir(archive_path.parent)
    make_private(Path(shutil.copyfile(path, archive_path)))

    as_of: date | None = None
    manifest = ManifestRow(
        load_id, extract.source, extract.name, path.name, None, 0, 0, 0, STATUS_PENDING, "",
        datetime.now(UTC).replace(tzinfo=None), str(archive_path), run_id,
    )  # fmt: skip
    try:
        as_of = as_of_from_name(extract, path.name)
        rows = read_delivery(path, extract)
        message = f"unknown columns ignored: {', '.join(rows.extra_columns)}" if rows.extra_columns else ""
        # rows_read is known once the stream is read through: the sink records it with the counts.
        manifest = replace(manifest, as_of_date=as_of, message=message)
        loaded, quarantined = sink.commit_rows(extract, rows, manifest)
    except DeliveryRejected as exc:  # at the header, or further in (the sink rolled its transaction back)
        outcome = _record_rejection(sink, extract, manifest, as_of, str(exc))
        _move_to_quarantine(settings, extract, path)
        return outcome
    path.unlink()
    if rows.extra_columns:
        log.warning("%s: %s", path.name, message)
    return FileOutcome(path.name, load_id, STATUS_PENDING, rows.rows_read, loaded, quarantined, message)


def _as_of_or_none(extract: Extract, file_name: str) -> date | None:
    """The as-of date a name carries, if it carries a valid one (a duplicate is recorded either way)."""
    match = extract.file_pattern.match(file_name)
    try:
        return date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None


def _record_rejection(
    sink: LoadSink, extract: Extract, manifest: ManifestRow, as_of: date | None, reason: str
) -> FileOutcome:
    rejected = replace(manifest, as_of_date=as_of, status=STATUS_REJECTED, message=reason)
    sink.record_rejection(extract, rejected, reason)
    return FileOutcome(manifest.file_name, manifest.load_id, STATUS_REJECTED, 0, 0, 0, reason)


def _reject_symlink(
    sink: LoadSink, settings: Settings, extract: Extract, path: Path, run_id: str | None
) -> FileOutcome:
    """A link is never followed: it could point anywhere outside landing/ (another extract, /etc)."""
    target = path.readlink()
    load_id = hashlib.sha256(f"symlink:{path.name}->{target}".encode()).hexdigest()
    reason = (
        f"{path.name} is a symbolic link (to {target}), not a file; the loader does not follow links. "
        "Deliver the file itself into landing/"
    )
    manifest = ManifestRow(
        load_id, extract.source, extract.name, path.name, None, 0, 0, 0, STATUS_REJECTED, reason,
        datetime.now(UTC).replace(tzinfo=None), None, run_id,
    )  # fmt: skip
    outcome = _record_rejection(sink, extract, manifest, None, reason)
    _move_to_quarantine(settings, extract, path)
    return outcome


def _move_to_quarantine(settings: Settings, extract: Extract, path: Path) -> None:
    target = settings.quarantine_dir / extract.source / extract.name / _safe_name(path.name)
    private_dir(target.parent)
    make_private(Path(shutil.move(str(path), target)))


def load_extract(settings: Settings, extract: Extract, run_id: str | None = None) -> LoadReport:
    """Load every new delivery of ``extract`` waiting in landing/, oldest as-of date first."""
    report = LoadReport(extract.qualified_name)
    with _sink(settings) as sink:
        for path in landing_files(settings, extract):
            outcome = load_delivery(sink, settings, extract, path, run_id)
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
        report.latest_as_of = sink.latest_as_of(extract)
        stand_in = None if report.latest_as_of else _delivered_alternative(settings, sink, extract)
    rejected = [f for f in report.files if f.status == STATUS_REJECTED]
    if rejected:
        raise DeliveriesRejected(
            "\n".join(f"{extract.qualified_name}: {f.message}" for f in rejected)
            + f"\nThe file(s) were moved to {settings.quarantine_dir / extract.source / extract.name}/ and nothing "
            "of them was loaded; the run stops before dbt and the published warehouse is unchanged."
        )
    if report.latest_as_of is None and stand_in is not None:
        # The same facts come in the other shape (a site with Viva Learning and no LRS): nothing is missing.
        log.info("%s: never delivered; %s carries the source's facts instead", extract.qualified_name, stand_in)
        report.warnings.append(f"not delivered; {stand_in} is delivered instead")
        return report
    if report.latest_as_of is None:
        folder = settings.landing_dir / extract.source / extract.name
        instead = "".join(f" (or {extract.source}/{a} instead)" for a in extract.alternatives)
        raise NeverDelivered(
            f"{extract.qualified_name} has never been delivered: expected a file named "
            f"{extract.expected_file_names()} in {folder}/{instead}. Ask the {extract.source.upper()} system's owner "
            "for the nightly export, run `readiness generate` for a sample, or, if this installation has no "
            f"{extract.source.upper()} system, leave {extract.source} out of READINESS_SOURCES."
        )
    return report


def _delivered_alternative(settings: Settings, sink: LoadSink, extract: Extract) -> str | None:
    """An alternative of ``extract`` (``Extract.alternatives``) that was delivered or is waiting in landing/
    tonight (its load task may run after this one), by qualified name; None when there is none."""
    for name in extract.alternatives:
        other = get_extract(f"{extract.source}/{name}")
        if sink.latest_as_of(other) is not None or any(
            other.file_pattern.match(p.name) for p in landing_files(settings, other)
        ):
            return other.qualified_name
    return None


@contextmanager
def _sink(settings: Settings) -> Iterator[LoadSink]:
    """The sink of the configured warehouse (READINESS_WAREHOUSE), open for one extract's loads."""
    with warehouse.connect(settings) as con:
        if con.postgres:
            from readiness import pg

            yield pg.PostgresSink(con.native)
        else:
            yield DuckDBSink(con.native)


def latest_as_of(con: duckdb.DuckDBPyConnection, extract: Extract) -> date | None:
    row = con.execute(
        "select max(as_of_date) from ops.load_manifest where source = ? and extract = ? and status <> ?",
        [extract.source, extract.name, STATUS_REJECTED],
    ).fetchone()
    return row[0] if row else None
