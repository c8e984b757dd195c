"""Serving: how a reader opens the published warehouse, and what it sees while the refresh runs.

``open_reader`` is the one way a reader-facing process opens ``readiness.duckdb`` (BI tools get the same
settings as the connection string ``reader_uri``): read-only, with external access disabled, no
extension loaded or installed, and the configuration locked, so the connection can query the marts and
nothing else: no ATTACH of the working databases, no reading of other files, no writing anywhere, and no
SET that would undo any of it.

``probe`` plays a BI tool: it opens ``readiness.duckdb`` read-only, reads which run it is looking at
(``marts.publication``) and counts every mart in the same connection, and checks the counts against
the row counts that publication recorded. A mix of two versions, a lock error or a half-written file
would show as a mismatch or an error. Run it beside a refresh (``readiness probe-readers``) to see for
yourself that readers are never blocked; the concurrent-reader test does exactly that.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import duckdb

#: The locked reader's DuckDB settings, in the order a connection string lists them. Set when the
#: database opens, so they hold before the first query; ``lock_configuration`` keeps them so.
READER_CONFIG: dict[str, str] = {
    "access_mode": "READ_ONLY",
    "enable_external_access": "false",
    "autoload_known_extensions": "false",
    "autoinstall_known_extensions": "false",
    "allow_community_extensions": "false",
    "lock_configuration": "true",
}


def open_reader(path: Path, *, writable_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A locked, read-only connection to the published warehouse ``path``.

    ``writable_dir`` lets the connection write files into that one folder (the exports, which DuckDB
    writes with COPY): it is allowed before the lock, and every other path stays closed.
    """
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: nothing has been published yet")
    config = {k: v for k, v in READER_CONFIG.items() if k not in ("enable_external_access", "lock_configuration")}
    con = duckdb.connect(str(path), config=config)
    try:
        if writable_dir is not None:
            folder = f"{writable_dir.resolve()}/".replace("'", "''")
            con.execute(f"set allowed_directories = ['{folder}']")
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def reader_uri(path: str | Path) -> str:
    """The SQLAlchemy URI (duckdb-engine) a BI tool uses for ``path``: the settings of ``open_reader``."""
    return f"duckdb:///{quote(str(path))}?{urlencode(READER_CONFIG)}"


@dataclass
class ProbeStats:
    queries: int = 0
    #: Consistent reads per published run id.
    versions: Counter[str] = field(default_factory=Counter)
    #: Reads whose counts did not match the publication they came with (a mixed version).
    mismatches: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: Reads before anything was published (no file yet): not an error, nothing to read.
    absent: int = 0
    slowest_read_s: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "queries": self.queries,
            "versions": dict(self.versions),
            "mismatches": self.mismatches[:10],
            "errors": self.errors[:10],
            "error_count": len(self.errors),
            "absent": self.absent,
            "slowest_read_s": round(self.slowest_read_s, 4),
        }


def read_once(con: duckdb.DuckDBPyConnection) -> tuple[str, dict[str, int], dict[str, int], int]:
    """(run id, recorded counts, counted rows, queries issued) from one snapshot of one connection."""
    con.execute("begin transaction")  # one snapshot for the publication row and every count
    try:
        run_id, recorded = con.execute("select run_id, row_counts::varchar from marts.publication").fetchone()  # type: ignore[misc]
        expected = json.loads(recorded)
        counted = {
            mart: con.execute(f"select count(*) from marts.{mart}").fetchone()[0]  # type: ignore[index]
            for mart in expected
        }
    finally:
        con.execute("rollback")
    return run_id, expected, counted, 1 + len(expected)


def probe(
    published: Path, seconds: float, *, hold: bool = False, stop_file: Path | None = None, pause: float = 0.01
) -> ProbeStats:
    """Read ``published`` in a loop for ``seconds`` (or until ``stop_file`` exists).

    ``hold=False`` opens, reads and closes each time (a BI tool's new query); ``hold=True`` keeps one
    connection across the refresh (a dashboard left open): it must keep seeing its version, whole.
    ``pause`` between reads leaves the CPU to the refresh being watched.
    """
    stats = ProbeStats()
    deadline = time.monotonic() + seconds
    con: duckdb.DuckDBPyConnection | None = None
    while time.monotonic() < deadline and not (stop_file and stop_file.exists()):
        started = time.perf_counter()
        try:
            if con is None:
                if not published.exists():
                    stats.absent += 1
                    time.sleep(0.05)
                    continue
                con = open_reader(published)
            run_id, expected, counted, issued = read_once(con)
            stats.queries += issued
            stats.versions[run_id] += 1
            if counted != expected:
                stats.mismatches.append(f"run {run_id}: publication says {expected}, counted {counted}")
        except Exception as exc:  # every failure is a finding, reported rather than raised
            stats.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            if con is not None and not hold:
                con.close()
                con = None
        stats.slowest_read_s = max(stats.slowest_read_s, time.perf_counter() - started)
        time.sleep(pause)
    if con is not None:
        con.close()
    return stats
