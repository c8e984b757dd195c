"""Readers are never blocked: BI-like processes read readiness.duckdb in a loop while new versions are published.

Two reader processes (`readiness probe-readers`): one opens, reads and closes per query, like a BI
tool's new query; one holds a single connection across every swap, like a dashboard left open. Each
read takes marts.publication's run id and recorded row counts and counts every mart in the same
transaction. The writer publishes freshly built candidates meanwhile. Every read must come from exactly
one published version, no read may fail, and no publish may fail or wait: DuckDB does not queue a
second process on a lock, it refuses it, so "no error in the writer" is "the writer never waited".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from readiness.audit import Bounds
from readiness.config import Settings
from readiness.publish import publish
from tests.marts_data import build_candidate

BIN = Path(sys.executable).parent
PUBLICATIONS = 4
LOOSE = Bounds(max_row_drop=0.99, max_total_change=100)


def _reader(settings: Settings, stop: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "READINESS_DATA_DIR": str(settings.data_dir)}
    return subprocess.Popen(
        [str(BIN / "readiness"), "probe-readers", "--seconds", "600", "--stop-file", str(stop), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_readers_see_one_whole_version_and_never_block_the_writer(settings: Settings, tmp_path: Path) -> None:
    build_candidate(settings.candidate_db, scale=1)
    publish(settings, "run-0", "2026-11-27", LOOSE)
    stop = tmp_path / "stop"
    per_query, holding = _reader(settings, stop), _reader(settings, stop, "--hold")
    time.sleep(3)  # both readers are up and reading version run-0

    published, timings = ["run-0"], []
    for n in range(1, PUBLICATIONS + 1):
        build_candidate(settings.candidate_db, scale=1 + n % 2)  # each version has other row counts
        started = time.perf_counter()
        publication = publish(settings, f"run-{n}", "2026-11-28", LOOSE)
        timings.append((time.perf_counter() - started, publication.swap_seconds))
        published.append(publication.run_id)
        time.sleep(0.5)
    stop.touch()
    results = {}
    for name, process in (("per_query", per_query), ("holding", holding)):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, f"{name}: {out}{err[-2000:]}"
        results[name] = json.loads(out.strip().splitlines()[-1])

    report = {
        "publish_seconds": [round(total, 2) for total, _ in timings],
        "swap_seconds": [round(swap, 4) for _, swap in timings],
        **{
            name: {k: r[k] for k in ("queries", "versions", "error_count", "slowest_read_s")}
            for name, r in results.items()
        },
    }
    print("\nconcurrent readers:", json.dumps(report))
    for name, result in results.items():
        assert result["error_count"] == 0 and result["errors"] == [], (name, result["errors"])
        assert result["mismatches"] == [], (name, result["mismatches"])
        assert result["queries"] > 0
        assert set(result["versions"]) <= set(published), (name, result["versions"])
    # The per-query reader read across the swaps: it saw several versions, each of them whole.
    assert len(results["per_query"]["versions"]) >= 3, results["per_query"]["versions"]
    # A connection held open keeps reading the version it opened, whole, while others are published.
    assert set(results["holding"]["versions"]) == {"run-0"}
    # The swap is a link and a rename: far below anything a reader could make it wait for.
    assert max(swap for _, swap in timings) < 1.0, timings
