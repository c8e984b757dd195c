"""The report's charts: matplotlib figures drawn from the frames of ``report.queries``, as inline SVG.

``CHARTS`` is the page's list of charts, in order: each names the query that feeds it and the function
that draws it. A new chart is a query, a drawing function and a row there.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from readiness.report import queries

if TYPE_CHECKING:
    import duckdb

AUDIENCE_LABELS = {"leadership": "Leadership", "tech_specialist": "Tech specialists", "end_user": "End users"}
#: Units per heatmap: the largest by headcount, so the chart stays readable on a laptop screen.
HEATMAP_UNITS = 12
TOP_GAPS = 12


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    caption: str
    svg: str


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


def coverage_heatmap(frame: pd.DataFrame, threshold: int) -> Chart:
    plt = _pyplot()
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


def gaps_chart(frame: pd.DataFrame, threshold: int) -> Chart:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(10, 0.35 * max(len(frame), 3) + 0.8))
    pairs = zip(frame["skill_name"], frame["training"], strict=True)
    labels = [f"{_short(skill, 30)}  →  {_short(item, 48)}" for skill, item in pairs]
    ax.barh(range(len(frame)), frame["gaps"], color="#c0504d")
    ax.set_yticks(range(len(frame)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("workers with the gap")
    for i, value in enumerate(frame["gaps"]):
        ax.text(value, i, f" {value:,}", va="center", fontsize=8)
    return Chart(
        "gaps",
        "Largest skill gaps and the training that closes them",
        f"Unmet requirements of active workers, latest snapshot, by skill and recommended training (groups of "
        f"fewer than {threshold} workers not shown).",
        _svg(fig),
    )


def training_chart(frame: pd.DataFrame, threshold: int) -> Chart:
    plt = _pyplot()
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


def budget_chart(frame: pd.DataFrame, threshold: int) -> Chart:
    plt = _pyplot()
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


def trend_chart(data: tuple[str, pd.DataFrame], threshold: int) -> Chart:
    kind, frame = data
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 3.2))
    if kind == "score":
        ax.plot(frame["snapshot_date"], frame["readiness_score"], marker="o", color="#31a354")
        ax.set_ylim(0, 100)
        ax.set_ylabel("readiness score (0-100)")
        caption = "Readiness score of the whole organisation per HR snapshot (marts.readiness_scorecard)."
    else:
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


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the page: the query that reads the marts and the function that draws its result."""

    id: str
    query: Callable[[duckdb.DuckDBPyConnection, int], Any]
    draw: Callable[[Any, int], Chart]


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("coverage", queries.coverage_cells, coverage_heatmap),
    ChartSpec("gaps", lambda con, threshold: queries.top_gaps(con, threshold, TOP_GAPS), gaps_chart),
    ChartSpec("training", queries.training_by_month, training_chart),
    ChartSpec("budget", queries.budget_by_quarter, budget_chart),
    ChartSpec("trend", queries.readiness_trend, trend_chart),
)


def draw_all(con: duckdb.DuckDBPyConnection, threshold: int) -> list[Chart]:
    return [spec.draw(spec.query(con, threshold), threshold) for spec in CHARTS]
