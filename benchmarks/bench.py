"""`make bench BENCH_SIZE=S|M|L`: what a full build and a night cost, against what DuckDB alone needs.

Not a test: it prints a table and writes benchmarks/results/<tier>.json with the machine it ran on.
In one run, on the tier's generated deliveries (generated once into benchmarks/.cache/<tier>/):

- floor: one DuckDB process reading every delivered file of the base once, typed and materialised;
- full build: a fresh data root and Airflow home, all history, through the real DAG (`airflow dags test`);
- bare dbt: a plain `dbt build` of the same project on the ingest file the full build loaded;
- nightly: one further night of deliveries on top of the full build, through the DAG again;
- quiet night: the night after, with nothing delivered (it must keep the published version).

Per phase (the DAG's tasks: load, validate, dbt, audit+publish, export, report, docs) the wall time
comes from Airflow's own task records and the peak is the resident memory of the whole process tree
(the DAG run and every dbt subprocess), sampled every 0.2 s. Audit and publish are one task, so one
phase. The ratios are the figures to compare: the machine may be shared (the load average is recorded).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
AS_OF = date(2026, 11, 27)
SEED = 42
DAG_ID = "readiness_nightly"
#: phase -> how its Airflow tasks are named (the DAG's task ids).
PHASES = {
    "start": lambda t: t == "start_run",
    "load": lambda t: ".load_" in t,
    "validate": lambda t: ".validate_" in t,
    "dbt": lambda t: t == "prepare_candidate" or t.startswith("transform."),
    "audit+publish": lambda t: t == "publish",
    "export": lambda t: t == "export",
    "report": lambda t: t == "report",
    "docs": lambda t: t == "dbt_docs",
}


class TreeSampler(threading.Thread):
    """Resident memory of a process and all its descendants, sampled until stopped."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.samples = pid, interval, []  # (unix time, bytes)
        #: Per sample, the resident memory of each process of the tree by its command (which process a peak is).
        self.by_process: list[dict[str, int]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop_event.is_set():
            total, parts = 0, {}
            try:
                for proc in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        rss = proc.memory_info().rss
                        total += rss
                        name = _command(proc)
                        parts[name] = parts.get(name, 0) + rss
            except psutil.NoSuchProcess:
                break
            self.samples.append((time.time(), total))
            self.by_process.append(parts)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def peak_by_process(self, start: float = 0.0, end: float = float("inf")) -> dict[str, int]:
        """MB of each process at the largest sample in [start, end]."""
        inside = [i for i, (t, _) in enumerate(self.samples) if start <= t <= end]
        if not inside:
            return {}
        at = max(inside, key=lambda i: self.samples[i][1])
        return {name: round(rss / 2**20) for name, rss in sorted(self.by_process[at].items(), key=lambda kv: -kv[1])}

    def peak(self, start: float = 0.0, end: float = float("inf")) -> int:
        """The largest sample in [start, end]; for a span shorter than the interval, the sample just before it."""
        inside = [rss for t, rss in self.samples if start <= t <= end]
        before = [rss for t, rss in self.samples if t < start]
        return max(inside) if inside else (before[-1] if before else 0)


def _command(proc: psutil.Process) -> str:
    """A short name for a process of the tree: `airflow dags test`, `dbt build`, `dbt docs`, ..."""
    args = proc.cmdline() or [proc.name()]
    if Path(args[0]).name.startswith("python"):  # a script: name it by the script and its first argument
        args = args[1:]
    words = [Path(args[0]).name, *(a for a in args[1:2] if not a.startswith("-"))] if args else []
    return " ".join(words)[:40] or proc.name()


@dataclass
class Measured:
    wall: float
    peak: int
    returncode: int
    sampler: TreeSampler
    output: str = ""
    #: CPU seconds (user + system) of the command and every process it waited for: on a shared machine
    #: the wall time grows with the other jobs, the CPU time much less, so CPU ratios are the steadier.
    cpu: float = 0.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(cmd: list[str], env: dict[str, str], log: Path) -> Measured:
    started, cpu_before = time.perf_counter(), _children_cpu()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        returncode = proc.wait()
    sampler.stop()
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    return Measured(wall, sampler.peak(), returncode, sampler, log.read_text()[-4000:], cpu)


def generate(tier: str, cache: Path) -> dict[str, object]:
    """The tier's base deliveries and one further night, each in its own landing folder (once)."""
    done = cache / "generated.json"
    fingerprint = generator_fingerprint()
    if done.exists() and json.loads(done.read_text()).get("generator") == fingerprint:
        return json.loads(done.read_text())
    shutil.rmtree(cache, ignore_errors=True)
    everything = cache / "all"
    env = {**os.environ}
    measured = run_measured(
        [str(BIN / "readiness"), "generate", "--out", str(everything), "--size", tier, "--nights", "1"],
        env,
        cache.parent / f"generate-{tier}.log",
    )
    if measured.returncode:
        sys.exit(f"readiness generate --size {tier} failed:\n{measured.output}")
    night = (AS_OF + timedelta(days=1)).isoformat()
    for path in sorted(p for p in everything.rglob("*") if p.is_file()):
        target = cache / ("night" if f"_{night}." in path.name else "base") / path.relative_to(everything)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
    shutil.rmtree(everything)
    info = {
        "generator": fingerprint,
        "generate_s": round(measured.wall, 1),
        "generate_peak_mb": round(measured.peak / 2**20),
        "base_mb": round(sum(p.stat().st_size for p in (cache / "base").rglob("*") if p.is_file()) / 2**20, 1),
        "night_files": sorted(str(p.relative_to(cache / "night")) for p in (cache / "night").rglob("*.*")),
    }
    done.write_text(json.dumps(info, indent=2))
    return info


def generator_fingerprint() -> str:
    """A hash of the generator's code: a cached tier made by another generator is generated again."""
    package = REPO / "include" / "readiness"
    sources = sorted([package / "generate.py", *package.glob("_generate_*.py")])
    return hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:16]


