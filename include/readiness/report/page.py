"""The report page: the headline tiles and the charts put into the HTML template (``page.html``).

The page is self-contained: inline SVG and styles, and a Content-Security-Policy that forbids every
fetch, so it opens the same from a file share, an e-mail attachment or an air-gapped laptop.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from importlib import resources
from string import Template

from readiness.report.charts import Chart
from readiness.report.queries import Headline

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _template() -> Template:
    return Template(resources.files("readiness.report").joinpath("page.html").read_text(encoding="utf-8"))


def render(headline: Headline, charts: list[Chart]) -> str:
    e = html.escape
    actual, budget, currency = headline.spend
    spent = f"{actual / budget:.0%}" if actual is not None and budget else "–"
    coverage = headline.coverage
    tiles = [
        ("Skill coverage", f"{coverage:.0%}" if isinstance(coverage, float) else "–", "required skills met"),
        ("Open skill gaps", f"{headline.gaps:,}", f"{headline.gaps_without_training:,} with no training to close them"),
        ("Budget used", spent, f"{actual or 0:,.0f} of {budget or 0:,.0f} {currency or ''} this fiscal year"),
    ]
    tile_html = "".join(
        f'<div class="tile"><div class="label">{e(a)}</div><div class="value">{e(b)}</div>'
        f'<div class="note">{e(c)}</div></div>'
        for a, b, c in tiles
    )
    sections = "".join(
        f'<section class="chart" id="{e(c.id)}"><h2>{e(c.title)}</h2><p class="caption">{e(c.caption)}</p>'
        f"{c.svg}</section>"
        for c in charts
    )
    return _template().substitute(
        csp=CSP,
        as_of=e(str(headline.as_of)),
        run_id=e(str(headline.run_id)),
        published_at=e(str(headline.published_at)),
        tiles=tile_html,
        sections=sections,
        row_counts=e(str(headline.row_counts)),
        generated=f"{datetime.now(UTC):%Y-%m-%d %H:%M}",
    )
