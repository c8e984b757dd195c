"""The readiness report: rendered from a published warehouse and opened in a real headless Chromium.

The warehouse is tests/marts_data.py's hand-written one, with a few rows added here (``_deepen``) so
that the report has a tree deeper than one level, a long name, a unit whose gaps have no training and a
cost centre over budget. Every expected figure below is worked out by hand from those rows (the
comments say how), never by running the report's SQL again.

Debian's chromium is driven by playwright (playwright's own browser download is not used). The pages
must render with no console error and make no request but for the page itself. The screenshots are
kept in test-artifacts/ for people to look at.
"""

from __future__ import annotations

import re
import shutil
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from readiness.config import Settings
from readiness.publish import publish
from readiness.report import Report, coverage_weight, page, read_report, write_report
from readiness.report.queries import ReportInputMissing
from tests.marts_data import build_candidate

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHARTS = ("coverage", "gaps", "training", "budget", "trend")
SNAPSHOTS = (date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 27))
LONG_UNIT = "Business impact and organisational change enablement office"
LONG_SKILL = "Business impact and organisational change management"


def _deepen(candidate: Path) -> None:
    """Rows added to marts_data's warehouse, latest snapshot only (2026-11-27):

    - U4, LONG_UNIT, under U1 (level 2), cost centre CC-100, 12 people: audiences 12, 6 and 4 (the end
      users suppressed); 6 gaps of Generative AI fundamentals no training closes, and 3 of LONG_SKILL
      with "Introduction to generative AI" recommended (a group under 5 in U4 and in U1).
    - The units' cost centres: U2 (Sales) has CC-200, the others CC-100. CC-200 spent 1,180 of a 1,000
      training budget in Q1: 118 %, over budget.
    - The skill "prompting" is renamed LONG_SKILL everywhere, to see that long names are not cut.
    """
    latest = SNAPSHOTS[-1]
    con = duckdb.connect(str(candidate))
    try:
        con.execute(
            "insert into marts.org_units (snapshot_date, org_unit_id, parent_org_unit_id, org_unit_name, "
            "org_unit_path, org_unit_level, is_root, is_ai_ccoe) values (?, 'U4', 'U1', ?, ?, 2, false, false)",
            [latest, LONG_UNIT, f"Contoso / Engineering / {LONG_UNIT}"],
        )
        con.execute("update marts.org_units set is_ai_ccoe = false where is_ai_ccoe is null")
        con.execute(
            "update marts.org_units set cost_center_id = case org_unit_id when 'U2' then 'CC-200' else 'CC-100' end"
        )
        for a, audience in enumerate(("leadership", "tech_specialist", "end_user")):
            for skill, name, level in (("genai_fundamentals", "Generative AI fundamentals", 2), ("prompting", "x", 1)):
                headcount = 12 // (a + 1)  # 12, 6, 4
                suppressed = headcount < 5
                meeting = headcount // 2  # 6, 3
                con.execute(
                    "insert into marts.skills_coverage (snapshot_date, org_unit_id, org_unit_name, audience, skill_id, "
                    "skill_name, required_level, headcount, meeting_count, gap_count, coverage_pct, is_suppressed, "
                    "is_root) values (?, 'U4', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false)",
                    [
                        latest,
                        LONG_UNIT,
                        audience,
                        skill,
                        name,
                        level,
                        None if suppressed else headcount,
                        None if suppressed else meeting,
                        None if suppressed else headcount - meeting,
                        None if suppressed else meeting / headcount,
                        suppressed,
                    ],
                )
        for i in range(6):
            con.execute(
                "insert into marts.skill_gaps (snapshot_date, worker_key, org_unit_id, audience, skill_id, skill_name, "
                "required_level, current_level, has_recommendation, is_root) values "
                "(?, ?, 'U4', 'end_user', 'genai_fundamentals', 'Generative AI fundamentals', 2, 1, false, false)",
                [latest, f"wk_u4_{i}"],
            )
        for i in range(3):
            con.execute(
                "insert into marts.skill_gaps (snapshot_date, worker_key, org_unit_id, audience, skill_id, skill_name, "
                "required_level, current_level, recommended_item_uid, recommended_item_title, has_recommendation, "
                "is_root) values (?, ?, 'U4', 'leadership', 'prompting', ?, 1, 0, 'item_3', "
                "'Introduction to generative AI', true, false)",
                [latest, f"wk_u4_p{i}", LONG_SKILL],
            )
        con.execute(
            "insert into marts.readiness_scorecard (snapshot_date, org_unit_id, org_unit_name, headcount, "
            "coverage_pct, leadership_coverage_pct, tech_specialist_coverage_pct, end_user_coverage_pct, "
            "training_completion_rate, ai_spend_ytd, budget_ytd, readiness_score, is_suppressed, currency, is_root) "
            "values (?, 'U4', ?, 12, 0.5, 0.5, 0.5, null, 0.25, 100, 400, 42.5, false, 'USD', false)",
            [latest, LONG_UNIT],
        )
        for q in range(1, 5):
            actual = 1180 if q == 1 else 0
            con.execute(
                "insert into marts.budget_vs_spend (fiscal_year, fiscal_quarter, cost_center_id, category, "
                "budget_amount, actual_amount, variance_amount, variance_pct, ytd_budget_amount, ytd_actual_amount, "
                "forecast_amount, status, threshold_reached, fiscal_quarter_start_date, fiscal_quarter_end_date, "
                "quarter_state, budget_version, currency, as_of_date) values "
                "(2026, ?, 'CC-200', 'training', 1000, ?, ?, ?, ?, 1180, ?, ?, ?, ?, ?, ?, 'v1', 'USD', ?)",
                [
                    q,
                    actual,
                    1000 - actual,
                    (1000 - actual) / 1000,
                    1000 * q,
                    actual,
                    "over_budget" if actual > 1000 else "on_track",
                    1.0 if actual > 1000 else 0,
                    date(2026, 3 * q - 2, 1),
                    date(2026, 3 * q, 28),
                    "closed" if q < 4 else "current",
                    date(2026, 11, 28),
                ],
            )
        for mart, column in (("skills_coverage", "skill_name"), ("skill_gaps", "skill_name")):
            con.execute(f"update marts.{mart} set {column} = ? where skill_id = 'prompting'", [LONG_SKILL])
        con.execute("checkpoint")
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Report]]:
    """One published warehouse and its report for the module's read-only checks (the charts take seconds)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("READINESS_DATA_DIR", str(tmp_path_factory.mktemp("report") / "data"))
        patch.setenv("READINESS_PSEUDONYM_KEY", "test-pseudonym-key")
        settings = Settings.from_env()
        settings.ensure_dirs()
        build_candidate(settings.candidate_db, snapshots=SNAPSHOTS)
        _deepen(settings.candidate_db)
        publish(settings, "scheduled__2026-11-28T02:00:00+00:00", "2026-11-28")
        yield settings, write_report(settings)


@pytest.fixture
def report(built: tuple[Settings, Report]) -> Report:
    return built[1]


@pytest.fixture
def main_page(report: Report) -> str:
    return report.latest.read_text()


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def _section(text: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', text, re.S)
    assert match, f"no section {section_id}"
    return match.group(0)


def _tiles(text: str) -> str:
    return _text(re.search(r'<div class="tiles">.*?</div></div></div>', text, re.S).group(0))  # type: ignore[union-attr]


def _unit_row(text: str, name: str) -> str:
    """The visible text of the org-tree row of the unit named ``name``."""
    match = re.search(rf"<tr><td class=\"unit\"[^>]*><a [^>]*>{re.escape(name)}</a>.*?</tr>", text, re.S)
    assert match, f"no row for {name}"
    return _text(match.group(0))


def test_one_page_per_run_and_latest(built: tuple[Settings, Report]) -> None:
    settings, report = built
    assert report.path.name == "readiness-2026-11-28-scheduled__2026-11-28T02_00_00_00_00.html"
    assert report.latest.read_bytes() == report.path.read_bytes()
    assert report.charts == CHARTS
    assert not list(settings.reports_dir.glob(".*.tmp")), "no temporary file is left behind"
    assert not list(settings.reports_dir.glob(".units*")), "no half-built folder of unit pages is left behind"
    # Served files: the folder 0750, the pages 0640 (tests/security/installation.py's rule).
    assert stat.S_IMODE(report.units_dir.stat().st_mode) == 0o750
    assert {stat.S_IMODE(p.stat().st_mode) for p in report.units_dir.iterdir()} == {0o640}


def test_page_is_self_contained(main_page: str) -> None:
    text = main_page
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    # No reference that a browser would fetch: src/href only to the page's own elements, the report's own
    # unit pages (relative), or inline data.
    references = re.findall(r"\b(?:src|href)\s*=\s*\"([^\"]*)\"", text)
    assert references and all(re.fullmatch(r"#.*|data:.*|units/U[0-9]\.html", ref, re.S) for ref in references), (
        references
    )
    assert not re.search(r"url\((?!#)", text) and "@import" not in text
    assert text.count("<svg") >= len(CHARTS)


def test_dates_definition_and_footer(main_page: str) -> None:
    text = main_page
    header = _text(re.search(r"<header>.*?</header>", text, re.S).group(0))  # type: ignore[union-attr]
    # The data's date (the latest HR snapshot of the rows) beside the run's logical date.
    assert "HR snapshot of 2026-11-27" in header and "run of 2026-11-28" in header
    definition = _text(_section(text, "definition"))
    # dbt_project.yml: readiness_coverage_weight: 0.7, as readiness_scorecard.sql weighs coverage.
    assert coverage_weight() == 0.7
    assert "100 × (0.7 × skill coverage + 0.3 × training completion)" in definition
    assert "fewer than 5 workers" in definition
    footer = re.search(r"<footer>.*?</footer>", text, re.S).group(0)  # type: ignore[union-attr]
    assert "{" not in footer and '"' not in _text(footer), "no raw JSON in the footer"
    # marts_data.expected_rows with 3 snapshots, plus _deepen's rows: skills_coverage 3*4*3*2 + 6 = 78.
    assert "skills_coverage: 78 rows" in _text(footer)
    assert "readiness_scorecard: 13 rows" in _text(footer)


def test_headline_tiles(main_page: str) -> None:
    tiles = _tiles(main_page)
    # Root U0 at the last snapshot (s=2): coverage 0.4 + 0.2 = 0.6, completion 0.5: 100*(0.7*0.6+0.3*0.5) = 57.0.
    assert "Readiness score 57.0" in tiles and "Skill coverage 60%" in tiles
    # Gaps: marts_data's 40 plus U4's 6 + 3; without training: i % 10 == 0 (4 rows) plus U4's 6 = 10.
    assert "Open skill gaps 49" in tiles and "Gaps without training 10" in tiles
    # Budget: marts_data's CC-100 spends 2500q + 1000c over q 1-3, c 0-1 = 33,000 of 4*(10,000+20,000) =
    # 120,000; CC-200 1,180 of 4,000: 34,180 of 124,000 = 27.6 %.
    assert "Budget used 28% 34,180 of 124,000 USD" in tiles


def test_org_tree_is_indented_under_parents_and_linked(main_page: str) -> None:
    units = _section(main_page, "units")
    names = re.findall(r'<td class="unit" style="padding-left: ([0-9.]+)em"><a href="([^"]+)">([^<]+)</a>', units)
    # Depth first from the root, siblings largest first: U1 (30) with its child U4, U2 (24), U3 (3, suppressed).
    assert [(href, name) for _, href, name in names] == [
        ("units/U0.html", "Contoso"),
        ("units/U1.html", "Engineering"),
        ("units/U4.html", LONG_UNIT),  # the whole name, never cut
        ("units/U2.html", "Sales"),
        ("units/U3.html", "Tiny team"),
    ]
    indents = [float(pad) for pad, _, _ in names]
    assert indents[0] < indents[1] == indents[3] == indents[4] < indents[2], indents
    assert "All 5 org units" in _text(units)
    # Figures by hand: Engineering's scorecard (s=2) 30 people, score 57.0 (+7.0); its gaps without training:
    # marts_data's i in (0, 10, 20, 30) (all U1: 1 + i % 2 = 1) plus U4's 6 = 10.
    assert _unit_row(units, "Engineering") == "Engineering 30 57.0 (+7.0) 60% 60% 60% 60% 50% 10"
    # U4: 12 people, 42.5; its end users are under 5 (end_user_coverage_pct null): a dash, no figure.
    assert _unit_row(units, LONG_UNIT) == f"{LONG_UNIT} 12 42.5 50% 50% 50% – 25% 6"
    # Sales' gaps (odd i) all have training: 0.
    assert _unit_row(units, "Sales").endswith(" 0")
    assert _unit_row(units, "Tiny team") == "Tiny team fewer than 5 people: not shown"


def test_main_page_shows_the_top_levels_and_says_so(
    built: tuple[Settings, Report], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = read_report(built[0])
    monkeypatch.setattr(page, "MAIN_PAGE_UNITS", 3)
    units = _section(page.render(data), "units")
    # Level 0 (U0), then level 1 largest first: U1 (30), U2 (24); U3 and U4 wait for room.
    assert re.findall(r"<a href=\"units/(U[0-9])\.html\">", units) == ["U0", "U1", "U2"]
    assert "3 of 5 org units" in _text(units)


def test_main_page_shows_the_most_urgent_cost_centres_and_says_so(
    built: tuple[Settings, Report], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = read_report(built[0])
    monkeypatch.setattr(page, "MAIN_PAGE_COST_CENTRES", 1)
    rendered = page.render(data)
    budget, plan = _section(rendered, "cost-centres"), _section(rendered, "gap-plan")
    # The first row of each table as test_budget_per_cost_centre_shows_over_budget and
    # test_gap_closure_plan_per_cost_centre read them whole: CC-200 (worst status), CC-100 (costliest plan).
    assert [_text(row).split()[0] for row in re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", budget, re.S)] == ["CC-200"]
    assert "Shown: 1 of 2 cost centres, the worst status first" in _text(budget)
    assert [_text(row).split()[0] for row in re.findall(r"<tr[^>]*>(.*?)</tr>", plan, re.S)[1:]] == ["CC-100"]
    assert "Shown: 1 of 3 cost centres, the costliest plans first" in _text(plan)
    assert "exports/gap_closure_plan.parquet" in _text(plan)


def test_gaps_without_training_have_their_own_colour_and_count(main_page: str) -> None:
    gaps = _section(main_page, "gaps")
    # Groups of 5 or more by hand: (genai, Introduction) = even i not a multiple of 10 = 16; (LONG_SKILL,
    # formula title) = i % 4 == 1 = 10; (LONG_SKILL, Introduction) = i % 4 == 3 = 10, plus U4's 3 = 13;
    # (genai, none) = marts_data's 4 plus U4's 6 = 10, shown in the no-training colour.
    assert "gaps no catalogue item closes (10 in the groups shown)" in gaps
    bars = [int(n) for n in re.findall(r"> ([0-9,]+)</text>", gaps)]  # the value beside each bar
    assert sorted(bars, reverse=True) == [16, 13, 10, 10], bars
    assert "#6a3d9a" in gaps  # the no-training purple (charts.NO_TRAINING_COLOUR) fills a bar
    assert "no training grants this skill" in gaps
    assert "HYPERLINK" in gaps  # shown as text inside the SVG, escaped, never a link
    assert "<a " not in gaps


def test_names_are_wrapped_never_cut(main_page: str) -> None:
    text = main_page
    assert "…" not in text and "..." not in text
    # In the SVG charts a long name is broken into lines between words: every word is there, in order.
    for section in ("coverage", "gaps"):
        words = _text(_section(text, section))
        assert re.search(r"Business\s+impact\s+and\s+organisational\s+change\s+management", words), section
    assert LONG_UNIT in _text(_section(text, "units"))


def test_budget_per_cost_centre_shows_over_budget(main_page: str) -> None:
    table = _section(main_page, "cost-centres")
    rows = re.findall(r"<tr class=\"([^\"]*)\">(.*?)</tr>", table, re.S)
    # Worst status first: CC-200 (Sales) used 1,180 of 4,000 (29.5 %) but Q1 was over budget (1,180 > 1,000).
    assert [(cls, _text(row)) for cls, row in rows] == [
        ("over", "CC-200 Sales 4,000 1,180 30% 1,180 over budget Q1"),
        ("", "CC-100 Contoso, Engineering, Tiny team, " + LONG_UNIT + " 120,000 33,000 28% 33,000 on track –"),
    ]
    assert 'class="status status-over_budget"' in table


def test_gap_closure_plan_per_cost_centre(main_page: str) -> None:
    # marts_data's plan (FY2026 Q4, snapshot 2026-11-27), per planned gap 2 h and 100 of time + 10 of licence:
    # CC-100 30 gaps, 6 without an item, 24 planned: 48 h, 2,640 against 6,000 left; CC-200 10 gaps, all planned:
    # 20 h, 1,100. CC-300 (3 people) is suppressed: no figure at all. The units: U2 (Sales) has CC-200, the rest
    # CC-100 (_deepen); no unit has CC-300. The dearest plan first, the suppressed row last.
    section = _section(main_page, "gap-plan")
    text = _text(section)
    assert "FY2026 Q4 (HR snapshot 2026-11-27)" in text
    rows = [_text(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S)[1:]]
    assert rows[0] == f"CC-100 Contoso, Engineering, Tiny team, {LONG_UNIT} 30 6 24 48 2,640 6,000 yes"
    assert rows[1] == "CC-200 Sales 10 0 10 20 1,100 6,000 yes"
    assert rows[2] == "CC-300 – fewer than 5 people: not shown"
    assert len(rows) == 3


def test_ccoe_functions(main_page: str) -> None:
    # marts_data's CCoE of 30 (latest snapshot), least staffed first: change and adoption nobody (red), AI security
    # one person (red), solution development 4 (bench 3); the change is -1 everywhere.
    section = _section(main_page, "ccoe")
    assert "HR snapshot 2026-11-27; the CCoE has 30 people." in _text(section)
    rows = re.findall(r"<tr([^>]*)>(.*?)</tr>", section, re.S)[1:]
    assert [(cls, _text(row)) for cls, row in rows] == [
        (' class="over"', "Change and adoption 0 0 1 -1 2 nobody"),
        (' class="over"', "AI security 1 0 3 -1 0 one person alone"),
        (' class=""', "AI solution development 4 3 2 -1 3"),
    ]


def test_skills_currency_of_the_whole_organisation(main_page: str) -> None:
    # marts_data's root U0, 60 end users, both skills alike: 45 with evidence, 39 current (87 %), 6 lapsed, 5, 10
    # and 12 due within 30, 60, 90 days (_deepen renames "prompting" in the other marts only). Ties by name.
    section = _section(main_page, "currency")
    rows = [_text(row) for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]]
    assert rows == [
        "Generative AI fundamentals End users 60 45 87% 6 5 10 12",
        "Prompt engineering End users 60 45 87% 6 5 10 12",
    ]


def test_learning_effectiveness(main_page: str) -> None:
    # marts_data: item_1 14 of 20 completers (70 %) against 10 of 40 (25 %), +45 points; item_2 (3 completers) is
    # suppressed and not listed.
    section = _section(main_page, "effectiveness")
    rows = [_text(row) for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]]
    assert rows == ["Introduction to generative AI 2026-11-27 20 70% 40 25% +45 pts"]


def test_sentiment_of_the_latest_wave(main_page: str) -> None:
    # marts_data's November wave at the root U0, end users: confidence 0/2/4/4/2 of 12 (6 agree: 50 %, mean 3.50,
    # +0.80 on October's 2.70); job impact concern 1/2/3/4/2 (50 %, 3.33, its first wave). Main concern accuracy.
    section = _section(main_page, "sentiment")
    assert "Wave 2026-11." in _text(section)
    rows = [_text(row) for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]]
    assert rows == [
        "End users I feel confident 12 0 2 4 4 2 50% 3.50 +0.80 accuracy",
        "End users I am concerned about my job (agreeing is a concern) 12 1 2 3 4 2 50% 3.33 – accuracy",
    ]


def test_a_page_per_unit_with_its_own_figures(report: Report) -> None:
    assert report.unit_pages == 5
    assert sorted(p.name for p in report.units_dir.iterdir()) == [f"U{i}.html" for i in range(5)]
    engineering = (report.units_dir / "U1.html").read_text()
    tiles = _tiles(engineering)
    # Engineering and U4 below it: 30 people (scorecard), gaps 20 (even i) + 6 + 3 = 29, without training 4 + 6;
    # money: 1,000 of 4,000 year to date (scorecard at s=2).
    assert "People 30" in tiles and "Readiness score 57.0" in tiles and "+7.0 since the previous snapshot" in tiles
    assert "Open skill gaps 29" in tiles and "Gaps without training 10" in tiles
    assert "25% 1,000 of 4,000 USD" in tiles
    gaps = _text(_section(engineering, "gaps"))
    # (genai, Introduction) 16 in U1 itself; (genai, none) 4 + 6 = 10.
    assert "Generative AI fundamentals Introduction to generative AI 16" in gaps
    assert "Generative AI fundamentals no training grants this skill 10" in gaps
    # (LONG_SKILL, Introduction): only U4's 3 below Engineering, under 5: not there.
    assert LONG_SKILL not in gaps
    # Its one sub-unit, linked; the breadcrumb leads back to the root and the main page.
    assert f'<a href="U4.html">{LONG_UNIT}</a>' in _section(engineering, "sub-units")
    assert '<a href="../latest.html">Main page</a> › <a href="U0.html">Contoso</a>' in engineering
    # Engineering at the last snapshot, by audience: headcount 30 // (a + 1), meeting headcount // 2 + 4 + a.
    coverage = _text(_section(engineering, "coverage"))
    assert "Leadership Generative AI fundamentals 30 19 63%" in coverage
    assert "End users " + LONG_SKILL + " 10 10 100%" in coverage
    # Its cost centre.
    assert "CC-100" in _text(_section(engineering, "cost-centre"))


def test_unit_pages_show_no_suppressed_count(report: Report) -> None:
    u4 = (report.units_dir / "U4.html").read_text()
    coverage = _section(u4, "coverage")
    # U4's end users are 4 (< 5): their rows say so and carry no number at all.
    end_users = re.findall(r"<tr><td class=\"text\">End users</td>.*?</tr>", coverage, re.S)
    assert len(end_users) == 2
    for row in end_users:
        assert _text(row).endswith("fewer than 5 people: not shown") and not re.search(r"\b[0-46-9]\b", _text(row))
    # Its 6 gaps without training (>= 5) are shown; 12 people, 42.5.
    tiles = _tiles(u4)
    assert "People 12" in tiles and "Gaps without training 6" in tiles and "Readiness score 42.5" in tiles
    assert "Open skill gaps 9" in tiles
    # Its group of 3 (LONG_SKILL, Introduction) is under 5: not on its page; its group of 6 is.
    assert _text(_section(u4, "gaps")).endswith("Generative AI fundamentals no training grants this skill 6")
    # The tiny team (3 people): no figure of the unit at all, no tiles, no coverage table, no gaps.
    tiny = (report.units_dir / "U3.html").read_text()
    assert "has fewer than 5 people: its figures are not shown" in tiny
    assert 'class="tiles"' not in tiny and 'id="coverage"' not in tiny and 'id="gaps"' not in tiny
    # At the root the same group is 10 (i % 4 == 3) + 3 = 13: shown.
    assert f"{LONG_SKILL} Introduction to generative AI 13" in _text(
        _section((report.units_dir / "U0.html").read_text(), "gaps")
    )


def test_a_warehouse_without_the_org_units_mart_is_refused_clearly(
    built: tuple[Settings, Report], settings: Settings
) -> None:
    # A version published before marts.org_units existed (a copy: the module's warehouse stays as it is).
    settings.published_db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(built[0].published_db, settings.published_db)
    with duckdb.connect(str(settings.published_db)) as con:
        con.execute("drop table marts.org_units")
    with pytest.raises(ReportInputMissing, match=r"no marts\.org_units.*write the report again"):
        write_report(settings)
    assert not any(settings.reports_dir.iterdir()), "nothing half-done is written"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")
def test_report_renders_in_headless_chromium(report: Report) -> None:
    from playwright.sync_api import sync_playwright

    main_url = report.latest.as_uri()
    unit_url = (report.units_dir / "U1.html").as_uri()
    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # A laptop screen.
            tab = browser.new_page(viewport={"width": 1366, "height": 768})
            tab.on("request", lambda request: requests.append(request.url))
            tab.on("console", lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None)
            tab.on("pageerror", lambda error: problems.append(str(error)))
            tab.goto(main_url, wait_until="load")
            tab.wait_for_load_state("networkidle")
            ids = tab.eval_on_selector_all("section.chart", "nodes => nodes.map(n => n.id)")
            sizes = tab.eval_on_selector_all(
                "section.chart svg",
                "nodes => nodes.map(n => [n.getBoundingClientRect().width, n.getBoundingClientRect().height])",
            )
            overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            # The long unit name is shown whole: its cell is not clipped (the text fits in the box).
            clipped = tab.evaluate(
                "[...document.querySelectorAll('td.unit')].filter(td => td.scrollWidth > td.clientWidth).length"
            )
            title = tab.title()
            ARTIFACTS.mkdir(exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
            tab.locator("#gap-plan").screenshot(path=str(ARTIFACTS / "report-gap-plan.png"))
            tab.locator("#ccoe").screenshot(path=str(ARTIFACTS / "report-ccoe.png"))
            tab.locator("#currency").screenshot(path=str(ARTIFACTS / "report-currency.png"))
            tab.locator("#effectiveness").screenshot(path=str(ARTIFACTS / "report-effectiveness.png"))
            tab.locator("#sentiment").screenshot(path=str(ARTIFACTS / "report-sentiment.png"))
            # Follow the link to Engineering's page, as a manager would.
            tab.click("#units a[href='units/U1.html']")
            tab.wait_for_load_state("load")
            unit_title = tab.title()
            unit_overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            tab.screenshot(path=str(ARTIFACTS / "report-unit.png"), full_page=True)
        finally:
            browser.close()
    shutil.copy(report.latest, ARTIFACTS / "report.html")
    assert title.startswith("Generative-AI readiness report, 2026-11-28")
    assert unit_title.startswith("Engineering: generative-AI readiness")
    assert ids == list(CHARTS)
    assert len(sizes) == len(CHARTS)
    assert all(width > 500 and height > 150 for width, height in sizes), sizes
    assert overflow <= 0 and unit_overflow <= 0, "the pages fit the width of a laptop screen"
    assert clipped == 0
    assert problems == []
    assert requests == [main_url, unit_url], f"the pages fetched something: {requests}"
