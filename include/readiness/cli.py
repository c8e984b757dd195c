"""The `readiness` command: sample data, run summary, publishing tools and the derived files of the project."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from readiness.config import Settings, disable_telemetry

if TYPE_CHECKING:
    from readiness.runs import Unmatched

app = typer.Typer(help="Generative-AI readiness warehouse: tools around the nightly pipeline.", no_args_is_help=True)
# In a log (not a terminal) Rich would wrap at 80 columns, splitting paths and run ids: wide, unwrapped.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Landing folder to write the extracts into")],
    employees: Annotated[int, typer.Option(min=10, help="Workers in the organisation")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files")] = 42,
    as_of: Annotated[str, typer.Option(help="As-of date of the latest HR snapshot (YYYY-MM-DD)")] = "2026-11-27",
    hr_snapshots: Annotated[int, typer.Option(min=1, help="Monthly HR snapshots up to the as-of date")] = 3,
    size: Annotated[
        str | None,
        typer.Option(help="Scale tier S, M or L: 1,000 / 10,000 / 100,000 workers with enterprise volumes per worker"),
    ] = None,
    nights: Annotated[int, typer.Option(min=0, help="Further nights of deliveries after the as-of date")] = 0,
) -> None:
    """Write a deterministic synthetic organisation's extracts in the contract formats."""
    from readiness.generate import SAMPLE, TIER_VOLUMES, TIERS, generate_nights, generate_organisation

    volumes = SAMPLE
    if size is not None:
        if size.upper() not in TIERS:
            raise typer.BadParameter(f"--size {size}: choose one of {', '.join(TIERS)}")
        employees, volumes = TIERS[size.upper()], TIER_VOLUMES
    summary = generate_organisation(
        out,
        employees=employees,
        seed=seed,
        as_of=date.fromisoformat(as_of),
        hr_snapshots=hr_snapshots,
        volumes=volumes,
    )
    files = dict(summary.files)
    files.update(generate_nights(out, nights=nights, seed=seed, as_of=summary.as_of))
    table = Table("file", "rows", title=f"{summary.employees} employees as of {summary.as_of} in {out}")
    for name, rows in sorted(files.items()):
        table.add_row(name, f"{rows:,}")
    console.print(table)


@app.command("generate-if-empty")
def generate_if_empty(
    employees: Annotated[int, typer.Option(min=10)] = 1000,
    seed: Annotated[int, typer.Option()] = 42,
) -> None:
    """Generate the sample into $READINESS_DATA_DIR/landing when nothing was ever delivered there."""
    settings = Settings.from_env()
    landing_has_files = settings.landing_dir.exists() and any(p.is_file() for p in settings.landing_dir.rglob("*"))
    archive_has_files = settings.archive_dir.exists() and any(p.is_file() for p in settings.archive_dir.rglob("*"))
    if landing_has_files or archive_has_files:
        console.print(f"[dim]{settings.landing_dir}: deliveries present or already loaded; no sample generated[/]")
        return
    generate(settings.landing_dir, employees=employees, seed=seed)


