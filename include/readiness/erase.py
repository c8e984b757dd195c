"""Erasure on request: a worker's rows leave every working layer, and their pseudonym every kept version.

``erase_worker(settings, worker_id)`` removes the worker's rows from the delivered files (landing, archive,
quarantine), from ``raw.*`` and ``ops.quarantine``, redacts their identifiers from run reasons, and deletes
rows under their pseudonym from the kept published versions (so a rollback cannot bring them back). The
published warehouse itself is never written in place (readers hold it): the next publication, built from
the erased raw tables, no longer holds them; the runbook re-runs the night to publish it at once.

A worker is identified by their id and what the deliveries carry for them: their work e-mail(s) (from
the workers rows), the xAPI ``mbox`` and ``mbox_sha1sum`` forms of it and the LMS account name (the id).
Another worker's ``manager_worker_id`` that names them is blanked, as it is their identifier too.

Re-delivery: a delivery's identity stays the SHA-256 of the bytes *as delivered* (``ops.load_manifest``
and the archive name keep it). An archive copy rewritten here no longer hashes to its name; the erasure
log records both hashes. A source re-sending the original file is still recognised as a duplicate and
skipped, so an erased person does not come back through a re-sent file; a new delivery that still holds
them is loaded (the source system must erase them too: see the README runbook).

``ops.erasure_log`` records each erasure without personal data: what was changed, where, how many rows.
DuckDB keeps deleted rows in free blocks of the file, so each database changed is rewritten whole.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from readiness import ops
from readiness.config import Settings
from readiness.contracts import get_extract
from readiness.dbt_plugin import worker_key
from readiness.ingest import sha256_of
from readiness.unchanged import forget_published_build
from readiness.warehouse import is_postgres

#: The extracts whose rows are about one worker (by id, e-mail or LMS account).
PERSON_EXTRACTS: tuple[str, ...] = ("hr/workers", "hr/worker_skills", "lms/statements", "lms/course_activity")
#: Columns that name *another* worker: blanked where they name the erased one, the row itself is kept.
REFERENCE_COLUMNS: frozenset[str] = frozenset({"manager_worker_id"})

ERASURE_DDL = """
create table if not exists ops.erasure_log (
    erasure_id varchar not null,       -- one per request; no identifier of the person
    erased_at timestamp not null,
    location_kind varchar not null,    -- landing, archive, quarantine, raw, ops, version
    location varchar not null,         -- a path under the data root or a table
    rows_removed bigint not null,
    rows_changed bigint not null,      -- rows kept with an identifier blanked or redacted
    sha256_before varchar,             -- files: the bytes before and after
    sha256_after varchar
)
"""


@dataclass(frozen=True)
class Subject:
    """What identifies the worker in the deliveries (all lower case)."""

    worker_id: str
    emails: frozenset[str]

    @property
    def identifiers(self) -> frozenset[str]:
        mboxes = {f"mailto:{e}" for e in self.emails}
        sha1s = {hashlib.sha1(m.encode()).hexdigest() for m in mboxes}
        return frozenset({self.worker_id.lower(), *self.emails, *mboxes, *sha1s})

    def in_text(self, text: str) -> bool:
        """For lines that cannot be parsed: the id as a whole token, or an e-mail anywhere."""
        lower = text.lower()
        return any(e in lower for e in self.emails) or bool(
            re.search(rf"(?<![\w-]){re.escape(self.worker_id.lower())}(?![\w-])", lower)
        )


@dataclass(frozen=True)
class Change:
    location_kind: str
    location: str
    rows_removed: int
    rows_changed: int = 0
    sha256_before: str | None = None
    sha256_after: str | None = None


@dataclass
class Erasure:
    erasure_id: str
    erased_at: datetime
    changes: list[Change] = field(default_factory=list)

    @property
    def rows_removed(self) -> int:
        return sum(c.rows_removed for c in self.changes)


class UnknownWorker(Exception):
    """No delivery, raw row or publication knows the worker id."""


class ErasureNotSupported(Exception):
    """The configured warehouse has no erasure yet; nothing was changed."""


#: What `readiness erase` says on the Postgres warehouse, before it changes anything (a half-done erasure, the
#: files without the tables, would look done).
NOT_ON_POSTGRES = (
    "readiness erase is not supported on the Postgres warehouse yet (READINESS_WAREHOUSE=postgres): nothing was "
    "changed. Until it is, erase by hand: delete the worker's "
    "rows (by worker_id and work e-mail) from raw.hr__workers, raw.hr__worker_skills, raw.lms__statements, "
    "raw.lms__course_activity and ops.quarantine, and their worker_key's rows from every marts_version_* and "
    "marts_rolled_back_* schema; VACUUM FULL those tables; remove the rows from the files in landing/, archive/ "
    "and quarantine/; then run the night to publish marts without them."
)


def erase_worker(settings: Settings, worker_id: str) -> Erasure:
    if is_postgres(settings):
        raise ErasureNotSupported(NOT_ON_POSTGRES)
    worker_id = worker_id.strip()
    erasure = Erasure(uuid.uuid4().hex, datetime.now(UTC).replace(tzinfo=None))
    subject = _subject(settings, worker_id)
    for kind, root in (
        ("landing", settings.landing_dir),
        ("archive", settings.archive_dir),
        ("quarantine", settings.quarantine_dir),
    ):
        erasure.changes += _erase_files(settings, kind, root, subject)
    if settings.ingest_db.exists():
        erasure.changes += _erase_ingest(settings, subject)
    pseudonym = worker_key(worker_id, settings.pseudonym_key())
    erasure.changes += _erase_versions(settings, pseudonym)
    erasure.changes += _erase_published(settings, pseudonym)
    # Tonight's unpublished build holds staging (names, e-mails): it is rebuilt from scratch by the next run.
    # So is the build state the incremental models start from (it holds the erased rows): without it the
    # next run builds everything from the erased raw tables.
    for leftover in (settings.candidate_db, Path(f"{settings.candidate_db}.wal")):
        leftover.unlink(missing_ok=True)
    for leftover in (settings.state_db, Path(f"{settings.state_db}.wal")):
        leftover.unlink(missing_ok=True)
    # The aggregates of the published version still count the person: the next night must build, even
    # with no new delivery.
    forget_published_build(settings)
    if not erasure.changes:
        raise UnknownWorker(
            f"worker {worker_id!r} is in no delivery, raw table or kept version under {settings.data_dir}: "
            "nothing was erased (check the id: it is the HR system's worker_id)"
        )
    _log(settings, erasure)
    return erasure


def _subject(settings: Settings, worker_id: str) -> Subject:
    """The worker's e-mails, from the raw workers rows and every workers file still on disk."""
    emails: set[str] = set()
    if settings.ingest_db.exists():
        with ops.connect(settings.ingest_db, read_only=True) as con:
            emails |= {
                r[0].strip().lower()
                for r in con.execute(
                    "select distinct work_email from raw.hr__workers "
                    "where trim(worker_id) = ? and work_email is not null",
                    [worker_id],
                ).fetchall()
            }
    for root in (settings.landing_dir, settings.archive_dir, settings.quarantine_dir):
        for path in _files(root / "hr" / "workers"):
            text = _read(path)[0]
            for row in csv.DictReader(io.StringIO(text, newline="")):
                row = {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k}
                if row.get("worker_id") == worker_id and row.get("work_email"):
                    emails.add(row["work_email"].lower())
    return Subject(worker_id, frozenset(emails))


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) if folder.is_dir() else []


