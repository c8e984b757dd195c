"""The readiness report: one static, self-contained HTML page per run, for people who look rather than query.

``queries`` reads the published marts, ``charts`` draws them (its ``CHARTS`` registry is the page's list
of charts), ``page`` puts them into the HTML template; this module opens the published warehouse once
and writes the files.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from readiness.config import Settings
from readiness.report import charts, page, queries
from readiness.serve import open_reader

__all__ = ["Report", "write_report"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    path: Path
    latest: Path
    charts: tuple[str, ...]


def write_report(settings: Settings) -> Report:
    """Render the published warehouse into reports/readiness-<as-of>-<run>.html and reports/latest.html."""
    # The report's one connection to the published warehouse: every figure comes from the same version.
    with open_reader(settings.published_db) as con:
        headline = queries.headline(con)
        drawn = charts.draw_all(con, settings.small_cell_threshold)
    text = page.render(headline, drawn)
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    safe_run = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(headline.run_id))
    path = settings.reports_dir / f"readiness-{headline.as_of}-{safe_run}.html"
    for target in (path, settings.reports_dir / "latest.html"):
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)  # whoever has the page open or is copying it gets a whole page
    log.info("wrote %s", path)
    return Report(path, settings.reports_dir / "latest.html", tuple(c.id for c in drawn))