@app.command()
def night(
    as_of: Annotated[str, typer.Option(help="The night's logical date (YYYY-MM-DD): the as-of date of the marts")],
    log: Annotated[Path, typer.Option(help="Where `airflow dags test` writes its output")],
    dag_id: Annotated[str, typer.Option(help="The DAG to run")] = "readiness_nightly",
) -> None:
    """Run the nightly DAG once through `airflow dags test`, showing each task as it finishes."""
    from readiness.progress import TaskDone, run_night

    marks = {"success": "[green]done[/]", "skipped": "[dim]skipped[/]", "upstream_failed": "[yellow]not run[/]"}
    counts: dict[str, int] = {}

    def show(done: TaskDone) -> None:
        counts[done.state] = counts.get(done.state, 0) + 1
        if done.state == "skipped":
            return  # a night with nothing new skips over a hundred tasks: counted at the end, not listed
        took = f"{done.seconds:6.1f} s" if done.seconds is not None else "       "
        console.print(f"  {took}  {marks.get(done.state, f'[red]{done.state}[/]')}  {done.task_id}")

    console.print(f"Running {dag_id} for {as_of} (log: {log})")
    code = run_night(dag_id, as_of, log, show)
    console.print(", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "no task finished")
    if code != 0:
        console.print(f"[red]airflow dags test exited with {code}: see {log}[/]")
        raise typer.Exit(code=code)


@app.command()
def summary(
    run_id: Annotated[str | None, typer.Option(help="A run id; the latest run by default")] = None,
) -> None:
    """Print what the last run did: status, rows per mart, validation and freshness per extract."""
    from readiness.runs import summarise
    from readiness.unchanged import STATUS_UNCHANGED

    result = summarise(Settings.from_env(), run_id)
    # An unchanged night (nothing new delivered) kept the published version: not a failure.
    succeeded = result.status in ("published", STATUS_UNCHANGED)
    colour = "green" if succeeded else "red"
    console.print(
        f"Run [bold]{result.run_id}[/]: [{colour}]{result.status}[/]" + (f" - {result.reason}" if result.reason else "")
    )
    people = (
        f", people figures as of the HR snapshot of {result.published_data_as_of}"
        if result.published_data_as_of
        else ""
    )
    console.print(f"Published warehouse: {result.warehouse} (run {result.published_run_id}{people})")
    newest = ", ".join(f"{source} {day or 'never'}" for source, day in result.data_as_of.items())
    console.print(f"Data as of (newest delivery per source): {newest}")
    if result.not_configured:
        console.print(
            f"Not configured (READINESS_SOURCES): {', '.join(result.not_configured)}; nothing of it is expected"
        )
    marts = Table("mart", "rows", title="Published marts")
    for mart, rows in result.mart_rows.items():
        reason = result.unavailable_marts.get(mart)
        marts.add_row(f"marts.{mart}", f"unavailable: {reason}" if reason else f"{rows:,}")
    console.print(marts)
    for line in result.plan.values():
        console.print(f"Readiness plan: {line}")
    extracts = Table(
        "extract",
        "this run",
        "latest as-of",
        "age (days)",
        title="Validation and freshness",
        caption="loaded: new rows in force; unchanged: the same bytes as a delivery already loaded (skipped, "
        "still counts for freshness); rejected: nothing of the file loaded (see quarantine/)",
    )
    for item in result.extracts:
        outcome = ", ".join(f"{n} {s}" for s, n in sorted(item.statuses.items())) or "nothing new"
        extracts.add_row(
            item.extract,
            outcome,
            str(item.latest_as_of or "never"),
            "" if item.age_days is None else str(item.age_days),
        )
    console.print(extracts)
    _print_unmatched(result.unmatched)
    for late in result.late:
        age = f"latest as-of {late.latest_as_of}, {late.age_days} days old" if late.latest_as_of else "never delivered"
        console.print(f"[yellow]Late source: {late.source} ({age}; deadline {late.deadline_days} days)[/]")
    if not succeeded:
        raise typer.Exit(code=1)


def _print_unmatched(unmatched: Unmatched | None) -> None:
    """What the marts leave out because it matches nothing: never dropped silently."""
    if unmatched is None:
        return
    if unmatched.actor_statements:
        console.print(
            f"[yellow]Unmatched actors: {unmatched.actor_statements:,} statement(s) whose actor is no worker "
            "(intermediate.int_statements_actors_unmatched), left out of the marts[/]"
        )
    if unmatched.object_count:
        references = ", ".join(
            f"{n:,} {kind.replace('_', ' ')}(s)" for kind, n in sorted(unmatched.object_references.items())
        )
        more = (
            f" and {unmatched.object_count - len(unmatched.objects)} more"
            if unmatched.object_count > len(unmatched.objects)
            else ""
        )
        console.print(
            f"[yellow]Unmatched learning objects: {unmatched.object_count:,} object(s) match no catalogue item "
            f"({references}), left out of the marts: {', '.join(unmatched.objects)}{more}. Map LMS course ids "
            "to items in seeds/reference/lms_course_items.csv (intermediate.int_learning_objects_unmatched)[/]"
        )


@app.command("dbt-sources")
def dbt_sources(
    check: Annotated[bool, typer.Option(help="Only check that the files are up to date")] = False,
) -> None:
    """Write (or check) the dbt source YAML derived from the extract contracts."""
    from readiness import dbt_sources as derived
    from readiness.transform import project_dir

    if check:
        stale = derived.stale_files(project_dir())
        if stale:
            console.print(f"[red]stale: {', '.join(p.name for p in stale)}; run `readiness dbt-sources`[/]")
            raise typer.Exit(code=1)
        return
    for path in derived.write_all(project_dir()):
        console.print(f"wrote {path}")


@app.command()
def docs(check: Annotated[bool, typer.Option(help="Only check that the README is up to date")] = False) -> None:
    """Write (or check) the README's extract table, derived from the contracts."""
    from readiness.docs import render_readme
    from readiness.transform import project_dir

    readme = project_dir().parent / "README.md"
    text = readme.read_text()
    if check:
        if render_readme(text) != text:
            console.print("[red]README.md's extract table is stale; run `readiness docs`[/]")
            raise typer.Exit(code=1)
        return
    readme.write_text(render_readme(text))
    console.print(f"wrote the extract table of {readme}")


@app.command("init-db")
def init_db(
    path: Annotated[Path | None, typer.Argument(help="Database file; the configured one by default")] = None,
) -> None:
    """Create the ingest database with its raw and ops tables (idempotent)."""
    from readiness import ops

    target = path or Settings.from_env().ingest_db
    with ops.connect(target):
        pass
    console.print(f"ready: {target}")


@app.command("dbt-parse")
def dbt_parse() -> None:
    """Write dbt's manifest, which the DAG renders its dbt tasks from."""
    from readiness.transform import ensure_manifest

    console.print(f"wrote {ensure_manifest(Settings.from_env())}")


@app.command()
def rollback() -> None:
    """Put the previous published version back (atomically: warehouse/readiness.duckdb, or the marts schema on
    Postgres), then write the exports and the report again from it."""
    from readiness.export import refresh_served_copies
    from readiness.publish import rollback as roll_back
    from readiness.warehouse import where

    settings = Settings.from_env()
    try:
        publication = roll_back(settings)
    except FileNotFoundError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(code=1) from exc
    console.print(
        f"{where(settings)} is now run [bold]{publication.run_id}[/] (published {publication.published_at}): "
        + ", ".join(f"{m} {n:,}" for m, n in publication.row_counts.items())
    )
    exported, report = refresh_served_copies(settings)
    console.print(f"exports ({len(exported)} marts) and {report} rewritten from run {publication.run_id}")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help='SQL to run, e.g. "select * from marts.skills_coverage limit 5"')],
    database: Annotated[
        Path | None, typer.Option("--db", help="A DuckDB file; the published warehouse by default")
    ] = None,
    max_rows: Annotated[int, typer.Option(min=1, help="Rows to print at most")] = 50,
) -> None:
    """Query the published warehouse as a BI tool does: read-only, no file access, configuration locked."""
    from readiness.serve import open_reader

    path = database or Settings.from_env().published_db
    try:
        con = open_reader(path)
    except FileNotFoundError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(code=1) from exc
    try:
        result = con.execute(query)
        columns = [d[0] for d in result.description or []]
        rows = result.fetchmany(max_rows + 1)
    except Exception as exc:  # a query error is the user's to fix: say it, without a traceback
        console.print(f"[red]{type(exc).__name__}: {exc}[/]")
        raise typer.Exit(code=1) from exc
    finally:
        con.close()
    table = Table(*columns, title=str(path))
    for row in rows[:max_rows]:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)
    if len(rows) > max_rows:
        console.print(f"[dim]first {max_rows} rows shown (--max-rows)[/]")


