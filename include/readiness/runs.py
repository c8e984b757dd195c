"""Runs: the record of each pipeline run (``ops.pipeline_runs``), source freshness and the run summary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from readiness import ops, plan_headlines, warehouse
from readiness.config import Settings
from readiness.contracts import EXTRACTS, Extract


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def start_run(settings: Settings, run_id: str, as_of_date: date) -> None:
    settings.ensure_dirs()
    with _ops(settings) as con:
        # delete + insert rather than DuckDB's `insert or replace`: the same SQL runs on Postgres.
        con.execute("begin")
        con.execute("delete from ops.pipeline_runs where run_id = ?", [run_id])
        con.execute(
            "insert into ops.pipeline_runs (run_id, as_of_date, started_at, status) values (?, ?, ?, ?)",
            [run_id, as_of_date, _now(), "running"],
        )
        con.execute("commit")


@contextmanager
def _ops(settings: Settings, *, read_only: bool = False) -> Iterator[Any]:
    """The ops tables of the configured warehouse (readiness.warehouse), taking ``?`` parameters."""
    with warehouse.connect(settings, read_only=read_only) as con:
        yield con


def finish_run(
    settings: Settings,
    run_id: str,
    *,
    published: bool,
    row_counts: dict[str, int] | None = None,
    failed_task: str | None = None,
    reason: str | None = None,
) -> None:
    with _ops(settings) as con:
        con.execute(
            "update ops.pipeline_runs set finished_at = ?, status = ?, published = ?, failed_task = ?, reason = ?, "
            "row_counts = coalesce(?, row_counts) where run_id = ?",
            [
                _now(),
                _status(published, failed_task),
                published,
                failed_task,
                reason,
                json.dumps(row_counts) if row_counts is not None else None,
                run_id,
            ],
        )


def record_task_failure(settings: Settings, run_id: str, *, task_id: str, try_number: int | None, reason: str) -> None:
    """One row per failed task (and try) in ``ops.task_failures``; ``pipeline_runs`` names the first one,
    which is the cause the others (if any) did not wait on."""
    with _ops(settings) as con:
        con.execute(
            "insert into ops.task_failures values (?, ?, ?, ?, ?)", [run_id, task_id, try_number, _now(), reason]
        )
        first = con.execute(
            "select task_id, reason from ops.task_failures where run_id = ? order by failed_at limit 1", [run_id]
        ).fetchone()
    finish_run(
        settings,
        run_id,
        # A step after the swap (export, report, docs) failing does not unpublish the warehouse.
        published=was_published(settings, run_id),
        failed_task=first[0] if first else task_id,
        reason=first[1] if first else reason,
    )


def failed_tasks(settings: Settings, run_id: str) -> list[tuple[str, str]]:
    """(task, reason) of every task that failed in ``run_id``, in order, its last try only."""
    with _ops(settings, read_only=True) as con:
        # A subquery rather than DuckDB's `qualify`: the same SQL runs on Postgres.
        return [
            (task, reason)
            for task, reason, _ in con.execute(
                "select task_id, reason, failed_at from (select task_id, reason, failed_at, row_number() over "
                "(partition by task_id order by failed_at desc) as newest from ops.task_failures where run_id = ?) "
                "as tries where newest = 1 order by failed_at",
                [run_id],
            ).fetchall()
        ]


def _status(published: bool, failed_task: str | None) -> str:
    if not published:
        return "failed"
    # The new warehouse is live, but a step after it (exports, report, docs) failed: say so loudly.
    return "published_with_errors" if failed_task else "published"


def was_published(settings: Settings, run_id: str) -> bool:
    with _ops(settings, read_only=True) as con:
        row = con.execute("select published from ops.pipeline_runs where run_id = ?", [run_id]).fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class Freshness:
    extract: str
    latest_as_of: date | None
    age_days: int | None
    new_this_run: int
    statuses: dict[str, int]


@dataclass(frozen=True)
class LateSource:
    """A source whose newest delivery (of any of its extracts) is older than its deadline, or never came."""

    source: str
    deadline_days: int
    latest_as_of: date | None
    age_days: int | None


def late_sources(settings: Settings, as_of: date, items: list[Freshness]) -> list[LateSource]:
    """Sources past their deadline (``Settings.freshness_deadline``). A source is judged by its newest
    delivery of any extract: finance sends GL and cloud costs monthly but a budget once or twice a year."""
    late = []
    for source in settings.enabled_sources:  # a source not configured is never late: nothing of it is expected
        delivered = [i.latest_as_of for i in items if i.extract.split("/")[0] == source and i.latest_as_of]
        latest = max(delivered, default=None)
        age = (as_of - latest).days if latest else None
        deadline = settings.freshness_deadline(source)
        if age is None or age > deadline:
            late.append(LateSource(source, deadline, latest, age))
    return late


@dataclass(frozen=True)
class Unmatched:
    """What the last build left out of the marts because it matches nothing, from the build state's
    intermediate models (never served): statements whose actor is no worker, and learning objects
    (statement objects, course activity contents) that are no catalogue item."""

    actor_statements: int
    #: referred_by (xapi_statement, course_activity) -> references to unmatched objects.
    object_references: dict[str, int]
    #: The unmatched objects most referred to, most first (course urls or ids: no personal data).
    objects: tuple[str, ...]
    object_count: int


#: How many unmatched objects the summary names; the intermediate model lists them all.
UNMATCHED_OBJECTS_SHOWN = 5


def unmatched(settings: Settings) -> Unmatched | None:
    """The counts of int_statements_actors_unmatched and int_learning_objects_unmatched in the build state."""
    if not settings.state_db.exists():
        return None
    try:
        with duckdb.connect(str(settings.state_db), read_only=True) as con:
            actors = con.execute("select count(*) from intermediate.int_statements_actors_unmatched").fetchone()
            references = dict(
                con.execute(
                    "select referred_by, sum(reference_count) from intermediate.int_learning_objects_unmatched "
                    "group by referred_by"
                ).fetchall()
            )
            objects = con.execute(
                "select object_id from intermediate.int_learning_objects_unmatched group by object_id "
                "order by sum(reference_count) desc, object_id"
            ).fetchall()
    except duckdb.Error:  # a build in progress holds the file, or none has built these models yet
        return None
    return Unmatched(
        actors[0] if actors else 0,
        {k: int(v) for k, v in references.items()},
        tuple(o for (o,) in objects[:UNMATCHED_OBJECTS_SHOWN]),
        len(objects),
    )


@dataclass
class RunSummary:
    run_id: str | None
    status: str | None
    reason: str | None
    warehouse: str
    published_run_id: str | None
    published_data_as_of: date | None = None
    mart_rows: dict[str, int] = field(default_factory=dict)
    #: mart -> the readiness plan's headline of it (readiness.plan_headlines), from the published version.
    plan: dict[str, str] = field(default_factory=dict)
    extracts: list[Freshness] = field(default_factory=list)
    late: list[LateSource] = field(default_factory=list)
    #: Sources of the contracts this installation does not have (READINESS_SOURCES): nothing of them expected.
    not_configured: tuple[str, ...] = ()
    #: Marts the published version carries empty because their source is not configured, with the reason.
    unavailable_marts: dict[str, str] = field(default_factory=dict)
    #: What the marts leave out, as the last build counted it (``unmatched``); None before any build.
    unmatched: Unmatched | None = None

    @property
    def data_as_of(self) -> dict[str, date | None]:
        """Per source, the as-of date of its newest delivery: what the data describes, which is not the run's
        logical date (HR's snapshot of the 27th may arrive and be published on the 30th)."""
        newest: dict[str, date | None] = {}
        for item in self.extracts:
            source = item.extract.split("/")[0]
            known = [d for d in (newest.get(source), item.latest_as_of) if d]
            newest[source] = max(known, default=None)
        return newest


def freshness(con: Any, as_of: date, run_id: str | None, extracts: tuple[Extract, ...] = EXTRACTS) -> list[Freshness]:
    """How old each of ``extracts``' latest loaded delivery is, and what this run received of it.

    ``con``: either warehouse's ops (readiness.warehouse.connect); ``?`` parameters, plain SQL both run.
    """
    result = []
    for extract in extracts:
        # A re-sent unchanged file is still a delivery: it counts for freshness, not as new rows.
        latest = con.execute(
            "select max(as_of_date) from (select as_of_date from ops.load_manifest where source = ? and "
            "extract = ? and status = ? union all select as_of_date from ops.duplicate_deliveries "
            "where source = ? and extract = ?) as delivered",
            [extract.source, extract.name, ops.STATUS_LOADED, extract.source, extract.name],
        ).fetchone()[0]
        statuses = dict(
            con.execute(
                "select status, count(*) from (select status from ops.load_manifest where source = ? and "
                "extract = ? and run_id = ? union all select 'unchanged' from ops.duplicate_deliveries "
                "where source = ? and extract = ? and run_id = ?) as received group by status",
                [extract.source, extract.name, run_id, extract.source, extract.name, run_id],
            ).fetchall()
        )
        result.append(
            Freshness(
                extract.qualified_name,
                latest,
                (as_of - latest).days if latest else None,
                sum(statuses.values()),
                statuses,
            )
        )
    return result


def summarise(settings: Settings, run_id: str | None = None) -> RunSummary:
    """The last run (or ``run_id``): status, rows per published mart, validation and freshness per extract."""
    with _ops(settings, read_only=True) as con:
        query = "select run_id, status, reason, as_of_date from ops.pipeline_runs "
        row = (
            con.execute(query + "where run_id = ?", [run_id]).fetchone()
            if run_id
            else con.execute(query + "order by started_at desc limit 1").fetchone()
        )
        run_id, status, reason, as_of = row if row else (None, None, None, date.today())
        configured = tuple(e for e in EXTRACTS if settings.source_enabled(e.source))
        extracts = freshness(con, as_of, run_id, configured)
    summary = RunSummary(
        run_id,
        status,
        reason,
        warehouse.where(settings),
        None,
        extracts=extracts,
        late=late_sources(settings, as_of, extracts),
        not_configured=settings.disabled_sources,
        unmatched=unmatched(settings),
    )
    if warehouse.has_published(settings):
        with warehouse.published_marts(settings) as pub:
            cursor = pub.execute("select * from marts.publication")
            publication = dict(zip([d[0] for d in cursor.description or []], cursor.fetchone() or (), strict=False))
            summary.published_run_id = publication.get("run_id")
            # Versions published before the column existed (a rollback can bring one back) have none.
            summary.published_data_as_of = publication.get("data_as_of_date")
            unavailable = publication.get("unavailable_marts")
            summary.unavailable_marts = json.loads(unavailable) if isinstance(unavailable, str) else {}
            tables = pub.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and table_name <> 'publication' order by 1"
            ).fetchall()
            summary.mart_rows = {
                t: pub.execute(f"select count(*) from marts.{t}").fetchone()[0]  # type: ignore[index]
                for (t,) in tables
            }
            summary.plan = plan_headlines.headlines(pub)
    return summary
