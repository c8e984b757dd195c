"""The readiness report: one static, self-contained HTML page per run, for people who look rather than query.

Charts are matplotlib SVG inlined into the page and the page forbids every fetch (Content-Security-
Policy), so it opens the same from a file share, an e-mail attachment or an air-gapped laptop. Every
figure over people comes from the published marts, where small populations are already suppressed;
counts aggregated here are suppressed again under the same threshold.
"""

from __future__ import annotations

import html
import io
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from readiness.config import Settings
from readiness.serve import open_reader

log = logging.getLogger(__name__)

AUDIENCE_LABELS = {"leadership": "Leadership", "tech_specialist": "Tech specialists", "end_user": "End users"}
#: Units per heatmap: the largest by headcount, so the chart stays readable on a laptop screen.
HEATMAP_UNITS = 12
TOP_GAPS = 12
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    caption: str
    svg: str


@dataclass(frozen=True)
class Report:
    path: Path
    latest: Path
    charts: tuple[str, ...]


def _svg(fig: object) -> str:
    """The figure as an inline <svg> element (no XML prolog or DOCTYPE, text kept as text)."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    text = buffer.getvalue()
    svg = text[text.index("<svg") :]
    # Sized by the page's CSS, not by matplotlib's points: the charts follow the window width.
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 role="img"', svg, count=1)


def _pyplot():  # matplotlib.pyplot, imported late: it is slow and needs a backend set first
    import matplotlib

    matplotlib.use("Agg")  # no display in a task or CI
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "font.family": "sans-serif",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 10,
            "axes.titleweight": "bold",
            "svg.hashsalt": "readiness",  # the same data gives the same page
        }
    )
    return plt


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()
    return {row[0] for row in rows}


def coverage_heatmap(con: duckdb.DuckDBPyConnection) -> Chart:
    plt = _pyplot()
    frame = con.execute(
        """
        select audience, org_unit_id, org_unit_name, skill_name, headcount, coverage_pct, is_suppressed
        from marts.skills_coverage
        where snapshot_date = (select max(snapshot_date) from marts.skills_coverage)
        """
    ).df()
    audiences = [a for a in AUDIENCE_LABELS if a in set(frame["audience"])]
    # One row per audience: each has its own units and skills, and a row can use the page's full width.
    heights = [min(HEATMAP_UNITS, frame[frame["audience"] == a]["org_unit_id"].nunique()) + 4 for a in audiences]
    fig, axes = plt.subplots(
        len(audiences),
        1,
        figsize=(10, 0.27 * sum(heights)),
        squeeze=False,
        layout="constrained",
        gridspec_kw={"height_ratios": heights},
    )
    cmap = plt.get_cmap("RdYlGn").with_extremes(bad="#d9d9d9")
    image = None
    for ax, audience in zip(axes[:, 0], audiences, strict=True):
        part = frame[frame["audience"] == audience]
        size = part.groupby("org_unit_name")["headcount"].max().sort_values(ascending=False)
        units = list(size.index[:HEATMAP_UNITS])
        grid = part[part["org_unit_name"].isin(units)].pivot_table(
            index="org_unit_name", columns="skill_name", values="coverage_pct", aggfunc="max", dropna=False
        )
        grid = grid.reindex(index=units)
        values = grid.to_numpy(dtype=float)
        # Vector cells (not imshow's raster) stay sharp at any zoom.
        image = ax.pcolormesh(values, cmap=cmap, vmin=0, vmax=1, edgecolors="white", linewidth=0.8)
        ax.invert_yaxis()
        ax.set_xticks([i + 0.5 for i in range(len(grid.columns))], [_short(c, 22) for c in grid.columns])
        ax.tick_params(axis="x", rotation=20)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
            tick.set_rotation_mode("anchor")
        ax.set_yticks([i + 0.5 for i in range(len(grid.index))], [_short(u, 26) for u in grid.index])
        ax.tick_params(length=0)
        ax.set_title(AUDIENCE_LABELS[audience], loc="left")
        for row in range(values.shape[0]):
            for col in range(values.shape[1]):
                value = values[row, col]
                label = "–" if pd.isna(value) else f"{value:.0%}"
                dark = not pd.isna(value) and (value < 0.15 or value > 0.8)
                ax.text(
                    col + 0.5,
                    row + 0.5,
                    label,
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if dark else "#222",
                )
        ax.spines[:].set_visible(False)
    if image is not None:
        fig.colorbar(
            image,
            ax=axes[:, 0].tolist(),
            shrink=0.5,
            pad=0.02,
            aspect=30,
            format=lambda v, _: f"{v:.0%}",
            label="coverage",
        )
    return Chart(
        "coverage",
        "Skill coverage by org unit and skill",
        f"Share of each unit's workers meeting the required level, latest HR snapshot; the {HEATMAP_UNITS} largest "
        "units per audience (a unit includes the units below it). Grey, –: population under the small-cell threshold.",
        _svg(fig),
    )


def gaps_chart(con: duckdb.DuckDBPyConnection, threshold: int) -> tuple[Chart, pd.DataFrame]:
    plt = _pyplot()
    frame = con.execute(
        f"""
        select skill_name,
               coalesce(recommended_item_title, '(no training grants this skill)') as training,
               count(*) as gaps
        from marts.skill_gaps
        where snapshot_date = (select max(snapshot_date) from marts.skill_gaps)
        group by all
        having count(*) >= {int(threshold)}
        order by gaps desc, skill_name, training
        limit {TOP_GAPS}
        """
    ).df()
    fig, ax = plt.subplots(figsize=(10, 0.35 * max(len(frame), 3) + 0.8))
    pairs = zip(frame["skill_name"], frame["training"], strict=True)
    labels = [f"{_short(skill, 30)}  →  {_short(item, 48)}" for skill, item in pairs]
    ax.barh(range(len(frame)), frame["gaps"], color="#c0504d")
    ax.set_yticks(range(len(frame)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("workers with the gap")
    for i, value in enumerate(frame["gaps"]):
        ax.text(value, i, f" {value:,}", va="center", fontsize=8)
    return (
        Chart(
            "gaps",
            "Largest skill gaps and the training that closes them",
            f"Unmet requirements of active workers, latest snapshot, by skill and recommended training (groups of "
            f"fewer than {threshold} workers not shown).",
            _svg(fig),
        ),
        frame,
    )


def training_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    plt = _pyplot()
    # Units roll up the org tree, so the whole organisation is the unit with the largest enrolment.
    frame = con.execute(
        """
        with unit_size as (
            select audience, org_unit_id, sum(enrolled_count) as enrolled
            from marts.training_progress group by all
        ),
        top_unit as (
            select audience, arg_max(org_unit_id, enrolled) as org_unit_id from unit_size group by audience
        )
        select t.month, t.audience, sum(t.completed_count) as completed, sum(t.enrolled_count) as enrolled
        from marts.training_progress as t
        inner join top_unit using (audience, org_unit_id)
        where not t.is_suppressed
        group by all
        order by t.month
        """
    ).df()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
    for audience, label in AUDIENCE_LABELS.items():
        part = frame[frame["audience"] == audience].sort_values("month")
        if part.empty:
            continue
        left.plot(part["month"], part["completed"], marker="o", markersize=3, label=label)
        rate = part["completed"].cumsum() / part["enrolled"].cumsum().where(lambda s: s > 0)
        right.plot(part["month"], rate, marker="o", markersize=3, label=label)
    left.set_title("Completions per month")
    right.set_title("Cumulative completion rate")
    right.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    right.set_ylim(0, 1)
    for ax in (left, right):
        ax.legend(frameon=False, fontsize=8)
        ax.tick_params(axis="x", rotation=20)
    return Chart(
        "training",
        "Training completion over time",
        "Completions of learning items per month and the cumulative completion rate (completed / enrolled), "
        "whole organisation, by audience.",
        _svg(fig),
    )


def budget_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    plt = _pyplot()
    frame = con.execute(
        """
        select fiscal_year, fiscal_quarter, category,
               sum(budget_amount)::double as budget, sum(actual_amount)::double as actual,
               sum(forecast_amount)::double as forecast, any_value(currency) as currency
        from marts.budget_vs_spend
        where fiscal_year = (select max(fiscal_year) from marts.budget_vs_spend where actual_amount > 0)
        group by all
        order by category, fiscal_quarter
        """
    ).df()
    categories = sorted(set(frame["category"]))
    columns = min(3, max(len(categories), 1))
    rows = -(-len(categories) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(11, 2.9 * rows + 0.4), squeeze=False, layout="constrained")
    currency = frame["currency"].iloc[0] if len(frame) else ""
    for ax in axes.flat[len(categories) :]:
        ax.set_visible(False)
    for ax, category in zip(axes.flat, categories, strict=False):
        part = frame[frame["category"] == category].set_index("fiscal_quarter").reindex([1, 2, 3, 4])
        x = range(4)
        ax.bar([i - 0.2 for i in x], part["budget"], width=0.4, color="#c6dbef", label="budget")
        ax.bar([i + 0.2 for i in x], part["forecast"], width=0.4, color="none", edgecolor="#08519c", hatch="///")
        ax.bar([i + 0.2 for i in x], part["actual"], width=0.4, color="#08519c", label="actual")
        for i, budget in zip(x, part["budget"], strict=True):
            if pd.notna(budget) and budget > 0:
                for share, colour in ((0.5, "#fdae6b"), (0.8, "#f16913"), (1.0, "#a50f15")):
                    ax.hlines(budget * share, i - 0.42, i + 0.42, colors=colour, linewidth=1)
        ax.set_xticks(list(x), [f"Q{q}" for q in (1, 2, 3, 4)])
        ax.set_title(category.replace("_", " "))
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    handles = [
        plt.Rectangle((0, 0), 1, 1, color="#c6dbef"),
        plt.Rectangle((0, 0), 1, 1, color="#08519c"),
        plt.Rectangle((0, 0), 1, 1, facecolor="none", edgecolor="#08519c", hatch="///"),
        *[plt.Line2D([0], [0], color=c) for c in ("#fdae6b", "#f16913", "#a50f15")],
    ]
    fig.legend(
        handles,
        ["budget", "actual", "forecast", "50% alert", "80% alert", "100% alert"],
        loc="outside upper center",
        ncol=6,
        frameon=False,
    )
    year = int(frame["fiscal_year"].iloc[0]) if len(frame) else ""
    return Chart(
        "budget",
        f"AI adoption budget vs actual, FY{year}",
        f"Budget in force, actual spend (GL and attributed cloud AI services) and forecast per fiscal quarter and "
        f"category, all cost centres, in {currency}; the marks on each budget bar are the 50/80/100% "
        "alert thresholds.",
        _svg(fig),
    )


def trend_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 3.2))
    if "readiness_scorecard" in _tables(con):
        frame = con.execute(
            """
            select snapshot_date, readiness_score from marts.readiness_scorecard
            where org_unit_id = (select arg_max(org_unit_id, headcount) from marts.readiness_scorecard)
            order by snapshot_date
            """
        ).df()
        ax.plot(frame["snapshot_date"], frame["readiness_score"], marker="o", color="#31a354")
        ax.set_ylim(0, 100)
        ax.set_ylabel("readiness score (0-100)")
        caption = "Readiness score of the whole organisation per HR snapshot (marts.readiness_scorecard)."
    else:
        frame = con.execute(
            """
            with top_unit as (
                select audience, arg_max(org_unit_id, headcount) as org_unit_id
                from marts.skills_coverage group by audience
            )
            select snapshot_date, audience, sum(meeting_count) / sum(headcount) as coverage
            from marts.skills_coverage inner join top_unit using (audience, org_unit_id)
            where not is_suppressed
            group by all order by snapshot_date
            """
        ).df()
        for audience, label in AUDIENCE_LABELS.items():
            part = frame[frame["audience"] == audience]
            ax.plot(part["snapshot_date"], part["coverage"], marker="o", label=label)
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.legend(frameon=False, fontsize=8)
        caption = (
            "marts.readiness_scorecard is not published yet, so this shows the trend of skill coverage (met / "
            "required, whole organisation) per HR snapshot and audience instead; the readiness score replaces it "
            "as soon as the scorecard mart is published."
        )
    ax.tick_params(axis="x", rotation=30)
    return Chart("trend", "Readiness trend", caption, _svg(fig))


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render(con: duckdb.DuckDBPyConnection, threshold: int) -> tuple[dict[str, object], list[Chart]]:
    run_id, as_of, published_at, counts = con.execute(
        "select run_id, as_of_date, published_at, row_counts::varchar from marts.publication"
    ).fetchone()  # type: ignore[misc]
    kpis = con.execute(
        """
        with top_unit as (
            select audience, arg_max(org_unit_id, headcount) as org_unit_id from marts.skills_coverage
            where snapshot_date = (select max(snapshot_date) from marts.skills_coverage) group by audience
        )
        select sum(meeting_count) / sum(headcount), max(headcount) from marts.skills_coverage
        inner join top_unit using (audience, org_unit_id)
        where snapshot_date = (select max(snapshot_date) from marts.skills_coverage) and not is_suppressed
        """
    ).fetchone()
    gaps = con.execute(
        "select count(*), count(*) filter (where not has_recommendation) from marts.skill_gaps "
        "where snapshot_date = (select max(snapshot_date) from marts.skill_gaps)"
    ).fetchone()
    spend = con.execute(
        "select sum(actual_amount)::double, sum(budget_amount)::double, any_value(currency) from marts.budget_vs_spend "
        "where fiscal_year = (select max(fiscal_year) from marts.budget_vs_spend where actual_amount > 0)"
    ).fetchone()
    gaps_figure, _ = gaps_chart(con, threshold)
    charts = [coverage_heatmap(con), gaps_figure, training_chart(con), budget_chart(con), trend_chart(con)]
    meta = {
        "run_id": run_id,
        "as_of": as_of,
        "published_at": published_at,
        "row_counts": counts,
        "coverage": kpis[0] if kpis else None,
        "gaps": gaps[0] if gaps else 0,
        "gaps_without_training": gaps[1] if gaps else 0,
        "spend": spend,
    }
    return meta, charts


def page(meta: dict[str, object], charts: list[Chart]) -> str:
    e = html.escape
    actual, budget, currency = meta["spend"]  # type: ignore[misc]
    spent = f"{actual / budget:.0%}" if budget else "–"
    coverage = meta["coverage"]
    tiles = [
        ("Skill coverage", f"{coverage:.0%}" if isinstance(coverage, float) else "–", "required skills met"),
        ("Open skill gaps", f"{meta['gaps']:,}", f"{meta['gaps_without_training']:,} with no training to close them"),
        ("Budget used", spent, f"{actual:,.0f} of {budget:,.0f} {currency} this fiscal year"),
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
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Generative-AI readiness report, {e(str(meta["as_of"]))}</title>
<style>
 body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f4f5f7;
        color: #1f2328; }}
 header {{ background: #1f3b57; color: #fff; padding: 18px 32px; }}
 header h1 {{ margin: 0 0 4px; font-size: 22px; }}
 header p {{ margin: 0; opacity: .85; font-size: 13px; }}
 main {{ max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }}
 .tiles {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 14px; }}
 .tile {{ background: #fff; border-radius: 8px; padding: 14px 18px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }}
 .tile .label {{ font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #57606a; }}
 .tile .value {{ font-size: 30px; font-weight: 600; margin: 4px 0; }}
 .tile .note {{ font-size: 12px; color: #57606a; }}
 .chart {{ background: #fff; border-radius: 8px; padding: 16px 20px; margin-top: 18px;
          box-shadow: 0 1px 2px rgba(0,0,0,.08); }}
 .chart h2 {{ font-size: 17px; margin: 0 0 4px; }}
 .caption {{ font-size: 13px; color: #57606a; margin: 0 0 10px; }}
 .chart svg {{ width: 100%; height: auto; display: block; }}
 footer {{ font-size: 12px; color: #57606a; margin-top: 20px; }}
</style>
</head>
<body>
<header>
 <h1>Generative-AI readiness</h1>
 <p>As of {e(str(meta["as_of"]))} · run {e(str(meta["run_id"]))} · published {e(str(meta["published_at"]))} UTC</p>
</header>
<main>
<div class="tiles">{tile_html}</div>
{sections}
<footer>Built from the published marts of readiness.duckdb (rows: {e(str(meta["row_counts"]))}).
 Populations under the small-cell threshold are suppressed. Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</footer>
</main>
</body>
</html>
"""


def write_report(settings: Settings) -> Report:
    """Render the published warehouse into reports/readiness-<as-of>-<run>.html and reports/latest.html."""
    with open_reader(settings.published_db) as con:
        meta, charts = render(con, settings.small_cell_threshold)
    text = page(meta, charts)
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    safe_run = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(meta["run_id"]))
    path = settings.reports_dir / f"readiness-{meta['as_of']}-{safe_run}.html"
    for target in (path, settings.reports_dir / "latest.html"):
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)  # whoever has the page open or is copying it gets a whole page
    log.info("wrote %s", path)
    return Report(path, settings.reports_dir / "latest.html", tuple(c.id for c in charts))
