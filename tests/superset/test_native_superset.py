"""A real Apache Superset, installed and provisioned as compose's image and superset-init do, cannot reach
raw data through SQL Lab, reads the marts, and its pages load nothing from beyond 127.0.0.1.

Slow (installing Superset, migrating its metadata DB): run by `make test-superset`, a step of its own in
.ci/run. The SQL Lab answers go to test-artifacts/superset-sqllab.md, a screenshot to superset-sqllab.png.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from readiness.serve import reader_uri
from tests.marts_data import expected_rows
from tests.security.installation import EMAILS, Installation
from tests.superset.harness import NativeSuperset

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
FILES_CLOSED = "file system operations are disabled by configuration"


def test_sql_lab_reads_the_marts_and_nothing_else(superset: NativeSuperset, installation: Installation) -> None:
    api = superset.api()
    database = api.database_id()
    stored = api.get(f"/api/v1/database/{database}/connection").json()["result"]["sqlalchemy_uri"]
    assert sorted(stored.split("?")[1].split("&")) == sorted(reader_uri(superset.warehouse).split("?")[1].split("&"))
    s = installation.settings
    hostile = {
        "ATTACH the ingest database and read e-mails": (
            f"attach '{s.ingest_db}' as ing (read_only); select work_email from ing.raw.hr__workers"
        ),
        "ATTACH the candidate": f"attach '{s.candidate_db}' as cand (read_only)",
        "read_csv of the archived HR extract": f"select work_email from read_csv('{installation.archived_csv}')",
        "read_text of the pseudonym key": f"select content from read_text('{installation.key_file}')",
        "glob of the data folder": f"select * from glob('{s.data_dir}/**')",
        "COPY a mart to a file": f"copy marts.skill_gaps to '{s.data_dir}/leak.csv'",
    }
    lines = ["# SQL Lab of a native Superset 6.1 on the locked connection", "", f"Connection: `{stored}`", ""]
    leaked = []
    for what, sql in hostile.items():
        answer = api.execute_sql(database, sql)
        body = answer.json()
        messages = [e.get("message", "") for e in body.get("errors", [])] or [body.get("message", "")]
        lines += [f"## {what}", "", f"```sql\n{sql}\n```", f"HTTP {answer.status_code}: {' / '.join(messages)}", ""]
        if answer.status_code == 200 or any(e in answer.text for e in EMAILS):
            leaked.append(f"{what}: {answer.status_code} {answer.text[:500]}")
        elif "read_csv" in sql:  # a plain SELECT: Superset passes it on, so the refusal is DuckDB's
            assert FILES_CLOSED in " ".join(messages), messages
    counts = api.execute_sql(database, "select count(*) as n from marts.skills_coverage")
    lines += ["## the marts", "", f"HTTP {counts.status_code}: {json.dumps(counts.json().get('data'))}", ""]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "superset-sqllab.md").write_text("\n".join(lines))
    assert leaked == []
    assert counts.status_code == 200 and counts.json()["data"] == [{"n": expected_rows(scale=2)["skills_coverage"]}]


def test_the_content_security_policy_names_no_outside_host(superset: NativeSuperset) -> None:
    policy = superset.api().get("/login/").headers["Content-Security-Policy"]
    sources = [token for directive in policy.split(";") for token in directive.split()[1:]]
    outside = [t for t in sources if t.startswith(("http", "//")) or "." in t.strip("'")]
    assert outside == [], policy


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")
def test_a_page_load_requests_nothing_beyond_127_0_0_1(superset: NativeSuperset) -> None:
    from playwright.sync_api import sync_playwright

    from tests.test_report import CHROMIUM_ARGS

    requested: list[str] = []
    answered: list[str] = []  # requests that reached a server and got a response
    failed: dict[str, str] = {}  # url -> why the browser did not send it or got nothing back
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.on("request", lambda request: requested.append(request.url))
        page.on("response", lambda response: answered.append(response.url))
        page.on("requestfailed", lambda request: failed.__setitem__(request.url, request.failure or ""))
        page.set_default_timeout(120_000)  # the machine may be busy
        page.goto(f"{superset.url}/login/")
        page.fill('[data-test="username-input"]', "admin")
        page.fill('[data-test="password-input"]', superset.admin_password)
        page.click('[data-test="login-button"]')
        page.wait_for_url("**/superset/welcome/**")
        page.goto(f"{superset.url}/sqllab/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / "superset-sqllab.png"))
        browser.close()
    outside = sorted({url for url in requested if url.startswith("http") and urlparse(url).hostname != "127.0.0.1"})
    report = [f"{len(requested)} requests, {len(answered)} answered, all from 127.0.0.1 except:"]
    report += [f"{url}: {failed.get(url, 'NOT BLOCKED')}" for url in outside]
    (ARTIFACTS / "superset-requests.txt").write_text("\n".join([*report, "", *requested]))
    # Superset 6.1 still asks for its usage pixel: the browser must refuse it under the policy, before
    # any connection, and nothing from outside may have been answered.
    assert {failed.get(url) for url in outside} <= {"csp", "net::ERR_BLOCKED_BY_CSP"}, report
    assert {urlparse(url).hostname for url in answered if url.startswith("http")} == {"127.0.0.1"}, report
    assert len(requested) > 10, "the pages did load"
