"""Alerts of the unattended nightly, sent through Airflow's notifiers: at most one message per kind a night.

Two kinds of message, each listing everything of its kind at once (never one message per row):

- **failed run** (DAG ``on_failure_callback``): the failing task, its reason in the words of the step that
  failed, what to do, and the sources past their freshness deadline;
- **night digest** (task after publish): the sources past their freshness deadline and the budget
  thresholds (50/80/100 %, the mart's ``threshold_reached``) newly crossed since the last publication.

Both go by e-mail, and to a Slack-compatible incoming webhook when its Airflow connection exists.
``ops.alerts_sent`` records what was sent per run and channel, so a retried task or callback never sends
twice. No message carries personal data: sources, extracts, cost centres, amounts, task ids and reasons.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb

from readiness import warehouse
from readiness.config import Settings
from readiness.runs import LateSource

log = logging.getLogger(__name__)

KIND_FAILED = "failed_run"
KIND_NIGHT = "night_digest"

ALERTS_DDL = """
create table if not exists ops.alerts_sent (
    run_id varchar not null,
    kind varchar not null,             -- failed_run, night_digest
    channel varchar not null,          -- email, webhook
    subject varchar not null,
    recipients varchar not null,       -- the addresses, or the webhook's connection id
    sent_at timestamp not null,
    primary key (run_id, kind, channel)
)
"""
CHANNEL_EMAIL = "email"
CHANNEL_WEBHOOK = "webhook"


def _alerts_table(con: Any) -> None:
    """Create ops.alerts_sent; a table of before the webhook channel (keyed by run and kind) is rebuilt."""
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'ops' and table_name = 'alerts_sent'"
        ).fetchall()
    }
    if columns and "channel" not in columns:
        con.execute("alter table ops.alerts_sent rename to alerts_sent_before_channels")
        con.execute(ALERTS_DDL)
        con.execute(
            "insert into ops.alerts_sent select run_id, kind, 'email', subject, recipients, sent_at "
            "from ops.alerts_sent_before_channels"
        )
        con.execute("drop table ops.alerts_sent_before_channels")
    con.execute(ALERTS_DDL)


@dataclass(frozen=True)
class Crossing:
    """A budget line whose spend reached a higher alert threshold than at the last publication."""

    fiscal_year: int
    fiscal_quarter: int
    cost_center_id: str
    category: str
    threshold: float
    previous_threshold: float
    budget_amount: float
    actual_amount: float
    forecast_amount: float
    currency: str


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    html: str


def late_sources(settings: Settings, as_of: date, run_id: str | None) -> list[LateSource]:
    """Sources past their freshness deadline tonight (the same verdict as `readiness summary`)."""
    from readiness.runs import freshness
    from readiness.runs import late_sources as judged

    with warehouse.connect(settings, read_only=True) as con:
        return judged(settings, as_of, freshness(con, as_of, run_id))


def previous_publication(settings: Settings) -> Path | None:
    """The version the current publication replaced (the newest kept version), if any."""
    from readiness.publish import _versions

    versions = _versions(settings)
    return versions[-1] if versions else None


_BUDGET_LINES = (
    "select fiscal_year, fiscal_quarter, cost_center_id, category, "
    "coalesce(threshold_reached, 0)::double precision, budget_amount::double precision, "
    "actual_amount::double precision, forecast_amount::double precision, currency from {table}"
)
_REACHED = " where threshold_reached > 0 order by 1, 2, 3, 4"


def new_crossings(current: Path, previous: Path | None) -> list[Crossing]:
    """Budget lines of ``current`` at a higher threshold than in ``previous`` (every reached one if none)."""
    with duckdb.connect(str(current), read_only=True) as con:
        rows = con.execute(_BUDGET_LINES.format(table="marts.budget_vs_spend") + _REACHED).fetchall()
        before: dict[tuple[Any, ...], float] = {}
        if previous is not None and previous.exists():
            con.execute(f"attach '{previous}' as previous (read_only)")
            lines = con.execute(_BUDGET_LINES.format(table="previous.marts.budget_vs_spend")).fetchall()
            before = {tuple(r[:4]): r[4] for r in lines}
    return _crossed(rows, before)


def _crossed(rows: list[tuple[Any, ...]], before: dict[tuple[Any, ...], float]) -> list[Crossing]:
    return [
        Crossing(*row[:4], row[4], before.get(tuple(row[:4]), 0.0), *row[5:])  # type: ignore[arg-type]
        for row in rows
        if row[4] > before.get(tuple(row[:4]), 0.0)
    ]


def tonights_crossings(settings: Settings) -> list[Crossing]:
    """New crossings of the published version against the one it replaced, in the configured warehouse
    (on Postgres the replaced version is the newest kept schema, readiness.pg)."""
    if not warehouse.is_postgres(settings):
        return new_crossings(settings.published_db, previous_publication(settings))
    from readiness import pg

    versions = pg.kept_versions(settings)
    with pg.connect(settings) as con:
        rows = con.execute(_BUDGET_LINES.format(table=f"{pg.PUBLISHED_SCHEMA}.budget_vs_spend") + _REACHED).fetchall()
        before: dict[tuple[Any, ...], float] = {}
        if versions:
            lines = con.execute(_BUDGET_LINES.format(table=f'"{versions[-1]}".budget_vs_spend')).fetchall()
            before = {tuple(r[:4]): r[4] for r in lines}
    return _crossed(rows, before)


#: What the person on call does, by the failing task (its id without the task group, or the group).
ADVICE: dict[str, str] = {
    "load": "A delivery could not be loaded (the reason names the file; it was moved to quarantine/). Ask the "
    "source's owner for a corrected file, put it in landing/<source>/<extract>/ and re-run the night "
    "(README, Runbook: catching up).",
    "validate": "A delivery failed its Great Expectations suite (the reason names the expectation). Ask the "
    "source's owner for a corrected file, put it in landing/ and re-run the night (README, Runbook).",
    "transform": "dbt failed (a model or a test; the task log has dbt's message). Fix the data or the model, then "
    "re-run the night. The published warehouse is unchanged.",
    "publish": "The audit stopped the publication; the published warehouse is unchanged. If the change is real, "
    "raise the bound named in the reason for one run (README, Publishing) and re-run the night.",
    "after_publish": "Tonight's warehouse is published; only a step after it failed. Re-run that step by hand "
    "(`readiness export`, `readiness report`) or clear the task in Airflow.",
}


def advice(failed_task: str | None) -> str:
    if not failed_task:
        return "Read the run's task logs in Airflow, fix the cause and re-run the night (README, Runbook)."
    group, _, task = failed_task.rpartition(".")
    if group == "transform":
        return ADVICE["transform"]
    if task in ("export", "report", "dbt_docs", "alert"):
        return ADVICE["after_publish"]
    return ADVICE.get(task.split("_")[0], ADVICE.get(task, advice(None)))


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table border='1' cellpadding='4'><tr>{head}</tr>{body}</table>"


def _late_section(late: list[LateSource]) -> str:
    if not late:
        return ""
    rows = [
        (s.source, str(s.latest_as_of or "never"), "" if s.age_days is None else s.age_days, s.deadline_days)
        for s in late
    ]
    return (
        "<h3>Sources past their freshness deadline</h3>"
        + _table(("source", "latest delivery (as-of)", "age (days)", "deadline (days)"), rows)
        + "<p>Ask the source system's owner for the missing deliveries; the marts keep using the latest one "
        "delivered.</p>"
    )


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.0f} %"


def _crossings_section(crossings: list[Crossing]) -> str:
    if not crossings:
        return ""
    rows = [
        (
            c.cost_center_id,
            c.category,
            f"FY{c.fiscal_year} Q{c.fiscal_quarter}",
            _pct(c.threshold),
            _pct(c.previous_threshold) if c.previous_threshold else "none",
            f"{c.budget_amount:,.2f} {c.currency}",
            f"{c.actual_amount:,.2f} {c.currency}",
            f"{c.forecast_amount:,.2f} {c.currency}",
        )
        for c in crossings
    ]
    return (
        "<h3>Budget thresholds newly crossed since the last publication</h3>"
        + _table(
            ("cost centre", "category", "quarter", "threshold", "before", "budget", "actual", "forecast"),
            rows,
        )
        + "<p>See marts.budget_vs_spend and the readiness report for the detail.</p>"
    )


def failure_message(settings: Settings, run_id: str, as_of: date) -> Message:
    """Every task that failed in the run (two loads can fail on one night), each with its reason and what
    to do; the subject names the first, which the others did not wait on."""
    from readiness.runs import failed_tasks

    with warehouse.connect(settings, read_only=True) as con:
        row = con.execute(
            "select failed_task, reason, status, as_of_date from ops.pipeline_runs where run_id = ?", [run_id]
        ).fetchone()
    failed_task, reason, status, recorded_as_of = row if row else (None, None, "failed", None)
    failures = failed_tasks(settings, run_id) or [(failed_task, reason)]
    as_of = recorded_as_of or as_of
    late = late_sources(settings, as_of, run_id)
    sections = "".join(
        f"<h3>{html.escape(task or 'A task')}</h3>"
        f"<h4>Reason</h4><pre>{html.escape(why or 'see the task log')}</pre>"
        f"<h4>What to do</h4><p>{html.escape(advice(task))}</p>"
        for task, why in failures
    )
    body = (
        f"<h2>The readiness nightly of {as_of} failed</h2>"
        + _table(
            ("run", "as-of date", "status", "failed tasks"),
            [(run_id, as_of, status, ", ".join(task or "unknown" for task, _ in failures))],
        )
        + sections
        + _late_section(late)
    )
    first = failures[0][0] or "a task"
    more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
    subject = f"[readiness] FAILED {as_of}: {first} failed{more}"
    return Message(KIND_FAILED, subject, body)


def night_message(settings: Settings, run_id: str, as_of: date) -> Message | None:
    """Tonight's digest of late sources and newly crossed thresholds; None when there is nothing to say."""
    late = late_sources(settings, as_of, run_id)
    crossings = tonights_crossings(settings)
    if not late and not crossings:
        return None
    parts = []
    if crossings:
        parts.append(f"{len(crossings)} budget threshold(s) crossed")
    if late:
        parts.append(f"late: {', '.join(s.source for s in late)}")
    body = (
        f"<h2>Readiness nightly of {as_of}: published, with alerts</h2><p>Run {html.escape(run_id)}.</p>"
        + _crossings_section(crossings)
        + _late_section(late)
    )
    return Message(KIND_NIGHT, f"[readiness] {as_of}: {'; '.join(parts)}", body)