def _read(path: Path) -> tuple[str, bool, bool]:
    """Text of a delivered file, whether it was gzipped, whether it had a byte-order mark."""
    data = path.read_bytes()
    gzipped = data[:2] == b"\x1f\x8b"
    if gzipped:
        data = gzip.decompress(data)
    bom = data.startswith(b"\xef\xbb\xbf")
    # surrogateescape: a Latin-1 file (quarantined as such) keeps its bytes exactly where rows are kept.
    return data.decode("utf-8-sig" if bom else "utf-8", errors="surrogateescape"), gzipped, bom


def _write(path: Path, text: str, gzipped: bool, bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", errors="surrogateescape")
    if gzipped:
        data = gzip.compress(data, mtime=0)
    staged = path.with_name(f".erasing-{path.name}")  # a dot name: the loader never takes it half-written
    staged.write_bytes(data)
    staged.chmod(path.stat().st_mode & 0o777)
    staged.replace(path)


def _erase_files(settings: Settings, kind: str, root: Path, subject: Subject) -> list[Change]:
    changes = []
    for qualified in PERSON_EXTRACTS:
        extract = get_extract(qualified)
        for path in _files(root / extract.source / extract.name):
            text, gzipped, bom = _read(path)
            kept, removed, changed = _without_subject(path.name, text, subject)
            if removed or changed:
                before = sha256_of(path)
                _write(path, kept, gzipped, bom)
                changes.append(
                    Change(kind, str(path.relative_to(settings.data_dir)), removed, changed, before, sha256_of(path))
                )
    return changes


def _without_subject(name: str, text: str, subject: Subject) -> tuple[str, int, int]:
    """The file's text without the subject's rows: (text, rows removed, rows with a reference blanked)."""
    stem = name.removesuffix(".gz")
    if stem.endswith((".jsonl", ".json")):
        return _without_in_json(text, subject)
    return _without_in_csv(text, subject)


def _mentions(value: object, identifiers: frozenset[str]) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in identifiers
    if isinstance(value, dict):
        return any(_mentions(v, identifiers) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, identifiers) for v in value)
    return False


