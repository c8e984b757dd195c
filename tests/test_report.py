"""The readiness report: rendered from a published warehouse and opened in a real headless Chromium.

Debian's chromium is driven by playwright (playwright's own browser download is not used). The page
must render its five charts, log no console error and make no request but for the page itself.
The screenshot is kept in test-artifacts/ for people to look at.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from readiness.config import Settings
from readiness.publish import publish
from readiness.report import write_report
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


@pytest.fixture
def published(settings: Settings) -> Settings:
    build_candidate(settings.candidate_db, snapshots=(date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 27)))
    publish(settings, "scheduled__2026-11-28T02:00:00+00:00", "2026-11-28")
    return settings


def test_one_page_per_run_and_latest(published: Settings) -> None:
    report = write_report(published)
    assert report.path.name == "readiness-2026-11-28-scheduled__2026-11-28T02_00_00_00_00.html"
    assert report.latest.read_bytes() == report.path.read_bytes()
    assert report.charts == CHARTS
    assert not list(published.reports_dir.glob(".*.tmp")), "no temporary file is left behind"


def test_page_is_self_contained(published: Settings) -> None:
    text = write_report(published).path.read_text()
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    # No reference that a browser would fetch: src/href only to the page's own elements, no CSS @import.
    references = re.findall(r"\b(?:src|href)\s*=\s*\"([^\"]*)\"", text)
    # "#id" points inside the page; "data:" is inline (the colour bar is a small embedded PNG).
    assert references and all(ref.startswith(("#", "data:")) for ref in references)
    assert not re.search(r"url\((?!#)", text) and "@import" not in text
    assert text.count("<svg") >= len(CHARTS)


def test_trend_is_the_readiness_score_and_falls_back_to_coverage_without_the_scorecard(
    published: Settings,
) -> None:
    text = write_report(published).path.read_text()
    assert "Readiness score of the whole organisation" in text
    assert "marts.readiness_scorecard is not published yet" not in text
    # A warehouse published before the scorecard existed: the trend comes from skills_coverage, and says so.
    with duckdb.connect(str(published.published_db)) as con:
        con.execute("drop table marts.readiness_scorecard")
    text = write_report(published).path.read_text()
    assert "marts.readiness_scorecard is not published yet" in text


def test_small_gap_groups_are_not_shown(published: Settings) -> None:
    # By hand from marts_data: 40 gaps; i % 10 == 0 has no training (4 rows: 2 per skill, under 5, hidden);
    # the rest split by skill (i % 2) and title (i % 4 == 1 is the formula title, only odd i).
    text = write_report(published).path.read_text()
    assert "(no training grants this skill)" not in text
    assert "HYPERLINK" in text  # shown as text inside the SVG, escaped, never a link
    assert "<a " not in text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")
def test_report_renders_in_headless_chromium(published: Settings) -> None:
    from playwright.sync_api import sync_playwright

    report = write_report(published)
    url = report.latest.as_uri()
    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # A laptop screen.
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(url, wait_until="load")
            page.wait_for_load_state("networkidle")
            ids = page.eval_on_selector_all("section.chart", "nodes => nodes.map(n => n.id)")
            sizes = page.eval_on_selector_all(
                "section.chart svg",
                "nodes => nodes.map(n => [n.getBoundingClientRect().width, n.getBoundingClientRect().height])",
            )
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            title = page.title()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        finally:
            browser.close()
    shutil.copy(report.latest, ARTIFACTS / "report.html")
    assert title.startswith("Generative-AI readiness report, 2026-11-28")
    assert ids == list(CHARTS)
    assert len(sizes) == len(CHARTS)
    assert all(width > 500 and height > 150 for width, height in sizes), sizes
    assert overflow <= 0, "the page fits the width of a laptop screen"
    assert problems == []
    assert requests == [url], f"the page fetched something: {requests}"