def _already_sent(settings: Settings, run_id: str, kind: str, channel: str) -> bool:
    with warehouse.connect(settings) as con:
        _alerts_table(con)
        return bool(
            con.execute(
                "select 1 from ops.alerts_sent where run_id = ? and kind = ? and channel = ?", [run_id, kind, channel]
            ).fetchone()
        )


def _record(settings: Settings, run_id: str, message: Message, channel: str, recipients: str) -> None:
    with warehouse.connect(settings) as con:
        con.execute(
            "insert into ops.alerts_sent values (?, ?, ?, ?, ?, ?)",
            [run_id, message.kind, channel, message.subject, recipients, datetime.now(UTC).replace(tzinfo=None)],
        )
    log.info("sent alert %r by %s to %s", message.subject, channel, recipients)


def webhook_configured(settings: Settings) -> bool:
    """True when the Airflow connection of the chat webhook exists (it is optional)."""
    from airflow.exceptions import AirflowNotFoundException
    from airflow.sdk import BaseHook

    try:
        BaseHook.get_connection(settings.alert_webhook_conn_id)
    except AirflowNotFoundException:
        return False
    return True


def send(settings: Settings, run_id: str, message: Message) -> bool:
    """Send ``message`` once per run, kind and channel through Airflow's notifiers: e-mail (SmtpNotifier) to
    READINESS_ALERT_TO, and a Slack-compatible incoming webhook (SlackWebhookNotifier) when its connection
    exists. True when it went out on at least one channel now; False when it had been sent already or no
    channel is configured."""
    sent = False
    if not settings.alert_to:
        log.warning("READINESS_ALERT_TO is empty: alert %r not e-mailed", message.subject)
    elif not _already_sent(settings, run_id, message.kind, CHANNEL_EMAIL):
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        # notify(), not __call__: the text is final, and Jinja must not interpret braces in a reason.
        SmtpNotifier(
            to=list(settings.alert_to),
            from_email=settings.alert_from,
            subject=message.subject,
            html_content=message.html,
            smtp_conn_id=settings.alert_smtp_conn_id,
        ).notify({})
        _record(settings, run_id, message, CHANNEL_EMAIL, ", ".join(settings.alert_to))
        sent = True
    if webhook_configured(settings) and not _already_sent(settings, run_id, message.kind, CHANNEL_WEBHOOK):
        from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

        SlackWebhookNotifier(slack_webhook_conn_id=settings.alert_webhook_conn_id, text=chat_text(message)).notify({})
        _record(settings, run_id, message, CHANNEL_WEBHOOK, settings.alert_webhook_conn_id)
        sent = True
    return sent


