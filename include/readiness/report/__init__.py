"""The readiness report: static, self-contained HTML pages per publication, for people who look rather than query.

``queries`` reads the published marts, ``charts`` draws them (its ``CHARTS`` registry is the main page's
list of charts), ``page`` puts them into the HTML template; this module opens the published warehouse
once and writes the files: ``reports/readiness-<as-of>-<run>.html``, ``reports/latest.html`` and one
page per org unit in ``reports/units/<unit>.html`` (linked from the main page and from each other).
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from readiness.config import SERVED_DIR_MODE, Settings
from readiness.report import charts, page, queries
from readiness.warehouse import published_marts

__all__ = ["Report", "coverage_weight", "write_report"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    path: Path
    latest: Path
    charts: tuple[str, ...]
    #: The folder of the per-unit pages and how many were written.
    units_dir: Path
    unit_pages: int
    unit_pages_seconds: float


def coverage_weight() -> float:
    """The readiness score's coverage weight, from the one place that defines it: dbt's var
    ``readiness_coverage_weight`` in dbt_project.yml (readiness_scorecard computes the score with it)."""
    import yaml

    from readiness.transform import project_dir

    path = project_dir() / "dbt_project.yml"
    weight = yaml.safe_load(path.read_text(encoding="utf-8"))["vars"]["readiness_coverage_weight"]
    if not 0 <= float(weight) <= 1:
        raise ValueError(f"{path}: vars.readiness_coverage_weight is {weight}; it must be between 0 and 1")
    return float(weight)


def read_report(settings: Settings) -> page.ReportData:
    """Everything the pages show, from one connection to the published warehouse: one version."""
    threshold = settings.small_cell_threshold
    with published_marts(settings) as con:
        queries.require(
            con,
            "org_units",
            "readiness_scorecard",
            "skills_coverage",
            "skill_gaps",
            "budget_vs_spend",
            "gap_closure_plan",
            "ccoe_capabilities",
            "skills_currency",
            "learning_effectiveness",
            "sentiment_by_team",
        )
        headline = queries.headline(con, threshold)
        return page.ReportData(
            headline=headline,
            threshold=threshold,
            coverage_weight=coverage_weight(),
            tree=queries.org_tree(con),
            coverage=queries.coverage_cells(con, threshold),
            unit_gaps=queries.unit_gaps(con, threshold),
            unit_gap_totals=queries.unit_gap_totals(con, threshold),
            cost_centers=queries.budget_by_cost_center(con),
            charts=charts.draw_all(con, threshold, headline.unavailable),
            gap_plan=queries.gap_closure_plan(con),
            ccoe=queries.ccoe_capabilities(con),
            currency=queries.skills_currency(con),
            effectiveness=queries.learning_effectiveness(con),
            sentiment=queries.sentiment(con),
        )


def _write(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)  # whoever has the page open or is copying it gets a whole page


def write_unit_pages(data: page.ReportData, reports_dir: Path) -> tuple[Path, int]:
    """Every unit's page into a fresh folder, then swapped in for ``units/``: a reader never sees pages of
    two publications mixed, and a unit gone from the tree loses its page."""
    final = reports_dir / page.UNITS_DIR
    building = reports_dir / f".{page.UNITS_DIR}.building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    building.chmod(SERVED_DIR_MODE)  # a served folder, whatever the umask (files follow the pipeline's umask)
    children: dict[str, list[str]] = {}
    order = page.tree_order(data.tree)
    parents = dict(zip(data.tree["org_unit_id"].astype(str), data.tree["parent_org_unit_id"], strict=True))
    for unit in order:  # tree order: siblings largest first, as the main page lists them
        parent = parents[unit]
        if not page._missing(parent):
            children.setdefault(str(parent), []).append(unit)
    for unit in order:
        (building / page.unit_file(unit)).write_text(
            page.render_unit(data, unit, children.get(unit, [])), encoding="utf-8"
        )
    old = reports_dir / f".{page.UNITS_DIR}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.replace(old)
    building.replace(final)
    shutil.rmtree(old, ignore_errors=True)
    return final, len(order)


def write_report(settings: Settings) -> Report:
    """Render the published warehouse into reports/readiness-<as-of>-<run>.html, reports/latest.html and
    reports/units/<unit>.html."""
    data = read_report(settings)
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    units_dir, count = write_unit_pages(data, settings.reports_dir)
    unit_seconds = time.perf_counter() - started
    text = page.render(data)
    safe_run = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(data.headline.run_id))
    path = settings.reports_dir / f"readiness-{data.headline.as_of}-{safe_run}.html"
    for target in (path, settings.reports_dir / "latest.html"):
        _write(target, text)
    log.info("wrote %s and %d unit pages in %s (%.2f s)", path, count, units_dir, unit_seconds)
    return Report(
        path, settings.reports_dir / "latest.html", tuple(c.id for c in data.charts), units_dir, count, unit_seconds
    )
