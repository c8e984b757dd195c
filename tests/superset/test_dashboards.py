"""The dashboards as code, as a BI user meets them: superset-init.sh imported the bundle (the native Superset of
conftest.py is provisioned by it, as compose's superset-init is), every chart answers through the API from
its saved query context with rows, and every dashboard renders in headless Chromium without an error,
a failed chart query or a request beyond 127.0.0.1.

Expected figures are worked out by hand from tests/marts_data.py's loops (the published night is its
``scale=2``), not by querying the warehouse. Screenshots: test-artifacts/superset-dashboard-<slug>.png.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from readiness.serve import reader_uri
from tests.marts_data import UNITS, expected_rows
from tests.superset import bundle
from tests.superset.harness import NativeSuperset, SupersetApi

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
SCALE = 2  # the published night of tests/security/installation.py

#: Chart -> rows its query returns, by hand from tests/marts_data.py (scale 2).
EXPECTED_ROWS = {
    "Runs": expected_rows(SCALE)["pipeline_run_history"],
    "Rows per extract": expected_rows(SCALE)["pipeline_run_volumes"],
    "Publication": 1,
    "Org units and the AI CCoE": len(UNITS),
    "Status and thresholds per cost centre": expected_rows(SCALE)["budget_vs_spend"],
    # Six months of the item for U0 (the root) only, one bar per month.
    "Enrolments and completions per month": 6,
    # One row per unit and audience of five or more (Tiny team: 6, 3 and 2 workers; two suppressed).
    "Coverage by unit and audience": len(UNITS) * 3 - 2,
}
#: Chart -> (metric, its figure) by hand: every tenth gap of the 80 has no recommended item (marts_data's title
#: is None when i % 10 == 0); the root's learning hours are 3.0 per audience and month. One snapshot: the
#: big numbers' newest value is the only one.
EXPECTED_FIGURES = {
    "Gaps without training": ("gaps_without_training", sum(1 for i in range(40 * SCALE) if i % 10 == 0)),
    "Learning hours": ("learning_hours", 3.0 * 3 * 6),
    "Failed runs": ("failed_runs", 0),
}


def _listed(api: SupersetApi, kind: str, columns: str) -> list[dict[str, Any]]:
    answer = api.get(f"/api/v1/{kind}/", params={"q": f"(page_size:100,columns:!({columns}))"})
    answer.raise_for_status()
    return list(answer.json()["result"])


def _refused_outside_request(console_error: str) -> bool:
    """The browser's report that the content security policy refused an outside URL: Superset 6.1 asks for
    its usage pixel whatever SCARF_ANALYTICS says (superset_config.py); the refusal is what must happen."""
    urls = re.findall(r"'(https?://[^']+)'", console_error)
    return (
        "Content Security Policy" in console_error
        and bool(urls)
        and all(urlparse(url).hostname != "127.0.0.1" for url in urls)
    )


@pytest.fixture(scope="module")
def dashboards() -> bundle.Bundle:
    return bundle.load()


def test_the_provisioning_imported_every_dashboard_on_the_locked_connection(
    superset: NativeSuperset, dashboards: bundle.Bundle
) -> None:
    api = superset.api()
    listed = {d["slug"]: d["dashboard_title"] for d in _listed(api, "dashboard", "slug,dashboard_title")}
    assert listed == {d["slug"]: d["dashboard_title"] for d in dashboards.dashboards.values()}
    charts = {c["uuid"] for c in _listed(api, "chart", "uuid")}
    assert charts == set(dashboards.charts)
    # One connection: the bundle's database is the one superset-init set to the locked reader of this warehouse.
    (database,) = _listed(api, "database", "id,uuid,database_name")
    assert database["uuid"] == next(iter(dashboards.databases))
    stored = api.get(f"/api/v1/database/{database['id']}/connection").json()["result"]["sqlalchemy_uri"]
    assert sorted(stored.split("?")[1].split("&")) == sorted(reader_uri(superset.warehouse).split("?")[1].split("&"))
    assert stored.startswith(f"duckdb:///{superset.warehouse}?")


def test_every_chart_answers_with_rows_through_the_api(superset: NativeSuperset, dashboards: bundle.Bundle) -> None:
    api = superset.api()
    ids = {c["uuid"]: c["id"] for c in _listed(api, "chart", "id,uuid")}
    answers: dict[str, list[dict[str, Any]]] = {}
    failures = []
    for uuid, chart in dashboards.charts.items():
        answer = api.get(f"/api/v1/chart/{ids[uuid]}/data/")
        results = answer.json().get("result", []) if answer.ok else []
        if answer.status_code != 200 or not results or any(r.get("error") or not r["rowcount"] for r in results):
            failures.append(f"{chart['slice_name']}: HTTP {answer.status_code} {answer.text[:300]}")
        else:
            answers[chart["slice_name"]] = results
    assert failures == []
    for title, rows in EXPECTED_ROWS.items():
        assert answers[title][0]["rowcount"] == rows, title
    for title, (metric, figure) in EXPECTED_FIGURES.items():
        (row,) = answers[title][0]["data"]
        assert row[metric] == pytest.approx(figure), title


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")
def test_every_dashboard_renders_without_error_or_outside_request(
    superset: NativeSuperset, dashboards: bundle.Bundle
) -> None:
    from playwright.sync_api import Response, sync_playwright

    from tests.test_report import CHROMIUM_ARGS

    ARTIFACTS.mkdir(exist_ok=True)
    requested: list[str] = []
    answered: list[str] = []
    failed: dict[str, str] = {}
    # What the dashboard being shown produced: console errors, and (status, slice id, row counts) per chart query.
    errors: list[str] = []
    queries: list[tuple[int, int | None, list[int]]] = []

    def on_response(response: Response) -> None:
        answered.append(response.url)
        if "/api/v1/chart/data" in response.url:
            form = json.loads(response.request.post_data or "{}").get("form_data", {})
            body = response.json() if response.ok else {}
            counts = [r.get("rowcount", 0) for r in body.get("result", [])]
            queries.append((response.status, form.get("slice_id"), counts))

    report: list[str] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(120_000)  # the machine may be busy
        page.on("request", lambda request: requested.append(request.url))
        page.on("response", on_response)
        page.on("requestfailed", lambda request: failed.__setitem__(request.url, request.failure or ""))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{superset.url}/login/")
        page.fill('[data-test="username-input"]', "admin")
        page.fill('[data-test="password-input"]', superset.admin_password)
        page.click('[data-test="login-button"]')
        page.wait_for_url("**/superset/welcome/**")
        for dashboard in dashboards.dashboards.values():
            slug, title = dashboard["slug"], dashboard["dashboard_title"]
            errors.clear()
            queries.clear()
            page.goto(f"{superset.url}/superset/dashboard/{slug}/")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1000)  # the charts draw after their data arrived
            page.screenshot(path=str(ARTIFACTS / f"superset-dashboard-{slug}.png"), full_page=True)
            placed = len(bundle.dashboard_charts(dashboard))
            report.append(f"{title}: {placed} charts, queries (status, chart, rows) {queries}, console errors {errors}")
            if unexpected := [e for e in errors if not _refused_outside_request(e)]:
                problems.append(f"{title}: console errors {unexpected}")
            # A dashboard's filters ask for their values too (no chart id): they must answer as well.
            if len({slice_id for _, slice_id, _ in queries} - {None}) != placed:
                problems.append(f"{title}: {placed} charts placed, queries for {queries}")
            if any(status != 200 or not counts or 0 in counts for status, _, counts in queries):
                problems.append(f"{title}: a chart query failed or came back empty {queries}")
        browser.close()
    outside = sorted({url for url in requested if url.startswith("http") and urlparse(url).hostname != "127.0.0.1"})
    report += [f"outside 127.0.0.1: {url}: {failed.get(url, 'NOT BLOCKED')}" for url in outside]
    (ARTIFACTS / "superset-dashboards.txt").write_text("\n".join(report) + "\n")
    assert problems == []
    assert {failed.get(url) for url in outside} <= {"csp", "net::ERR_BLOCKED_BY_CSP"}, report
    assert {urlparse(url).hostname for url in answered if url.startswith("http")} == {"127.0.0.1"}, report