FLOOR = """
import duckdb, sys
from pathlib import Path
landing = Path(sys.argv[1])
con = duckdb.connect(sys.argv[2])
rows = 0
for n, path in enumerate(sorted(p for p in landing.rglob("*") if p.is_file())):
    # JSON: types detected from every record (sample_size=-1: DuckDB reads the file twice, to detect and to load);
    # a schema sampled from the first records fails on a key that appears later (result.success).
    reader = {".csv": "read_csv('{}')", ".jsonl": "read_json('{}', sample_size=-1)",
              ".json": "read_json('{}', sample_size=-1)", ".parquet": "read_parquet('{}')"}[path.suffix]
    con.execute(f"create table t{n} as select * from " + reader.format(path))
    rows += con.execute(f"select count(*) from t{n}").fetchone()[0]
print(rows)
"""


def floor(landing: Path, work: Path) -> dict[str, float]:
    """One DuckDB process reading every delivered file once, typed (auto-detected) and materialised."""
    db = work / "floor.duckdb"
    measured = run_measured([sys.executable, "-c", FLOOR, str(landing), str(db)], dict(os.environ), work / "floor.log")
    if measured.returncode:
        sys.exit(f"floor failed:\n{measured.output}")
    db.unlink()
    return {
        "wall_s": round(measured.wall, 1),
        "cpu_s": round(measured.cpu, 1),
        "peak_mb": round(measured.peak / 2**20),
        "rows": int(measured.output.split()[-1]),
    }


