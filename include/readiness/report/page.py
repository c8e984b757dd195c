"""The report's pages: the main page (tiles, the score's definition, the org tree, the charts, the budget
per cost centre) and one page per org unit, put into the HTML template (``page.html``).

The pages are self-contained: inline SVG and styles, and a Content-Security-Policy that forbids every
fetch, so they open the same from a file share, an e-mail attachment or an air-gapped laptop. The only
links are between the report's own pages (relative, so the folder can be copied whole).

Suppression: a figure the marts suppressed is null and is shown as "fewer than N"; a unit whose own
population is suppressed shows no figure at all. Nothing here computes a hidden number back.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, cached_property
from importlib import resources
from string import Template
from typing import Any

import pandas as pd

from readiness.report.charts import AUDIENCE_LABELS, Chart
from readiness.report.queries import STATUS_ORDER, Headline

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
#: Units in the main page's org tree: the top levels of the tree (every unit of a level before any of the
#: next, largest first), so at 10,000 units the page stays readable; every unit has its own page.
MAIN_PAGE_UNITS = 40
#: Rows of the main page's tables per cost centre (budget, gap closure plan), in each table's order (the most
#: urgent first): an enterprise has thousands of cost centres; the exports and the unit pages have them all.
MAIN_PAGE_COST_CENTRES = 40
UNITS_DIR = "units"

e = html.escape


@dataclass(frozen=True)
class ReportData:
    """Everything the pages show, read from one published version."""

    headline: Headline
    threshold: int
    coverage_weight: float
    tree: pd.DataFrame
    coverage: pd.DataFrame
    unit_gaps: pd.DataFrame
    unit_gap_totals: pd.DataFrame
    cost_centers: pd.DataFrame
    charts: list[Chart] = field(default_factory=list)
    #: marts.gap_closure_plan of the latest quarter, one row per cost centre (queries.gap_closure_plan).
    gap_plan: pd.DataFrame | None = None
    #: marts.ccoe_capabilities of the latest HR snapshot, one row per AI function (queries.ccoe_capabilities).
    ccoe: pd.DataFrame | None = None
    #: marts.skills_currency of the root unit, latest HR snapshot (queries.skills_currency).
    currency: pd.DataFrame | None = None
    #: marts.learning_effectiveness, each item's latest snapshot shown (queries.learning_effectiveness).
    effectiveness: pd.DataFrame | None = None
    #: marts.sentiment_by_team of the root unit, latest wave (queries.sentiment).
    sentiment: pd.DataFrame | None = None

    # Indexed once: a page per unit looks its unit up, and there may be thousands of units.
    # Plain dicts rather than pandas lookups: a page per unit, thousands of units (pandas' .loc per unit
    # made 1,000 pages take 15 s).
    @cached_property
    def units(self) -> dict[str, dict[str, Any]]:
        return {str(row["org_unit_id"]): row for row in self.tree.to_dict("records")}

    @cached_property
    def gap_totals(self) -> dict[str, tuple[Any, Any]]:
        frame = self.unit_gap_totals
        return dict(
            zip(frame["org_unit_id"], zip(frame["gaps"], frame["gaps_without_training"], strict=True), strict=True)
        )

    @cached_property
    def coverage_by_unit(self) -> dict[str, list[dict[str, Any]]]:
        return _group(self.coverage)

    @cached_property
    def gaps_by_unit(self) -> dict[str, list[dict[str, Any]]]:
        return _group(self.unit_gaps)

    @cached_property
    def cost_center_rows(self) -> list[dict[str, Any]]:
        return self.cost_centers.to_dict("records")

    @cached_property
    def cost_center_by_id(self) -> dict[str, dict[str, Any]]:
        return {str(r["cost_center_id"]): r for r in self.cost_center_rows}

    def gap_count(self, unit: str, which: int) -> str:
        """The unit's open gaps (``which`` 0) or gaps without training (1): 0 where it has none, "fewer than
        N" where the query held the count back."""
        if unit not in self.gap_totals:
            return "0"
        return _count(self.gap_totals[unit][which], self.threshold)