@app.command()
def export() -> None:
    """Write every published mart to $READINESS_DATA_DIR/exports/ as Parquet and CSV."""
    from readiness.export import export_marts

    for item in export_marts(Settings.from_env()):
        console.print(f"{item.parquet} and .csv: {item.rows:,} rows")


@app.command()
def report() -> None:
    """Write the readiness report of the published warehouse to reports/ (and reports/latest.html)."""
    from readiness.report import write_report

    console.print(f"wrote {write_report(Settings.from_env()).path}")


@app.command("probe-readers")
def probe_readers(
    seconds: Annotated[float, typer.Option(help="How long to keep reading")] = 60.0,
    hold: Annotated[bool, typer.Option(help="Keep one connection open instead of one per read")] = False,
    stop_file: Annotated[Path | None, typer.Option(help="Stop as soon as this file exists")] = None,
) -> None:
    """Read the published warehouse in a loop, as a BI tool would, and print what was seen as JSON.

    Exits 1 if any read failed or saw a mix of two versions.
    """
    import json

    from readiness.serve import probe

    stats = probe(Settings.from_env().published_db, seconds, hold=hold, stop_file=stop_file)
    print(json.dumps(stats.as_dict()))
    if stats.errors or stats.mismatches:
        raise typer.Exit(code=1)