def _without_in_json(text: str, subject: Subject) -> tuple[str, int, int]:
    identifiers = subject.identifiers
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None
    if isinstance(whole, list):  # a JSON array of statements
        kept = [item for item in whole if not _mentions(item, identifiers)]
        return (
            (json.dumps(kept, ensure_ascii=False), len(whole) - len(kept), 0)
            if len(kept) < len(whole)
            else (
                text,
                0,
                0,
            )
        )
    lines = text.splitlines(keepends=True)
    kept_lines = []
    for line in lines:
        try:
            mentioned = _mentions(json.loads(line), identifiers) if line.strip() else False
        except ValueError:
            mentioned = subject.in_text(line)  # a malformed line: it may still carry the e-mail
        if not mentioned:
            kept_lines.append(line)
    return "".join(kept_lines), len(lines) - len(kept_lines), 0


def _without_in_csv(text: str, subject: Subject) -> tuple[str, int, int]:
    identifiers = subject.identifiers
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    newline = "\r\n" if "\r\n" in text else "\n"
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        lines = text.splitlines(keepends=True)
        kept_lines = [line for line in lines if not subject.in_text(line)]
        return "".join(kept_lines), len(lines) - len(kept_lines), 0
    if not rows:
        return text, 0, 0
    header = [h.strip().lower() for h in rows[0]]
    references = {i for i, h in enumerate(header) if h in REFERENCE_COLUMNS}
    kept, removed, changed = [rows[0]], 0, 0
    for row in rows[1:]:
        if any(cell.strip().lower() in identifiers for i, cell in enumerate(row) if i not in references):
            removed += 1
            continue
        blanked = [i for i in references if i < len(row) and row[i].strip() == subject.worker_id]
        for i in blanked:
            row[i] = ""
        changed += bool(blanked)
        kept.append(row)
    if not removed and not changed:
        return text, 0, 0
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(kept)
    return out.getvalue(), removed, changed


def _erase_ingest(settings: Settings, subject: Subject) -> list[Change]:
    identifiers = sorted(subject.identifiers)
    changes = []
    with ops.connect(settings.ingest_db) as con:
        con.execute(
            "create or replace temp table erased_identifiers as select unnest(?::varchar[]) as value", [identifiers]
        )
        for qualified in PERSON_EXTRACTS:
            extract = get_extract(qualified)
            table = f"raw.{extract.raw_table}"
            strings = [c.name for c in extract.columns if c.duckdb_type.lower() == "varchar"]
            own = [c for c in strings if c not in REFERENCE_COLUMNS]
            matches = " or ".join(f'lower(trim("{c}")) in (select value from erased_identifiers)' for c in own)
            removed = con.execute(f"delete from {table} where {matches}").fetchone()[0]  # type: ignore[index]
            changed = 0
            for column in [c for c in strings if c in REFERENCE_COLUMNS]:
                changed += con.execute(  # type: ignore[index]
                    f'update {table} set "{column}" = null where trim("{column}") = ?', [subject.worker_id]
                ).fetchone()[0]
            if removed or changed:
                changes.append(Change("raw", table, removed, changed))
        # Quarantined rows keep the row as delivered and reasons quote values: match both.
        pattern = _pattern(subject)
        removed = con.execute(  # type: ignore[index]
            "delete from ops.quarantine where regexp_matches(lower(coalesce(record, '') || ' ' || reason), ?)",
            [pattern],
        ).fetchone()[0]
        if removed:
            changes.append(Change("ops", "ops.quarantine", removed))
        redacted = con.execute(  # type: ignore[index]
            "update ops.pipeline_runs set reason = regexp_replace(reason, ?, '[erased]', 'gi') "
            "where regexp_matches(lower(reason), ?)",
            [pattern, pattern],
        ).fetchone()[0]
        if redacted:
            changes.append(Change("ops", "ops.pipeline_runs.reason", 0, redacted))
    if changes:
        _compact(settings.ingest_db)
    return changes