def _group(frame: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The frame's rows by org unit, in the frame's order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in frame.to_dict("records"):
        groups.setdefault(str(row["org_unit_id"]), []).append(row)
    return groups


def unit_file(org_unit_id: str) -> str:
    """The file name of a unit's page: its id, with anything but letters, digits, ``_.-`` replaced."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", str(org_unit_id)) + ".html"


@cache
def _template() -> Template:
    return Template(resources.files("readiness.report").joinpath("page.html").read_text(encoding="utf-8"))


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _flag(value: Any) -> bool:
    return not _missing(value) and bool(value)


def _pct(value: Any) -> str:
    return "–" if _missing(value) else f"{value:.0%}"


def _score(value: Any) -> str:
    return "–" if _missing(value) else f"{value:.1f}"


def _money(value: Any) -> str:
    return "–" if _missing(value) else f"{value:,.0f}"


def _count(value: Any, threshold: int) -> str:
    """A count of people, or "fewer than N" where the query held it back (null)."""
    return f"fewer than {threshold}" if _missing(value) else f"{int(value):,}"


def _coverage_style(value: Any) -> str:
    """A background from red (0 %) through yellow to green (100 %), as the heatmap's colours go."""
    if _missing(value):
        return ""
    return f' style="background: hsl({round(120 * float(value))}, 65%, 85%)"'


def _card(section_id: str, title: str | None, body: str, caption: str | None = None) -> str:
    """A card of a page: a heading (plain text, escaped here), an optional caption and the body. The caption is
    HTML, like the body: it mixes the page's own wording with figures, which the caller escapes as it puts them in."""
    heading = "" if title is None else f"<h2>{e(title)}</h2>"
    note = "" if caption is None else f'<p class="caption">{caption}</p>'
    return f'<section class="card" id="{e(section_id)}">{heading}{note}{body}</section>'


def _dates(headline: Headline) -> str:
    return (
        f'<p class="dates">People figures as of the HR snapshot of <strong>{e(str(headline.snapshot_date))}</strong>'
        f" · run of <strong>{e(str(headline.as_of))}</strong> ({e(str(headline.run_id))}),"
        f" published {e(_when(headline.published_at))} UTC</p>" + _not_configured(headline)
    )


def _not_configured(headline: Headline) -> str:
    """Which figures are absent because their source is not configured: a blank chart is a choice, not a fault."""
    if not headline.unavailable:
        return ""
    items = "; ".join(f"{mart}: {reason}" for mart, reason in sorted(headline.unavailable.items()))
    return f'<p class="dates" id="not-configured">Not configured, so not shown: {e(items)}</p>'


def _when(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else str(value)


def _footer(data: ReportData, home: str) -> str:
    h = data.headline
    rows = "".join(f"<li>{e(mart)}: {count:,} rows</li>" for mart, count in sorted(h.row_counts.items()))
    return (
        f"<p>Built from the published marts: run {e(str(h.run_id))} of {e(str(h.as_of))}, "
        f"published {e(_when(h.published_at))} UTC, HR snapshot {e(str(h.snapshot_date))}. "
        f"Figures over fewer than {data.threshold} people are not shown. "
        f'Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. <a href="{e(home)}">Main page</a></p>'
        f"<details><summary>Rows per published mart</summary><ul>{rows}</ul></details>"
    )


def score_definition(weight: float, threshold: int) -> str:
    """The readiness score's definition, as readiness_scorecard computes it (see its dbt docs)."""
    return _card(
        "definition",
        "How the readiness score is computed",
        '<dl class="definition">'
        f"<dt>Readiness score (0-100)</dt><dd>100 × ({weight:g} × skill coverage + {1 - weight:g} × training "
        "completion), rounded to one decimal. A unit counts with every unit below it. With no enrolment, training "
        "completion counts as 0.</dd>"
        "<dt>Skill coverage</dt><dd>Of the skills each worker's role and audience require (leadership, tech "
        "specialists, end users), the share the workers meet: a recorded proficiency whose evidence has not expired, "
        "or a completed training granting the skill, at or above the required level.</dd>"
        "<dt>Training completion</dt><dd>Of the learning items the unit's workers enrolled in up to the snapshot "
        "date, the share they completed.</dd>"
        "<dt>Change</dt><dd>The score minus the unit's score at the previous HR snapshot.</dd>"
        f"<dt>Small populations</dt><dd>Where a unit, or an audience in it, has fewer than {threshold} workers, its "
        "figures are not shown.</dd></dl>",
    )


def tree_order(tree: pd.DataFrame) -> list[str]:
    """Unit ids depth first from the root: each unit right after its parent, siblings largest first."""
    children: dict[str, list[tuple[Any, ...]]] = {}
    for row in tree.itertuples(index=False):
        if not _missing(row.parent_org_unit_id):
            size = -1 if _missing(row.headcount) else int(row.headcount)
            children.setdefault(str(row.parent_org_unit_id), []).append(
                (-size, str(row.org_unit_name), row.org_unit_id)
            )
    order: list[str] = []
    stack = [str(u) for u in tree.loc[tree["is_root"].fillna(False).astype(bool), "org_unit_id"]][::-1]
    seen: set[str] = set()
    while stack:
        unit = stack.pop()
        if unit in seen:
            continue
        seen.add(unit)
        order.append(unit)
        stack.extend(str(c[2]) for c in sorted(children.get(unit, []), reverse=True))
    # A unit the walk from the root does not reach (the marts' tests forbid it) is still listed.
    order += [str(u) for u in tree["org_unit_id"] if str(u) not in seen]
    return order


def main_page_units(tree: pd.DataFrame, limit: int | None = None) -> list[str]:
    """The top levels of the tree, in tree order: every unit of a level (largest first) before any unit of
    the next, so each unit shown has its parent shown too."""
    ranked = tree.assign(size=tree["headcount"].fillna(-1)).sort_values(
        ["org_unit_level", "size", "org_unit_name"], ascending=[True, False, True]
    )
    chosen = set(ranked["org_unit_id"].astype(str).head(limit or MAIN_PAGE_UNITS))
    return [u for u in tree_order(tree) if u in chosen]


def _unit_rows(data: ReportData, units: Iterable[str], link_prefix: str, top_level: int) -> str:
    rows = []
    for unit in units:
        u = data.units[unit]
        indent = 1.4 * (int(u["org_unit_level"]) - top_level)
        name = f'<a href="{e(link_prefix + unit_file(unit))}">{e(str(u["org_unit_name"]))}</a>' + (
            " <small>(AI CCoE)</small>" if _flag(u["is_ai_ccoe"]) else ""
        )
        cell = f'<td class="unit" style="padding-left: {indent + 0.5:.1f}em">{name}</td>'
        if bool(u["is_suppressed"]):
            reason = f"fewer than {data.threshold} people: not shown" if bool(u["has_workforce"]) else "no workers"
            rows.append(f'<tr>{cell}<td class="suppressed" colspan="8">{reason}</td></tr>')
            continue
        change = u["readiness_score_change"]
        rows.append(
            f"<tr>{cell}<td>{int(u['headcount']):,}</td>"
            f"<td>{_score(u['readiness_score'])}{'' if _missing(change) else f' <small>({change:+.1f})</small>'}</td>"
            f"<td{_coverage_style(u['coverage_pct'])}>{_pct(u['coverage_pct'])}</td>"
            + "".join(
                f"<td{_coverage_style(u[f'{a}_coverage_pct'])}>{_pct(u[f'{a}_coverage_pct'])}</td>"
                for a in AUDIENCE_LABELS
            )
            + f"<td>{_pct(u['training_completion_rate'])}</td>"
            f'<td class="no-training">{data.gap_count(unit, 1)}</td></tr>'
        )
    head = (
        '<tr><th class="text">Org unit</th><th>People</th><th>Readiness score (change)</th><th>Skill coverage</th>'
        + "".join(f"<th>{e(label)} coverage</th>" for label in AUDIENCE_LABELS.values())
        + '<th>Training completion</th><th class="no-training">Gaps without training</th></tr>'
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _budget_table(records: list[dict[str, Any]], units_column: bool = True) -> str:
    if not records:
        return "<p>No budget or spend for this period.</p>"
    rows = []
    for r in records:
        worst = int(r["worst"])
        status = STATUS_ORDER[worst] if worst < len(STATUS_ORDER) else "unknown"
        budget, actual, forecast = r["budget"], r["actual"], r["forecast"]
        used = actual / budget if budget else None
        over = status in ("over_budget", "unbudgeted")
        units = "–" if _missing(r["units"]) else e(str(r["units"]))
        quarters = "–" if _missing(r["quarters_over"]) else e(str(r["quarters_over"]))
        rows.append(
            f'<tr class="{"over" if over else ""}"><td class="text">{e(str(r["cost_center_id"]))}</td>'
            + (f'<td class="text unit">{units}</td>' if units_column else "")
            + f"<td>{_money(budget)}</td><td>{_money(actual)}</td>"
            f'<td class="{"over-text" if used is not None and used > 1 else ""}">{_pct(used)}</td>'
            f"<td>{_money(forecast)}</td>"
            f'<td class="text"><span class="status status-{status}">{status.replace("_", " ")}</span></td>'
            f'<td class="text">{quarters}</td></tr>'
        )
    currency = next((r["currency"] for r in records if not _missing(r["currency"])), "")
    head = (
        '<tr><th class="text">Cost centre</th>'
        + ('<th class="text">Org units</th>' if units_column else "")
        + f"<th>Budget ({e(str(currency))})</th><th>Actual</th><th>Used</th><th>Forecast</th>"
        '<th class="text">Status (worst quarter)</th><th class="text">Quarters over budget</th></tr>'
    )
    return f"<table>{head}{''.join(rows)}</table>"


def gap_plan_section(data: ReportData) -> str:
    """What closing the open gaps would cost per cost centre, beside the training budget left (the latest
    quarter of marts.gap_closure_plan). A suppressed cost centre shows no figure at all, money included."""
    frame = data.gap_plan
    if frame is None or frame.empty:
        body = "<p>No plan: the warehouse has no HR snapshot with a workforce.</p>"
        period = shown = ""
    else:
        records = frame.to_dict("records")
        first = records[0]
        quarter = f"FY{int(first['fiscal_year'])} Q{int(first['fiscal_quarter'])}"
        period = f" {quarter} (HR snapshot {pd.Timestamp(first['snapshot_date']):%Y-%m-%d})"
        currency = next((r["currency"] for r in records if not _missing(r["currency"])), "")
        records, shown = _first_cost_centres(records, "the costliest plans first", "gap_closure_plan.parquet")
        rows = []
        for r in records:
            units = "–" if _missing(r["units"]) else e(str(r["units"]))
            head = f'<td class="text">{e(str(r["cost_center_id"]))}</td><td class="text unit">{units}</td>'
            if _flag(r["is_suppressed"]):
                rows.append(
                    f'<tr>{head}<td class="suppressed" colspan="7">fewer than {data.threshold} people: '
                    "not shown</td></tr>"
                )
                continue
            covered = _flag(r["is_covered_by_budget"])
            rows.append(
                f'<tr class="{"" if covered else "over"}">{head}'
                f"<td>{_count(r['open_gap_count'], data.threshold)}</td>"
                f'<td class="no-training">{_count(r["unplanned_gap_count"], data.threshold)}</td>'
                f"<td>{_count(r['planned_enrolment_count'], data.threshold)}</td>"
                f"<td>{_money(r['learning_hours'])}</td><td>{_money(r['plan_cost'])}</td>"
                f'<td class="{"" if covered else "over-text"}">{_money(r["budget_left"])}</td>'
                f'<td class="text">{"yes" if covered else "<strong class=over-text>no</strong>"}</td></tr>'
            )
        body = (
            '<table><tr><th class="text">Cost centre</th><th class="text">Org units</th><th>Open gaps</th>'
            '<th class="no-training">Without an item</th><th>Enrolments</th><th>Hours</th>'
            f"<th>Plan cost ({e(str(currency))})</th><th>Training budget left</th>"
            f'<th class="text">Covered</th></tr>{"".join(rows)}</table>'
        )
    return _card(
        "gap-plan",
        "Cost of closing the skill gaps",
        body,
        f"Open gaps of each cost centre's workforce,{e(period)}: the learning items that close them (one enrolment "
        "per person and item), their hours, and their cost (time at the planners' hourly cost per audience plus "
        "licences), beside the training budget left for the fiscal year. Gaps without an item have no training to "
        f"close them; a red row is a plan the budget left does not cover.{shown}",
    )


def _first_cost_centres(records: list[dict[str, Any]], order: str, export: str) -> tuple[list[dict[str, Any]], str]:
    """The first ``MAIN_PAGE_COST_CENTRES`` rows of a per-cost-centre table, and the sentence saying so (empty
    when every row is shown): ``order`` says which come first, ``export`` which file has them all."""
    if len(records) <= MAIN_PAGE_COST_CENTRES:
        return records, ""
    return records[:MAIN_PAGE_COST_CENTRES], (
        f" Shown: {MAIN_PAGE_COST_CENTRES} of {len(records):,} cost centres, {order}; every cost centre is in "
        f"exports/{export} and on the pages of its units."
    )


def _change(value: Any) -> str:
    return "–" if _missing(value) else f"{int(value):+d}"


def ccoe_section(data: ReportData) -> str:
    """The CCoE's AI functions: who can staff each, the bench, single points of failure, candidates outside.
    Where the CCoE is under the threshold the mart suppressed every count, and the section says only that."""
    frame = data.ccoe
    if frame is None or frame.empty:
        body, caption = "<p>No HR snapshot with a workforce.</p>", ""
    elif frame["is_suppressed"].all():
        body = f"<p>The CCoE has fewer than {data.threshold} people: its figures are not shown.</p>"
        caption = ""
    else:
        records = frame.to_dict("records")
        first = records[0]
        caption = (
            f" HR snapshot {pd.Timestamp(first['snapshot_date']):%Y-%m-%d}; the CCoE has "
            f"{_count(first['ccoe_headcount'], data.threshold)} people."
        )
        rows = []
        for r in records:
            if _flag(r["is_unstaffed"]):
                flag, cls = "nobody", "over"
            elif _flag(r["is_single_point_of_failure"]):
                flag, cls = "one person alone", "over"
            else:
                flag, cls = "", ""
            rows.append(
                f'<tr class="{cls}"><td class="text">{e(str(r["function_name"]))}</td>'
                f"<td>{_count(r['qualified_count'], data.threshold)}</td>"
                f"<td>{_count(r['bench_depth'], data.threshold)}</td>"
                f"<td>{_count(r['near_qualified_count'], data.threshold)}</td>"
                f"<td>{_change(r['qualified_count_change'])}</td>"
                f"<td>{_count(r['candidate_count'], data.threshold)}</td>"
                f'<td class="text">{"<strong class=over-text>" + flag + "</strong>" if flag else ""}</td></tr>'
            )
        body = (
            '<table><tr><th class="text">AI function</th><th>Can staff it</th><th>Bench</th>'
            "<th>One skill short</th><th>Change</th><th>Could join from outside</th>"
            f'<th class="text">Risk</th></tr>{"".join(rows)}</table>'
        )
    return _card(
        "ccoe",
        "AI functions of the Cloud Center of Excellence",
        body,
        "People of the CCoE able to staff each AI function (they meet every skill it needs), the bench behind the "
        "first, those one skill short, the change since the previous HR snapshot and the people outside the CCoE "
        f"who could staff it. A red row is a function nobody or one person alone covers.{e(caption)}",
    )


def currency_section(data: ReportData) -> str:
    """Evidence of the required skills due for renewal, whole organisation, per audience and skill."""
    frame = data.currency
    if frame is None or frame.empty:
        body, caption = "<p>No required skill with enough people to show.</p>", ""
    else:
        records = frame.to_dict("records")
        caption = f" HR snapshot {pd.Timestamp(records[0]['snapshot_date']):%Y-%m-%d}."
        rows = [
            f'<tr><td class="text">{e(str(r["skill_name"]))}</td>'
            f'<td class="text">{e(AUDIENCE_LABELS.get(str(r["audience"]), str(r["audience"])))}</td>'
            f"<td>{_count(r['headcount'], data.threshold)}</td><td>{_count(r['evidence_count'], data.threshold)}</td>"
            f"<td>{_pct(r['current_evidence_pct'])}</td>"
            f'<td class="{"over-text" if _flag(r["lapsed_count"]) else ""}">'
            f"{_count(r['lapsed_count'], data.threshold)}</td>"
            f"<td>{_count(r['due_30_count'], data.threshold)}</td><td>{_count(r['due_60_count'], data.threshold)}</td>"
            f"<td>{_count(r['due_90_count'], data.threshold)}</td></tr>"
            for r in records
        ]
        body = (
            '<table><tr><th class="text">Skill</th><th class="text">Audience</th><th>People</th><th>With evidence</th>'
            "<th>Current</th><th>Lapsed</th><th>Due in 30 days</th><th>60 days</th><th>90 days</th></tr>"
            f"{''.join(rows)}</table>"
        )
    return _card(
        "currency",
        "Skills kept current",
        body,
        "Evidence of the required skills, whole organisation: how much is current, lapsed (expired or older than "
        "the renewal period of its kind) and due for renewal within 30, 60 and 90 days; the most renewals first."
        f"{e(caption)}",
    )


def _points(value: Any) -> str:
    return "–" if _missing(value) else f"{100 * value:+.0f} pts"


def effectiveness_section(data: ReportData) -> str:
    """Per learning item: completers meeting the granted skills at the next HR snapshot against non-takers."""
    frame = data.effectiveness
    if frame is None or frame.empty:
        body = f"<p>No learning item has had {data.threshold} or more completers between two HR snapshots yet.</p>"
    else:
        rows = [
            f'<tr><td class="text">{e(str(r["item_title"]))}</td>'
            f"<td>{pd.Timestamp(r['snapshot_date']):%Y-%m-%d}</td>"
            f"<td>{_count(r['completer_count'], data.threshold)}</td><td>{_pct(r['completers_met_pct'])}</td>"
            f"<td>{_count(r['non_taker_count'], data.threshold)}</td><td>{_pct(r['non_takers_met_pct'])}</td>"
            f"<td>{_points(r['uplift_pct'])}</td></tr>"
            for r in frame.to_dict("records")
        ]
        body = (
            '<table><tr><th class="text">Learning item</th><th>HR snapshot</th><th>Completers</th>'
            "<th>Meeting its skills</th><th>Never took it</th><th>Meeting its skills</th><th>Uplift</th></tr>"
            f"{''.join(rows)}</table>"
        )
    return _card(
        "effectiveness",
        "Does the training work?",
        body,
        "Per learning item, the workers who completed it since the previous HR snapshot and the share of them whose "
        "skills as HR records them meet every skill the item grants, against the workers who never took it; the "
        "latest snapshot with enough completers to show. Uplift is the difference.",
    )


def _mean(value: Any) -> str:
    return "–" if _missing(value) else f"{value:.2f}"


def _score_change(value: Any) -> str:
    return "–" if _missing(value) else f"{value:+.2f}"


def sentiment_section(data: ReportData) -> str:
    """The latest pulse survey wave, whole organisation: the answers per audience and question."""
    frame = data.sentiment
    if frame is None or frame.empty:
        body, caption = "<p>No pulse survey has been delivered (the survey is optional).</p>", ""
    else:
        records = frame.to_dict("records")
        caption = f" Wave {pd.Timestamp(records[0]['wave_month']):%Y-%m}."
        rows = []
        for r in records:
            counts = "".join(f"<td>{_count(r[f'answer_{k}_count'], data.threshold)}</td>" for k in range(1, 6))
            concern = ' <span class="caption">(agreeing is a concern)</span>'
            reading = "" if _flag(r["agreement_is_favourable"]) else concern
            rows.append(
                f'<tr><td class="text">{e(AUDIENCE_LABELS.get(str(r["audience"]), str(r["audience"])))}</td>'
                f'<td class="text">{e(str(r["question_text"]))}{reading}</td>'
                f"<td>{_count(r['response_count'], data.threshold)}</td>{counts}"
                f"<td>{_pct(r['agree_pct'])}</td><td>{_mean(r['mean_score'])}</td>"
                f"<td>{_score_change(r['mean_score_change'])}</td>"
                f'<td class="text">{e(str(r["top_concern_category"] or "–").replace("_", " "))}</td></tr>'
            )
        body = (
            '<table><tr><th class="text">Audience</th><th class="text">Question</th><th>Responses</th><th>1</th>'
            "<th>2</th><th>3</th><th>4</th><th>5</th><th>Agree (4-5)</th><th>Mean</th><th>Change</th>"
            f'<th class="text">Main concern</th></tr>{"".join(rows)}</table>'
        )
    return _card(
        "sentiment",
        "What people think of generative AI",
        body,
        "The anonymous pulse survey, whole organisation, per audience: how many answered 1 (strongly disagree) to 5 "
        "(strongly agree), the share agreeing, the mean and its change since the previous wave, and the concern "
        f"named most. Groups of fewer than {data.threshold} responses are not shown.{e(caption)}",
    )


def _tiles(tiles: list[tuple[str, str, str, str]]) -> str:
    return (
        '<div class="tiles">'
        + "".join(
            f'<div class="tile {cls}"><div class="label">{e(a)}</div><div class="value">{e(b)}</div>'
            f'<div class="note">{e(c)}</div></div>'
            for a, b, c, cls in tiles
        )
        + "</div>"
    )


def render(data: ReportData) -> str:
    h = data.headline
    actual, budget, currency = h.spend
    used = actual / budget if actual is not None and budget else None
    tiles = [
        (
            "Readiness score",
            "–" if h.readiness_score is None else f"{h.readiness_score:.1f}",
            "of 100, whole organisation",
            "",
        ),
        ("Skill coverage", _pct(h.coverage), "required skills met", ""),
        ("Open skill gaps", _count(h.gaps, data.threshold), "unmet requirements of active workers", ""),
        (
            "Gaps without training",
            _count(h.gaps_without_training, data.threshold),
            "no catalogue item grants the skill: plan training for these",
            "no-training",
        ),
        (
            "Budget used",
            _pct(used),
            f"{actual or 0:,.0f} of {budget or 0:,.0f} {currency or ''} this fiscal year",
            "over" if used is not None and used > 1 else "",
        ),
    ]
    shown = main_page_units(data.tree)
    total = len(data.tree)
    top = int(data.tree["org_unit_level"].min()) if total else 0
    scope = (
        f"All {total} org units"
        if len(shown) == total
        else f"The top levels of the org tree: {len(shown)} of {total} org units (every unit of a level, largest "
        "first, before the next level); every unit has its own page, linked from its parent's page"
    )
    tree = _card(
        "units",
        "Readiness by org unit",
        _unit_rows(data, shown, UNITS_DIR + "/", top),
        f"{e(scope)}. Each unit is indented under its parent and counts with the units below it; its name opens the "
        "unit's own page. Latest HR snapshot.",
    )
    charts = "".join(
        f'<section class="chart" id="{e(c.id)}"><h2>{e(c.title)}</h2><p class="caption">{e(c.caption)}</p>'
        f"{c.svg}</section>"
        for c in data.charts
    )
    budget_rows, shown = _first_cost_centres(
        data.cost_center_rows, "the worst status first, then the largest spend", "budget_vs_spend.parquet"
    )
    cost_centers = _card(
        "cost-centres",
        "AI budget per cost centre",
        _budget_table(budget_rows),
        "Fiscal year with spend: budget in force, actual spend (GL and attributed cloud AI services), the share used "
        "and the forecast; the status is the worst of the year's quarters (over budget: actual above budget; at "
        f"risk: forecast above budget).{shown}",
    )
    body = _tiles(tiles) + score_definition(data.coverage_weight, data.threshold) + tree + charts + cost_centers
    body += gap_plan_section(data) + ccoe_section(data) + currency_section(data) + effectiveness_section(data)
    body += sentiment_section(data)
    return _template().substitute(
        csp=CSP,
        title=e(f"Generative-AI readiness report, {h.as_of}"),
        header=f"<h1>Generative-AI readiness</h1>{_dates(h)}",
        body=body,
        footer=_footer(data, "#"),
    )


def render_unit(data: ReportData, unit: str, children: list[str]) -> str:
    """The page of one org unit: its own figures (with the units below it), its coverage per audience and
    skill, its gaps, its sub-units and its cost centre."""
    h = data.headline
    by_id = data.units
    u = by_id[unit]
    name = str(u["org_unit_name"])
    crumbs = ['<a href="../latest.html">Main page</a>']
    ancestors: list[str] = []
    parent = u["parent_org_unit_id"]
    while not _missing(parent) and str(parent) in by_id and str(parent) not in ancestors:
        ancestors.append(str(parent))
        parent = by_id[str(parent)]["parent_org_unit_id"]
    crumbs += [f'<a href="{e(unit_file(a))}">{e(str(by_id[a]["org_unit_name"]))}</a>' for a in reversed(ancestors)]
    header = f"<h1>{e(name)}</h1><p>{' › '.join(crumbs)}</p>{_dates(h)}"
    sections: list[str] = []
    if bool(u["is_suppressed"]):
        reason = (
            f"This unit (with the units below it) has fewer than {data.threshold} people: its figures are not shown."
            if bool(u["has_workforce"])
            else "This unit has no workers in the workforce at this snapshot."
        )
        sections.append(_card("summary", None, f"<p>{e(reason)}</p>"))
    else:
        change = u["readiness_score_change"]
        spend, budget = u["ai_spend_ytd"], u["budget_ytd"]
        used = spend / budget if not _missing(spend) and not _missing(budget) and budget else None
        sections.append(
            _tiles(
                [
                    ("People", f"{int(u['headcount']):,}", "in the unit and the units below it", ""),
                    (
                        "Readiness score",
                        _score(u["readiness_score"]),
                        "of 100" + ("" if _missing(change) else f"; {change:+.1f} since the previous snapshot"),
                        "",
                    ),
                    ("Skill coverage", _pct(u["coverage_pct"]), "required skills met", ""),
                    ("Training completion", _pct(u["training_completion_rate"]), "enrolled items completed", ""),
                    ("Open skill gaps", data.gap_count(unit, 0), "unmet requirements", ""),
                    (
                        "Gaps without training",
                        data.gap_count(unit, 1),
                        "no catalogue item grants the skill",
                        "no-training",
                    ),
                    (
                        "AI budget used",
                        _pct(used),
                        f"{_money(spend)} of {_money(budget)} {u['currency'] or ''} year to date, "
                        "the unit's cost centres",
                        "over" if used is not None and used > 1 else "",
                    ),
                ]
            )
        )
        sections.append(_unit_coverage(data, unit))
        sections.append(_unit_gap_table(data, unit))
    if children:
        child_rows = _unit_rows(data, children, "", int(u["org_unit_level"]) + 1)
        sections.append(_card("sub-units", f"Units below {name}", child_rows))
    own = data.cost_center_by_id.get(str(u["cost_center_id"]))
    cc = [own] if own else []
    sections.append(_card("cost-centre", f"Cost centre {u['cost_center_id']}", _budget_table(cc, units_column=False)))
    sections.append(score_definition(data.coverage_weight, data.threshold))
    return _template().substitute(
        csp=CSP,
        title=e(f"{name}: generative-AI readiness, {h.as_of}"),
        header=header,
        body="".join(sections),
        footer=_footer(data, "../latest.html"),
    )


def _unit_coverage(data: ReportData, unit: str) -> str:
    rows = []
    for r in data.coverage_by_unit.get(unit, []):
        audience = AUDIENCE_LABELS.get(r["audience"], r["audience"])
        if bool(r["is_suppressed"]):
            rows.append(
                f'<tr><td class="text">{e(audience)}</td><td class="text">{e(str(r["skill_name"]))}</td>'
                f'<td class="suppressed" colspan="3">fewer than {data.threshold} people: not shown</td></tr>'
            )
            continue
        rows.append(
            f'<tr><td class="text">{e(audience)}</td><td class="text">{e(str(r["skill_name"]))}</td>'
            f"<td>{int(r['headcount']):,}</td><td>{int(r['meeting_count']):,}</td>"
            f"<td{_coverage_style(r['coverage_pct'])}>{_pct(r['coverage_pct'])}</td></tr>"
        )
    return _card(
        "coverage",
        "Skill coverage by audience and skill",
        '<table><tr><th class="text">Audience</th><th class="text">Skill</th><th>Required of</th><th>Meeting it</th>'
        f"<th>Coverage</th></tr>{''.join(rows)}</table>",
        "Workers the requirement applies to, those meeting it, and the share.",
    )


def _unit_gap_table(data: ReportData, unit: str) -> str:
    rows = "".join(
        f'<tr><td class="text">{e(str(r["skill_name"]))}</td>'
        + (
            f'<td class="text">{e(str(r["training"]))}</td>'
            if bool(r["has_recommendation"])
            else '<td class="text no-training">no training grants this skill</td>'
        )
        + f"<td>{int(r['gaps']):,}</td></tr>"
        for r in data.gaps_by_unit.get(unit, [])
    )
    body = (
        f'<table><tr><th class="text">Skill</th><th class="text">Recommended training</th><th>Workers with the gap'
        f"</th></tr>{rows}</table>"
        if rows
        else "<p>No group of gaps large enough to show.</p>"
    )
    return _card(
        "gaps",
        "Skill gaps and the training that closes them",
        body,
        f"Groups of fewer than {data.threshold} workers are not shown.",
    )
