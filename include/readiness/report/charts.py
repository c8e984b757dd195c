"""The report's charts: matplotlib figures drawn from the frames of ``report.queries``, as inline SVG.

``CHARTS`` is the page's list of charts, in order: each names the query that feeds it and the function
that draws it. A new chart is a query, a drawing function and a row there.
"""

from __future__ import annotations

import io
import re
import textwrap
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
#: Characters per line of a unit's name beside the heatmap, and non-breaking spaces per level of indentation.
UNIT_LABEL_WIDTH = 30
INDENT = 3
NBSP = "\u00a0"  # SVG text collapses ordinary spaces; these keep the indentation
GAP_COLOUR = "#c0504d"
NO_TRAINING_COLOUR = "#6a3d9a"
OVER_COLOUR = "#c00000"
NO_TRAINING = "no training grants this skill"


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
    units_per = {a: _heatmap_units(frame[frame["audience"] == a]) for a in audiences}
    lines = {a: sum(len(_wrap(name, UNIT_LABEL_WIDTH)) for _, name, _ in units_per[a]) for a in audiences}
    heights = [max(lines[a], len(units_per[a])) + 4 for a in audiences]
    fig, axes = plt.subplots(
        len(audiences),
        1,
        figsize=(10, 0.27 * sum(heights) + 0.5),
        squeeze=False,
        layout="constrained",
        gridspec_kw={"height_ratios": heights},
    )
    cmap = plt.get_cmap("RdYlGn").with_extremes(bad="#d9d9d9")
    image = None
    # Labels are left-aligned so that the indentation of a unit under its parent shows; the pad moves
    # them left of the cells by the width of the longest label (about 0.6 em per character).
    pad = 0.6 * 9 * (UNIT_LABEL_WIDTH + 2 * INDENT * max((lvl for u in units_per.values() for *_, lvl in u), default=0))
    for ax, audience in zip(axes[:, 0], audiences, strict=True):
        part = frame[frame["audience"] == audience]
        units = units_per[audience]
        ids = [unit for unit, _, _ in units]
        grid = part[part["org_unit_id"].isin(ids)].pivot_table(
            index="org_unit_id", columns="skill_name", values="coverage_pct", aggfunc="max", dropna=False
        )
        grid = grid.reindex(index=ids)
        values = grid.to_numpy(dtype=float)
        # Vector cells (not imshow's raster) stay sharp at any zoom.
        image = ax.pcolormesh(values, cmap=cmap, vmin=0, vmax=1, edgecolors="white", linewidth=0.8)
        ax.invert_yaxis()
        ax.set_xticks([i + 0.5 for i in range(len(grid.columns))], ["\n".join(_wrap(c, 18)) for c in grid.columns])
        ax.tick_params(axis="x", labelsize=8)
        labels = [
            "\n".join(NBSP * INDENT * level + line for line in _wrap(name, UNIT_LABEL_WIDTH))
            for _, name, level in units
        ]
        ax.set_yticks([i + 0.5 for i in range(len(grid.index))], labels)
        for tick in ax.get_yticklabels():
            tick.set_horizontalalignment("left")
        ax.tick_params(axis="y", length=0, pad=pad)
        ax.tick_params(axis="x", length=0)
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
        f"Share of each unit's workers meeting the required level, latest HR snapshot; per audience the "
        f"{HEATMAP_UNITS} largest units, each indented under its parent (a unit includes the units below it). "
        "Grey, –: population under the small-cell threshold.",
        _svg(fig),
    )


def _heatmap_units(part: pd.DataFrame) -> list[tuple[str, str, int]]:
    """(id, name, level) of the largest units of one audience, in tree order (a parent before its children,
    as ``org_unit_path`` sorts), levels counted from the shallowest unit shown."""
    size = part.groupby("org_unit_id").agg(
        headcount=("headcount", "max"),
        name=("org_unit_name", "first"),
        path=("org_unit_path", "first"),
        level=("org_unit_level", "first"),
    )
    # A suppressed unit has no headcount: it sorts last, and is shown only if there is room.
    largest = size.sort_values(["headcount", "level"], ascending=[False, True], na_position="last").head(HEATMAP_UNITS)
    largest = largest.sort_values("path")
    top = int(largest["level"].min()) if len(largest) else 0
    return [(str(i), str(r["name"]), int(r["level"]) - top) for i, r in largest.iterrows()]


