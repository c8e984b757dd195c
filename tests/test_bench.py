"""`make bench` at tier S, as the smoke test issue 10 asks of `make test`: it runs end to end and writes the
results it promises. No time is asserted (a benchmark, not a timed test); what must hold whatever the machine:
every phase ran, the quiet night kept the published version, and the floor read every row of the base files
(counted here from the files, by another route than DuckDB's).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]


def _data_rows(path: Path) -> int:
    """Rows of one delivered file, read with the standard library or pyarrow."""
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip())
    if path.suffix == ".json":
        return 1  # the catalogue: DuckDB reads the document as one row
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def test_bench_at_tier_s_runs_every_phase_and_writes_its_results(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "benchmarks/bench.py", "--size", "S", "--results", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "full build / floor" in result.stdout
    measured = json.loads((tmp_path / "S.json").read_text())

    assert measured["tier"] == "S" and measured["machine"]["cpus"] >= 1
    base = REPO / "benchmarks" / ".cache" / "S" / "base"
    assert measured["floor"]["rows"] == sum(_data_rows(p) for p in base.rglob("*") if p.is_file())
    for run in ("full_build", "nightly"):
        phases = measured[run]["phases"]
        assert {"load", "validate", "dbt", "audit+publish", "export", "report"} <= set(phases), (run, phases)
        assert all(phase["wall_s"] >= 0 and phase["peak_mb"] > 0 for phase in phases.values())
    assert measured["nightly"]["phases"]["load"]["tasks"] >= 1
    assert measured["quiet_night"]["status"] == "unchanged", "a night with nothing delivered must keep the version"
    # prepare_candidate decides the night is unchanged; the task running `dbt build` must not run.
    assert measured["quiet_night"]["dbt_build_task_s"] == 0, "nothing new: dbt must not run"
    assert measured["quiet_night"]["phases"].get("dbt", {"tasks": 0})["tasks"] <= 1
    assert measured["bare_dbt"]["slowest"], "the bare build's slowest nodes are recorded"