def environment(work: Path) -> dict[str, str]:
    from readiness.service import dags_test_environment

    home = work / "airflow_home"
    env = dags_test_environment(work / "data", home, pseudonym_key="bench-key-0001")
    env["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
    return env


def _utc(text: str) -> float:
    """Airflow's SQLite timestamps are naive UTC."""
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


@dataclass
class Run:
    wall: float
    peak: int
    phases: dict[str, dict[str, float]] = field(default_factory=dict)
    dbt_span: float = 0.0
    dbt_build: float = 0.0  # the one task running `dbt build` (cosmos's producer): the rest of the span is Airflow's
    tasks: int = 0
    cpu: float = 0.0
    task_s: float = 0.0  # the tasks' own time: the run's work beyond Airflow's start-up


def dag_run(env: dict[str, str], logical_date: date, log: Path) -> Run:
    """`airflow dags test` of the nightly DAG, with the wall time and peak memory of each phase."""
    measured = run_measured([str(BIN / "airflow"), "dags", "test", DAG_ID, logical_date.isoformat()], env, log)
    if measured.returncode:
        sys.exit(f"airflow dags test {logical_date} failed (log: {log}):\n{measured.output[-1500:]}")
    db = Path(env["AIRFLOW_HOME"]) / "airflow.db"
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "select ti.task_id, ti.start_date, ti.end_date from task_instance ti join dag_run dr "
            "on ti.dag_id = dr.dag_id and ti.run_id = dr.run_id "
            # A skipped task did no work (on a quiet night, every dbt task): it is not part of any phase.
            "where dr.logical_date like ? and ti.start_date is not null and ti.state <> 'skipped'",
            (f"{logical_date.isoformat()}%",),
        ).fetchall()
    run = Run(measured.wall, measured.peak, tasks=len(rows), cpu=measured.cpu)
    run.task_s = sum(_utc(e) - _utc(s) for _, s, e in rows if e)
    run.dbt_build = sum(_utc(e) - _utc(s) for t, s, e in rows if e and t.endswith(("producer_watcher", ".build")))
    for phase, belongs in PHASES.items():
        spans = [(_utc(s), _utc(e)) for t, s, e in rows if belongs(t) and e]
        if not spans:
            continue
        run.phases[phase] = {
            "wall_s": round(sum(e - s for s, e in spans), 1),
            "peak_mb": round(max(measured.sampler.peak(s, e) for s, e in spans) / 2**20),
            "tasks": len(spans),
        }
        highest = max(spans, key=lambda span: measured.sampler.peak(*span))
        run.phases[phase]["peak_by_process_mb"] = measured.sampler.peak_by_process(*highest)
        if phase == "dbt":
            run.dbt_span = max(e for _, e in spans) - min(s for s, _ in spans)
    return run


def bare_dbt(env: dict[str, str], work: Path) -> Measured:
    """A plain `dbt build` of the same project on the ingest file the full build loaded."""
    from readiness.config import Settings
    from readiness.transform import dbt_env, dbt_vars

    scratch = work / "bare-candidate.duckdb"
    settings = Settings(work / "data")  # where the full build loaded (it knows the working folder's layout)
    # A fresh candidate and build state: the bare build is a full build, as the first night's was.
    state = Path(f"{scratch}.state")
    env = {**env, **dbt_env(settings, AS_OF.isoformat())}
    env.update(READINESS_CANDIDATE_DB=str(scratch), READINESS_STATE_DB=str(state))
    project = REPO / "dbt_project"
    cmd = [str(BIN / "dbt"), "build", "--project-dir", str(project), "--profiles-dir", str(project)]
    cmd += ["--target-path", str(work / "bare-target"), "--vars", json.dumps(dbt_vars(settings))]
    measured = run_measured(cmd, env, work / "bare-dbt.log")
    if measured.returncode:
        sys.exit(f"bare dbt build failed:\n{measured.output}")
    scratch.unlink(missing_ok=True)
    state.unlink(missing_ok=True)
    return measured


def slowest_nodes(work: Path, count: int = 12) -> list[dict[str, object]]:
    """The bare build's slowest models, seeds and tests (dbt's run_results.json): where a full build's time goes."""
    results = json.loads((work / "bare-target" / "run_results.json").read_text())["results"]
    ranked = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:count]
    return [{"node": r["unique_id"], "s": round(r["execution_time"], 1)} for r in ranked]


def last_run_status(work: Path) -> str:
    """What the last run recorded in ops.pipeline_runs: `unchanged` for a night that kept the published version."""
    from readiness.config import Settings
    from readiness.runs import summarise

    return str(summarise(Settings(work / "data")).status)


def machine() -> dict[str, object]:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if "model name" in line
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor()
    )
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }


