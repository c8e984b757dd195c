"""Catching up: each missed night sees only the deliveries up to its as-of date, in order; nothing is left aside.

The nights here only record what landing/ holds when they start (the pipeline itself runs night by night in
tests/test_week.py); the file names are the contract's, the dates chosen by hand.
"""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from readiness.backfill import NightOutcome, catch_up, held_dir
from readiness.cli import app
from readiness.config import Settings
from tests.conftest import deliver

FILES = [
    ("hr", "workers", "workers_2026-11-25.csv"),
    ("hr", "workers", "workers_2026-11-26.csv"),
    ("hr", "workers", "workers_2026-11-27.csv"),
    ("finance", "budget", "budget_2026-07-10.csv"),
    ("lms", "statements", "statements_2026-11-26.jsonl"),
    ("hr", "workers", "workers_latest.csv"),  # no date in the name: released at once (the loader rejects it)
]


def _landing(settings: Settings) -> set[str]:
    return {p.name for p in settings.landing_dir.rglob("*") if p.is_file()}


def test_each_night_sees_the_deliveries_up_to_its_date(settings: Settings) -> None:
    for source, extract, name in FILES:
        deliver(settings, source, extract, name, "x\n")
    seen: dict[date, set[str]] = {}

    def night(s: Settings, as_of: date) -> NightOutcome:
        seen[as_of] = _landing(s)
        for path in list(s.landing_dir.rglob("*.*")):  # the loader takes what it sees out of landing/
            path.unlink()
        return NightOutcome(as_of, f"run-{as_of}", "published")

    outcomes = catch_up(settings, [date(2026, 11, 27), date(2026, 11, 25), date(2026, 11, 26)], night)
    assert [o.as_of for o in outcomes] == [date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)]
    assert seen == {
        date(2026, 11, 25): {"workers_2026-11-25.csv", "budget_2026-07-10.csv", "workers_latest.csv"},
        date(2026, 11, 26): {"workers_2026-11-26.csv", "statements_2026-11-26.jsonl"},
        date(2026, 11, 27): {"workers_2026-11-27.csv"},
    }
    assert not any(p.is_file() for p in held_dir(settings).rglob("*"))


def test_a_failed_night_stops_and_puts_every_held_delivery_back(settings: Settings) -> None:
    for source, extract, name in FILES[:3]:
        deliver(settings, source, extract, name, "x\n")

    def night(s: Settings, as_of: date) -> NightOutcome:
        return NightOutcome(as_of, f"run-{as_of}", "failed", "hr.load_workers", "broken")

    outcomes = catch_up(settings, [date(2026, 11, 25), date(2026, 11, 26)], night)
    assert [(o.as_of, o.status) for o in outcomes] == [(date(2026, 11, 25), "failed")]
    assert _landing(settings) == {name for _, _, name in FILES[:3]}
    assert not any(p.is_file() for p in held_dir(settings).rglob("*"))


def test_backfill_command_stops_at_the_failed_night_and_says_so(settings: Settings) -> None:
    """Without deliveries the first night fails (never delivered): the command says so, runs no later night."""
    result = CliRunner().invoke(app, ["backfill", "--from", "2026-11-25", "--to", "2026-11-26", "--in-process"])
    assert result.exit_code == 1
    assert "2026-11-25 run in_process__2026-11-25: failed" in result.output
    assert "has never been delivered" in result.output and "stopped" in result.output
    assert "in_process__2026-11-26" not in result.output
