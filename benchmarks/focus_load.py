"""Load time and peak memory of the loader on the real FOCUS sample and on a 1-million-row FOCUS file.

Not a test: run it by hand (``.venv/bin/python benchmarks/focus_load.py``) and read the table. Each
measurement runs in its own process so that its peak resident memory (VmHWM) is its own. The
baseline is DuckDB's plain ``read_csv`` of the same file into a table, measured in the same run on the
same machine, so the ratios mean something on another machine too. The 1M-row file repeats the
sample's 1,000 rows 1,000 times (same columns, NULL literals and tags), written once into a work folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "fixtures" / "focus-1.0-sample" / "focus_sample.csv"


def make_million(sample: Path, target: Path) -> Path:
    if not target.exists():
        duckdb.sql(
            f"copy (select s.* from read_csv('{sample}', all_varchar = true, nullstr = 'NULL') as s, range(1000)) "
            f"to '{target}' (header, nullstr 'NULL')"
        )
    return target


def _measure_baseline(path: Path, work: Path) -> dict[str, float]:
    started = time.perf_counter()
    con = duckdb.connect(str(work / "baseline.duckdb"))
    rows = con.execute(
        f"create table focus as select * from read_csv('{path}', nullstr = 'NULL'); select count(*) from focus"
    ).fetchone()[0]
    con.close()
    return {"rows": rows, "load_s": time.perf_counter() - started}


def _settings(work: Path) -> Any:
    os.environ["READINESS_DATA_DIR"] = str(work / "data")
    from readiness.config import Settings

    return Settings.from_env()


def _measure_loader(path: Path, work: Path) -> dict[str, float]:
    from readiness.contracts import CLOUD_COSTS
    from readiness.ingest import load_extract

    settings = _settings(work)
    settings.ensure_dirs()
    landing = settings.landing_dir / "finance" / "cloud_costs"
    landing.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, landing / "cloud_costs_2024-09-30.csv")
    started = time.perf_counter()
    report = load_extract(settings, CLOUD_COSTS)
    outcome = report.files[0]
    assert outcome.rows_read == outcome.rows_loaded + outcome.rows_quarantined
    return {"rows": outcome.rows_loaded, "load_s": time.perf_counter() - started}


def _measure_validation(path: Path, work: Path) -> dict[str, float]:
    """Validation of what the loader's process loaded into ``work``, in a process of its own (its own peak)."""
    from readiness.contracts import CLOUD_COSTS
    from readiness.validate import validate_extract

    started = time.perf_counter()
    report = validate_extract(_settings(work), CLOUD_COSTS)
    assert report.success
    return {"validate_s": time.perf_counter() - started}


def _peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and
    exec, so a child would report the parent's peak (the parent wrote the 1M-row file)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(kind: str, path: Path, work: Path) -> None:
    """One measurement in this process; prints its result and peak RSS as JSON."""
    measure = {"baseline": _measure_baseline, "loader": _measure_loader, "validate": _measure_validation}[kind]
    work.mkdir(parents=True, exist_ok=True)
    result = measure(path, work)
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result))


def _run(kind: str, path: Path, work: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), str(work)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "readiness-bench")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "WORK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    files = {"real sample (1,000 rows)": SAMPLE, "1M rows": make_million(SAMPLE, args.work / "focus_1m.csv")}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}")
    print(
        "| file | MB | loader load s | loader validate s | load peak MB | validate peak MB | duckdb read_csv s "
        "| duckdb peak MB | time ratio | memory ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, path in files.items():
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as scratch:
            base = _run("baseline", path, Path(scratch) / "baseline")
            ours = _run("loader", path, Path(scratch) / "loader")
            checked = _run("validate", path, Path(scratch) / "loader")
        print(
            f"| {label} | {path.stat().st_size / 1e6:.1f} | {ours['load_s']:.2f} | {checked['validate_s']:.2f} | "
            f"{ours['peak_rss_mb']:.0f} | {checked['peak_rss_mb']:.0f} | {base['load_s']:.2f} | "
            f"{base['peak_rss_mb']:.0f} | {ours['load_s'] / base['load_s']:.1f}x | "
            f"{max(ours['peak_rss_mb'], checked['peak_rss_mb']) / base['peak_rss_mb']:.1f}x |"
        )


if __name__ == "__main__":
    main()