def table(result: dict) -> str:
    full, night = result["full_build"], result["nightly"]
    lines = [
        f"readiness bench, tier {result['tier']} ({result['employees']:,} workers, {result['base_mb']} MB delivered)",
        f"{'phase':<14}{'full s':>9}{'full MB':>9}{'night s':>9}{'night MB':>9}",
    ]
    for phase in PHASES:
        cells = [run["phases"].get(phase, {}).get(key, "-") for run in (full, night) for key in ("wall_s", "peak_mb")]
        lines.append(f"{phase:<14}" + "".join(f"{cell:>9}" for cell in cells))
    lines.append(f"{'whole run':<14}{full['wall_s']:>9}{full['peak_mb']:>9}{night['wall_s']:>9}{night['peak_mb']:>9}")
    lines.append(f"{'whole run CPU s':<14}{full['cpu_s']:>9}{'':>9}{night['cpu_s']:>9}")
    fl, ratios, quiet = result["floor"], result["ratios"], result["quiet_night"]
    lines += [
        f"floor (DuckDB reads every file once): {fl['wall_s']} s, {fl['peak_mb']} MB, {fl['rows']:,} rows",
        f"bare dbt build: {result['bare_dbt']['wall_s']} s, {result['bare_dbt']['peak_mb']} MB; "
        f"dbt through Airflow+cosmos: {full['dbt_span_s']} s ({ratios['dbt_airflow_over_bare']}x bare; "
        f"the task running `dbt build` {full['dbt_build_task_s']} s, the rest Airflow's node tasks)",
        f"full build / floor: {ratios['full_over_floor']}x; nightly / full build: {ratios['nightly_over_full']}x",
        f"in CPU seconds: full build / floor {ratios['full_over_floor_cpu']}x; "
        f"nightly / full build {ratios['nightly_over_full_cpu']}x",
        f"quiet night (nothing delivered): {quiet['status']}, {quiet['task_s']} s of task time, "
        f"{quiet['wall_s']} s with Airflow's start-up",
        f"load average before/after: {result['load_before']} / {result['load_after']}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["S", "M", "L"], default="S")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results", help="where <tier>.json goes")
    args = parser.parse_args()
    tier = args.size
    bench = REPO / "benchmarks"
    cache, work = bench / ".cache" / tier, bench / ".work" / tier
    (bench / ".cache").mkdir(parents=True, exist_ok=True)
    load_before = [round(x, 2) for x in os.getloadavg()]
    generated = generate(tier, cache)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result_floor = floor(cache / "base", work)

    env = environment(work)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True)
    from readiness import service

    service.init_metadata(env, work / "init.log")
    subprocess.run([str(BIN / "readiness"), "dbt-parse"], env=env, check=True, capture_output=True)
    from readiness.config import Settings

    landing = Settings(work / "data").landing_dir
    shutil.copytree(cache / "base", landing)
    full = dag_run(env, AS_OF, work / "full-build.log")
    bare = bare_dbt(env, work)
    shutil.copytree(cache / "night", landing, dirs_exist_ok=True)
    night = dag_run(env, AS_OF + timedelta(days=1), work / "nightly.log")
    quiet = dag_run(env, AS_OF + timedelta(days=2), work / "quiet-night.log")
    quiet_status = last_run_status(work)

    from readiness.generate import TIERS

    def summary(run: Run) -> dict[str, object]:
        return {
            "wall_s": round(run.wall, 1),
            "cpu_s": round(run.cpu, 1),
            "peak_mb": round(run.peak / 2**20),
            "tasks": run.tasks,
            "dbt_span_s": round(run.dbt_span, 1),
            "dbt_build_task_s": round(run.dbt_build, 1),
            "task_s": round(run.task_s, 1),
            "phases": run.phases,
        }

    result = {
        "tier": tier,
        "employees": TIERS[tier],
        "as_of": AS_OF.isoformat(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip(),
        "machine": machine(),
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        **generated,
        "floor": result_floor,
        "full_build": summary(full),
        "bare_dbt": {
            "wall_s": round(bare.wall, 1),
            "cpu_s": round(bare.cpu, 1),
            "peak_mb": round(bare.peak / 2**20),
            "slowest": slowest_nodes(work),
        },
        "nightly": summary(night),
        "quiet_night": {**summary(quiet), "status": quiet_status},
        "ratios": {
            "full_over_floor": round(full.wall / result_floor["wall_s"], 1),
            "nightly_over_full": round(night.wall / full.wall, 2),
            "dbt_airflow_over_bare": round(full.dbt_span / bare.wall, 2),
            # The same in CPU seconds (whole runs: Airflow's task CPU is not split by phase).
            "full_over_floor_cpu": round(full.cpu / max(result_floor["cpu_s"], 0.1), 1),
            "nightly_over_full_cpu": round(night.cpu / full.cpu, 2),
        },
    }
    out = args.results.resolve() / f"{tier}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    print(f"written: {out}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