def _pattern(subject: Subject) -> str:
    words = [re.escape(e) for e in sorted(subject.emails)]
    words.append(rf"(^|[^\w-]){re.escape(subject.worker_id.lower())}([^\w-]|$)")
    return "|".join(words)


def _erase_versions(settings: Settings, pseudonym: str) -> list[Change]:
    """Rows under the pseudonym in kept versions, so that a rollback cannot bring them back."""
    changes = []
    if not settings.versions_dir.is_dir():
        return changes
    for version in sorted(settings.versions_dir.glob("*.duckdb")):
        removed = _purge_pseudonym(version, pseudonym)
        if removed:
            _compact(version)
            changes.append(Change("version", str(version.relative_to(settings.data_dir)), removed))
    return changes


def _purge_pseudonym(path: Path, pseudonym: str) -> int:
    """Delete the pseudonym's rows from every table of ``path`` with a worker_key; the rows removed."""
    removed = 0
    with duckdb.connect(str(path)) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.columns where column_name = 'worker_key'"
        ).fetchall()
        for schema, table in tables:
            removed += con.execute(  # type: ignore[index]
                f'delete from "{schema}"."{table}" where worker_key = ?', [pseudonym]
            ).fetchone()[0]
        if removed:
            _recount_publication(con)
    return removed


def _recount_publication(con: duckdb.DuckDBPyConnection) -> None:
    """Readers check their counts against marts.publication: it must describe the file it is in."""
    try:
        counts = json.loads(con.execute("select row_counts::varchar from marts.publication").fetchone()[0])  # type: ignore[index]
    except duckdb.CatalogException:
        return
    recount = {m: con.execute(f'select count(*) from marts."{m}"').fetchone()[0] for m in counts}  # type: ignore[index]
    con.execute("update marts.publication set row_counts = ?::json", [json.dumps(recount, sort_keys=True)])


def _erase_published(settings: Settings, pseudonym: str) -> list[Change]:
    """The published warehouse without the pseudonym, swapped in as a publication is: readers keep theirs."""
    published = settings.published_db
    if not published.exists():
        return []
    staged = published.with_name(f".{published.name}.erasing")
    staged.unlink(missing_ok=True)
    shutil.copyfile(published, staged)
    removed = _purge_pseudonym(staged, pseudonym)
    if not removed:
        staged.unlink()
        return []
    _compact(staged)
    staged.replace(published)  # atomic, like a publication; never written in place
    from readiness.export import refresh_served_copies

    refresh_served_copies(settings)  # the exports and the report are copies of the published marts
    return [Change("published", str(published.relative_to(settings.data_dir)), removed)]


def _compact(path: Path) -> None:
    """Rewrite the database whole: deleted rows can survive in a DuckDB file's free blocks."""
    fresh = path.with_name(f".{path.name}.erasing")
    fresh.unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute(f"attach '{path}' as old (read_only)")
        con.execute(f"attach '{fresh}' as fresh")
        con.execute("copy from database old to fresh")
    fresh.chmod(path.stat().st_mode & 0o777)
    fresh.replace(path)


def _log(settings: Settings, erasure: Erasure) -> None:
    with ops.connect(settings.ingest_db) as con:
        con.execute(ERASURE_DDL)
        con.executemany(
            "insert into ops.erasure_log values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    erasure.erasure_id,
                    erasure.erased_at,
                    c.location_kind,
                    c.location,
                    c.rows_removed,
                    c.rows_changed,
                    c.sha256_before,
                    c.sha256_after,
                ]
                for c in erasure.changes
            ],
        )