class _ChatText(HTMLParser):
    """The e-mail's HTML as Slack mrkdwn: headings bold, table rows one line each, reasons as code blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self._cells: list[str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._cells = []
        self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._text).strip()
        self._text = []
        if tag in ("td", "th") and self._cells is not None:
            self._cells.append(text)
        elif tag == "tr" and self._cells is not None:
            self.lines.append(" | ".join(self._cells))
            self._cells = None
        elif tag in ("h2", "h3", "h4") and text:
            self.lines.append(f"*{text}*")
        elif tag == "pre" and text:
            self.lines.append(f"```{text}```")
        elif tag == "p" and text:
            self.lines.append(text)


def chat_text(message: Message) -> str:
    """The message for a chat webhook, derived from the e-mail so the two never say different things."""
    parser = _ChatText()
    parser.feed(message.html)
    return "\n".join([f"*{message.subject}*", *parser.lines])


def alert_night(run_id: str, as_of: date) -> str | None:
    """The night digest (a task after publish): sent if there is anything to say."""
    settings = Settings.from_env()
    message = night_message(settings, run_id, as_of)
    if message is not None and send(settings, run_id, message):
        return message.subject
    return None


def notify_failed_run(context: dict[str, Any]) -> None:
    """DAG on_failure_callback: one message per failed run, after the task callbacks recorded the reason."""
    dag_run = context.get("dag_run")
    run_id = context.get("run_id") or getattr(dag_run, "run_id", None)
    logical = getattr(dag_run, "logical_date", None) or context.get("logical_date")
    if not run_id:
        return
    as_of = logical.date() if isinstance(logical, datetime) else datetime.now(UTC).date()
    try:
        settings = Settings.from_env()
        send(settings, str(run_id), failure_message(settings, str(run_id), as_of))
    except Exception:  # the callback must never hide the run's own failure
        log.exception("could not send the failure alert of run %s", run_id)