def gaps_chart(frame: pd.DataFrame, threshold: int) -> Chart:
    plt = _pyplot()
    label_lines = [
        _wrap(skill, 34) + _wrap(f"→ {item}" if has else f"→ {NO_TRAINING}", 44)
        for skill, item, has in zip(frame["skill_name"], frame["training"], frame["has_recommendation"], strict=True)
    ]
    rows = sum(max(len(lines), 2) for lines in label_lines)
    fig, ax = plt.subplots(figsize=(10, 0.2 * max(rows, 6) + 1.0))
    colours = [GAP_COLOUR if has else NO_TRAINING_COLOUR for has in frame["has_recommendation"]]
    ax.barh(range(len(frame)), frame["gaps"], color=colours)
    ax.set_yticks(range(len(frame)), ["\n".join(lines) for lines in label_lines])
    ax.tick_params(axis="y", labelsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("workers with the gap")
    for i, value in enumerate(frame["gaps"]):
        ax.text(value, i, f" {value:,}", va="center", fontsize=8)
    ax.legend(
        handles=[
            plt.Rectangle((0, 0), 1, 1, color=GAP_COLOUR),
            plt.Rectangle((0, 0), 1, 1, color=NO_TRAINING_COLOUR),
        ],
        labels=["training recommended", "no training in the catalogue grants the skill"],
        loc="lower left",  # above the bars, never over them
        bbox_to_anchor=(0, 1.0),
        ncol=2,
        frameon=False,
        fontsize=8,
    )
    without = int(frame.loc[~frame["has_recommendation"].astype(bool), "gaps"].sum())
    return Chart(
        "gaps",
        "Largest skill gaps and the training that closes them",
        f"Unmet requirements of active workers, latest snapshot, by skill and recommended training; in purple the "
        f"gaps no catalogue item closes ({without:,} in the groups shown), the ones to plan training for. Groups of "
        f"fewer than {threshold} workers are not shown.",
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
        # the mart's rule: a withdrawn enrolment leaves the denominator
        open_or_done = part["enrolled"].cumsum() - part["withdrawn"].cumsum()
        rate = part["completed"].cumsum() / open_or_done.where(lambda s: s > 0)
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
        "Completions of learning items per month and the cumulative completion rate (completed / enrolled, "
        "withdrawn enrolments left out), whole organisation, by audience.",
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
        over = part["over_budget"].fillna(False).astype(bool)
        ax.bar(
            [i + 0.2 for i in x],
            part["actual"],
            width=0.4,
            color=[OVER_COLOUR if o else "#08519c" for o in over],
            label="actual",
        )
        for i, (flag, actual) in enumerate(zip(over, part["actual"], strict=True)):
            if flag and pd.notna(actual):
                ax.text(i + 0.2, actual, "over", ha="center", va="bottom", fontsize=7.5, color=OVER_COLOUR)
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
        plt.Rectangle((0, 0), 1, 1, color=OVER_COLOUR),
        plt.Rectangle((0, 0), 1, 1, facecolor="none", edgecolor="#08519c", hatch="///"),
        *[plt.Line2D([0], [0], color=c) for c in ("#fdae6b", "#f16913", "#a50f15")],
    ]
    fig.legend(
        handles,
        ["budget", "actual", "actual, over budget", "forecast", "50% alert", "80% alert", "100% alert"],
        loc="outside upper center",
        ncol=7,
        frameon=False,
    )
    year = int(frame["fiscal_year"].iloc[0]) if len(frame) else ""
    return Chart(
        "budget",
        f"AI adoption budget vs actual, FY{year}",
        f"Budget in force, actual spend (GL and attributed cloud AI services) and forecast per fiscal quarter and "
        f"category, all cost centres, in {currency}; the marks on each budget bar are the 50/80/100% "
        "alert thresholds; an actual bar in red is a quarter over budget.",
        _svg(fig),
    )


def trend_chart(frame: pd.DataFrame, threshold: int) -> Chart:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 3.2))
    ax.plot(frame["snapshot_date"], frame["readiness_score"], marker="o", color="#31a354")
    for day, score in zip(frame["snapshot_date"], frame["readiness_score"], strict=True):
        if pd.notna(score):
            ax.annotate(
                f"{score:.1f}", (day, score), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8
            )
    ax.set_ylim(0, 100)
    ax.set_ylabel("readiness score (0-100)")
    ax.tick_params(axis="x", rotation=30)
    caption = "Readiness score of the whole organisation per HR snapshot (marts.readiness_scorecard; defined above)."
    return Chart("trend", "Readiness trend", caption, _svg(fig))


def _wrap(text: str, width: int) -> list[str]:
    """``text`` on lines of at most ``width`` characters, broken between words: never cut."""
    return textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=False) or [""]


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the page: the query that reads the marts and the function that draws its result."""

    id: str
    query: Callable[[duckdb.DuckDBPyConnection, int], Any]
    draw: Callable[[Any, int], Chart]
    #: The mart it reads where that mart may be unavailable (its source not configured); its title then.
    mart: str | None = None
    title: str = ""


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("coverage", queries.coverage_cells, coverage_heatmap),
    ChartSpec("gaps", lambda con, threshold: queries.top_gaps(con, threshold, TOP_GAPS), gaps_chart),
    ChartSpec("training", queries.training_by_month, training_chart, "training_progress", "Training completion"),
    ChartSpec("budget", queries.budget_by_quarter, budget_chart, "budget_vs_spend", "AI adoption budget vs actual"),
    ChartSpec("trend", queries.readiness_trend, trend_chart),
)


def draw_all(con: duckdb.DuckDBPyConnection, threshold: int, unavailable: dict[str, str] | None = None) -> list[Chart]:
    """Every chart; one of a mart published empty because its source is not configured says so instead."""
    unavailable = unavailable or {}
    return [
        Chart(spec.id, spec.title, f"Not shown: marts.{spec.mart} is unavailable, {unavailable[spec.mart]}.", "")
        if spec.mart in unavailable
        else spec.draw(spec.query(con, threshold), threshold)
        for spec in CHARTS
    ]