@app.command()
def erase(
    worker_id: Annotated[str, typer.Option("--worker-id", help="The HR system's worker_id of the person")],
) -> None:
    """Erase a worker's rows from landing, archive, quarantine, raw, ops and kept versions (README, Runbook)."""
    from readiness.erase import ErasureNotSupported, UnknownWorker, erase_worker

    try:
        erasure = erase_worker(Settings.from_env(), worker_id)
    except (UnknownWorker, ErasureNotSupported) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(code=1) from exc
    table = Table("layer", "where", "rows removed", "rows changed", title=f"Erasure {erasure.erasure_id}")
    for change in erasure.changes:
        table.add_row(change.location_kind, change.location, f"{change.rows_removed:,}", f"{change.rows_changed:,}")
    console.print(table)
    console.print(
        "Recorded in ops.erasure_log. The published warehouse still holds the worker's pseudonym until the next "
        "publication: re-run tonight's night now (README, Runbook: erasure)."
    )


@app.command()
def backfill(
    start: Annotated[str, typer.Option("--from", help="First night to run (as-of date, YYYY-MM-DD)")],
    end: Annotated[str, typer.Option("--to", help="Last night to run (as-of date, YYYY-MM-DD)")],
    in_process: Annotated[
        bool, typer.Option(help="Run the package functions here instead of `airflow dags test`")
    ] = False,
) -> None:
    """Catch up missed nights in order, each with its own as-of date and only the deliveries it had."""
    from datetime import timedelta

    from readiness.backfill import catch_up, run_night, run_night_with_airflow

    first, last = date.fromisoformat(start), date.fromisoformat(end)
    nights = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    outcomes = catch_up(Settings.from_env(), nights, run_night if in_process else run_night_with_airflow)
    for outcome in outcomes:
        colour = "green" if outcome.status == "published" else "red"
        console.print(f"{outcome.as_of} run {outcome.run_id}: [{colour}]{outcome.status}[/]")
        if outcome.reason:
            console.print(outcome.reason)
    if len(outcomes) < len(nights) or outcomes[-1].status != "published":
        console.print("[red]stopped: fix the failed night, then run the remaining nights again from it[/]")
        raise typer.Exit(code=1)


def main() -> None:
    disable_telemetry()
    app()


if __name__ == "__main__":
    main()
