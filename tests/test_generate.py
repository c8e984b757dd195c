"""The synthetic organisation: the extract contracts (docs/extracts.md), checked on the files as written.

Expectations are computed from the files read back (csv, json, pyarrow), never from generator internals.
The checks of the contracts run on the light sample (what `make run` uses) and on enterprise volumes (the
scale tiers); the volumes per worker of each are checked on their own.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from readiness.contracts import EXTRACTS
from readiness.generate import ENTERPRISE, SAMPLE, GenerationSummary, Volumes, generate_organisation
from readiness.ingest import load_extract
from readiness.validate import validate_extract

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 27)
SNAPSHOTS = ("2026-09-30", "2026-10-31", "2026-11-27")
HEADERS = {
    "workers": "worker_id,first_name,last_name,work_email,job_profile_id,org_unit_id,cost_center_id,"
    "manager_worker_id,country_code,hire_date,termination_date,worker_status,fte",
    "job_profiles": "job_profile_id,job_title,job_family,management_level",
    "org_units": "org_unit_id,org_unit_name,parent_org_unit_id,org_unit_type,cost_center_id,is_ai_ccoe",
    "worker_skills": "worker_id,skill_id,proficiency,evidence,assessed_date,expires_date",
    "budget": "budget_version,fiscal_year,fiscal_quarter,cost_center_id,category,amount,currency,approved_date",
    "gl_actuals": "journal_id,line_number,posting_date,cost_center_id,gl_account,vendor_name,description,"
    "amount,currency,project_code",
    "fx_rates": "rate_date,from_currency,to_currency,rate",
    "course_activity": "learnerUserId,learningContentId,completionPercentage,completedDateTime,status",
    "pulse_responses": "response_id,submitted_date,org_unit_id,audience,confidence,job_impact_concern,"
    "training_interest,output_trust,concern_category",
}
KEYS = {
    "workers": ("worker_id",),
    "job_profiles": ("job_profile_id",),
    "org_units": ("org_unit_id",),
    "worker_skills": ("worker_id", "skill_id"),
    "gl_actuals": ("journal_id", "line_number"),
    "budget": ("budget_version", "fiscal_year", "fiscal_quarter", "cost_center_id", "category"),
    "fx_rates": ("rate_date", "from_currency", "to_currency"),
    "course_activity": ("learnerUserId", "learningContentId"),
    "pulse_responses": ("response_id",),
}
SKILLS = {
    "genai_fundamentals",
    "responsible_ai",
    "ai_business_impact",
    "ai_decision_making",
    "prompt_engineering",
    "copilot_productivity",
    "ai_feedback",
    "azure_openai_development",
    "llm_operations",
    "natural_language_processing",
    "ai_security",
    "ai_learning_design",
}
REFERENCE_ITEMS = {  # docs/readiness-plan.md: uid -> (catalogue array, title, url, duration_in_minutes)
    "introduction-generative-ai": (
        "learningPaths",
        "Microsoft Azure AI Fundamentals: Generative AI",
        "https://learn.microsoft.com/training/paths/introduction-generative-ai/",
        180,
    ),
    "intro-generative-ai-for-trainers": (
        "learningPaths",
        "Introduction to generative AI for trainers",
        "https://learn.microsoft.com/training/paths/intro-generative-ai-for-trainers/",
        240,
    ),
    "develop-ai-solutions-azure-openai": (
        "learningPaths",
        "Develop Generative AI solutions with Azure OpenAI Service",
        "https://learn.microsoft.com/training/paths/develop-ai-solutions-azure-openai/",
        480,
    ),
    "security-copilot-and-ai": (
        "learningPaths",
        "Get started with Microsoft Copilot for Security",
        "https://learn.microsoft.com/training/paths/security-copilot-and-ai/",
        150,
    ),
    "career-essentials-generative-ai": (
        "learningPaths",
        "Career Essentials in Generative AI by Microsoft and LinkedIn",
        "https://www.linkedin.com/learning/paths/career-essentials-in-generative-ai-by-microsoft-and-linkedin",
        240,
    ),
    "generative-ai-for-beginners": (
        "courses",
        "Generative AI for Beginners - A Course",
        "https://microsoft.github.io/generative-ai-for-beginners/",
        1260,
    ),
}
FOCUS_REQUIRED = {
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "BillingCurrency",
    "BillingAccountId",
    "BillingAccountName",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ServiceCategory",
    "ServiceName",
    "ProviderName",
    "PublisherName",
    "InvoiceIssuerName",
    "RegionId",
    "ResourceId",
    "ResourceName",
    "SubAccountId",
    "SubAccountName",
    "Tags",
}


ENTERPRISE_WORKERS = 300
#: (workers, volumes) of each profile the contract checks run on.
PROFILES: dict[str, tuple[int, Volumes]] = {"sample": (60, SAMPLE), "enterprise": (ENTERPRISE_WORKERS, ENTERPRISE)}


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("landing")
    return out, generate_organisation(out, employees=60, seed=7, as_of=AS_OF)


@pytest.fixture(scope="module")
def enterprise(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("enterprise")
    return out, generate_organisation(out, employees=ENTERPRISE_WORKERS, seed=7, as_of=AS_OF, volumes=ENTERPRISE)


@pytest.fixture(scope="module", params=list(PROFILES))
def generated(request: pytest.FixtureRequest) -> tuple[Path, GenerationSummary]:
    """The sample, then the enterprise volumes: for the checks that hold for both."""
    return request.getfixturevalue("landing" if request.param == "sample" else "enterprise")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def hr(root: Path, extract: str, snapshot: str = "2026-11-27") -> list[dict[str, str]]:
    """An HR extract as of `snapshot`: its latest delivery on or before it (unchanged ones are not re-sent)."""
    delivered = sorted(p for p in (root / "hr" / extract).glob(f"{extract}_*.csv") if p.stem[-10:] <= snapshot)
    return read_csv(delivered[-1])


def profile_of(root: Path, summary: GenerationSummary) -> str:
    return "sample" if summary.employees == PROFILES["sample"][0] else "enterprise"


def statements(root: Path) -> list[dict]:
    lines = (root / "lms/statements/statements_2026-11-27.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def catalogue(root: Path) -> dict[str, list[dict]]:
    return json.loads((root / "lms/catalog/catalog_2026-11-27.json").read_text(encoding="utf-8"))


def test_same_seed_gives_same_bytes_and_another_seed_differs(generated, tmp_path: Path) -> None:
    root, summary = generated
    employees, volumes = PROFILES[profile_of(root, summary)]
    again = generate_organisation(tmp_path / "again", employees=employees, seed=7, as_of=AS_OF, volumes=volumes)
    assert again.files == summary.files
    for name in summary.files:
        assert (root / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    assert not [p for p in (tmp_path / "again").rglob("*") if p.name.startswith(".")], "temporary files left"
    other = generate_organisation(tmp_path / "other", employees=employees, seed=8, as_of=AS_OF, volumes=volumes)
    assert (tmp_path / "other" / "hr/workers/workers_2026-11-27.csv").read_bytes() != (
        root / "hr/workers/workers_2026-11-27.csv"
    ).read_bytes()
    assert other.files.keys() == summary.files.keys()


def test_layout_and_summary_match_the_files(generated) -> None:
    root, summary = generated
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert written == sorted(summary.files)
    expected = {f"hr/{e}/{e}_{d}.csv" for e in ("workers", "worker_skills") for d in SNAPSHOTS}
    # The sample sends the unchanged org tree and job profiles with every snapshot, as an HR export does;
    # enterprise volumes send them once.
    reference = SNAPSHOTS if profile_of(root, summary) == "sample" else SNAPSHOTS[:1]
    expected |= {f"hr/{e}/{e}_{d}.csv" for e in ("job_profiles", "org_units") for d in reference}
    expected |= {
        "lms/catalog/catalog_2026-11-27.json",
        "lms/statements/statements_2026-11-27.jsonl",
        "lms/course_activity/course_activity_2026-11-27.csv",
        "finance/budget/budget_2025-12-15.csv",
        "finance/budget/budget_2026-07-10.csv",
        "finance/gl_actuals/gl_actuals_2026-11-27.csv",
        "finance/fx_rates/fx_rates_2026-11-27.csv",
        "finance/cloud_costs/cloud_costs_2026-11-27.parquet",
        "survey/pulse_responses/pulse_responses_2026-11-27.csv",
    }
    assert set(written) == expected
    for name, count in summary.files.items():
        _, extract, file = name.split("/")
        assert re.fullmatch(rf"{extract}_\d{{4}}-\d{{2}}-\d{{2}}\.(csv|jsonl|json|parquet)", file), name
        if name.endswith(".csv"):
            assert count == len(read_csv(root / name)), name
        elif name.endswith(".parquet"):
            assert count == pq.read_metadata(root / name).num_rows
    assert summary.files["lms/statements/statements_2026-11-27.jsonl"] == len(statements(root))
    employees = PROFILES[profile_of(root, summary)][0]
    assert len(hr(root, "workers")) == summary.employees == employees and summary.as_of == AS_OF


def test_csv_headers_and_keys(generated) -> None:
    root, summary = generated
    for name in (n for n in summary.files if n.endswith(".csv")):
        extract = name.split("/")[1]
        first_line = (root / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line == HEADERS[extract], name
        keys = [tuple(row[k] for k in KEYS[extract]) for row in read_csv(root / name)]
        assert len(keys) == len(set(keys)), f"duplicate keys in {name}"


def test_workers_reference_profiles_units_and_managers(generated) -> None:
    root, _ = generated
    for snapshot in SNAPSHOTS:
        workers = hr(root, "workers", snapshot)
        profiles = {p["job_profile_id"] for p in hr(root, "job_profiles", snapshot)}
        units = {u["org_unit_id"]: u for u in hr(root, "org_units", snapshot)}
        by_id = {w["worker_id"]: w for w in workers}
        for w in workers:
            assert w["job_profile_id"] in profiles and w["org_unit_id"] in units
            assert w["cost_center_id"] == units[w["org_unit_id"]]["cost_center_id"]
            if w["manager_worker_id"]:  # the manager works in the same unit or the parent unit
                manager_unit = by_id[w["manager_worker_id"]]["org_unit_id"]
                assert manager_unit in (w["org_unit_id"], units[w["org_unit_id"]]["parent_org_unit_id"])
            assert re.fullmatch(r"W\d{6}", w["worker_id"]) and re.fullmatch(r"[A-Z]{2}", w["country_code"])
            assert re.fullmatch(r"[a-z]+\.[a-z]+\d*@contoso\.example", w["work_email"])
            assert w["worker_status"] in {"Active", "Leave", "Terminated"} and 0 < float(w["fte"]) <= 1
            assert (w["worker_status"] == "Terminated") == (w["termination_date"] != "")
            assert w["termination_date"] == "" or w["termination_date"] >= w["hire_date"]
            assert w["hire_date"] <= snapshot
        assert len({w["work_email"] for w in workers}) == len(workers)
        assert sum(w["manager_worker_id"] == "" for w in workers) == 1  # the chief executive
    sizes = [len(hr(root, "workers", d)) for d in SNAPSHOTS]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]  # hires between snapshots
    statuses = Counter(w["worker_status"] for w in hr(root, "workers"))
    assert statuses["Terminated"] > 0 and statuses["Active"] > 0.8 * sizes[-1]


def test_org_tree_has_one_root_no_cycle_and_a_ccoe(generated) -> None:
    root, _ = generated
    units = {u["org_unit_id"]: u for u in hr(root, "org_units")}
    roots = [u for u in units.values() if u["parent_org_unit_id"] == ""]
    assert len(roots) == 1 and roots[0]["org_unit_type"] == "Company"
    for unit_id in units:
        seen, current = set(), unit_id
        while units[current]["parent_org_unit_id"]:
            assert current not in seen, f"cycle through {unit_id}"
            seen.add(current)
            current = units[current]["parent_org_unit_id"]
            assert current in units
        assert len(seen) < 4  # depth at most 4 levels
    assert {u["is_ai_ccoe"] for u in units.values()} == {"true", "false"}
    ccoe = [u for u in units.values() if u["is_ai_ccoe"] == "true" and u["org_unit_type"] == "Department"]
    assert len(ccoe) == 1 and ccoe[0]["org_unit_name"] == "AI Cloud Center of Excellence"
    children = [u for u in units.values() if u["parent_org_unit_id"] == ccoe[0]["org_unit_id"]]
    assert children and all(u["is_ai_ccoe"] == "true" for u in children)
    # a department's tenth team on has a cost centre numbered under the department's
    assert all(re.fullmatch(r"CC-\d{4}(-\d{3})?", u["cost_center_id"]) for u in units.values())


def test_job_profiles_and_skills(generated) -> None:
    root, _ = generated
    profiles = hr(root, "job_profiles")
    assert {p["management_level"] for p in profiles} == {"Individual Contributor", "Manager", "Director", "Executive"}
    families = {p["job_family"] for p in profiles}
    technical = {"Software Engineering", "Data & Analytics", "IT Operations", "Security"}
    assert technical | {"Finance", "Sales", "Marketing"} <= families
    workers = {w["worker_id"] for w in hr(root, "workers")}
    skills = hr(root, "worker_skills")
    for s in skills:
        assert s["worker_id"] in workers and s["skill_id"] in SKILLS and 0 <= int(s["proficiency"]) <= 5
        assert s["evidence"] in {"self_assessed", "manager_validated", "assessment", "certification"}
        assert (s["evidence"] == "certification") == (s["expires_date"] != "")
    assert any(s["expires_date"] and s["expires_date"] < "2026-11-27" for s in skills)  # lapsed certificates
    assert len({s["worker_id"] for s in skills}) < len(workers) * len(SKILLS)


def test_catalogue_holds_the_reference_items(generated) -> None:
    root, _ = generated
    items = catalogue(root)
    assert set(items) == {"modules", "learningPaths", "courses"}
    by_uid = {i["uid"]: (array, i) for array, entries in items.items() for i in entries}
    assert len(by_uid) == sum(len(v) for v in items.values()) >= 16
    for uid, (array, title, url, minutes) in REFERENCE_ITEMS.items():
        found_array, item = by_uid[uid]
        found = (found_array, item["title"], item["url"], item["duration_in_minutes"])
        assert found == (array, title, url, minutes)
    for _, item in by_uid.values():
        assert {"uid", "title", "summary", "levels", "roles", "products", "duration_in_minutes", "url", "type"} <= set(
            item
        )
    for path in items["learningPaths"]:
        assert all(m in by_uid for m in path["modules"])


def test_statements_are_xapi_about_catalogue_items_and_hr_workers(generated) -> None:
    root, summary = generated
    urls = {i["url"] for entries in catalogue(root).values() for i in entries}
    workers = hr(root, "workers")
    known = {f"mailto:{w['work_email']}" for w in workers} | {w["worker_id"] for w in workers}
    known |= {hashlib.sha1(f"mailto:{w['work_email']}".encode()).hexdigest() for w in workers}
    rows = statements(root)
    ids = [s["id"] for s in rows]
    assert len(ids) == len(set(ids))
    assert [s["stored"] for s in rows] == sorted(s["stored"] for s in rows)
    learners, outsiders = set(), set()
    for s in rows:
        assert s["version"] == "1.0.3" and s["stored"].endswith("Z")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", s["timestamp"])
        actor = s["actor"]
        key = actor.get("mbox") or actor.get("mbox_sha1sum") or actor["account"]["name"]
        (learners if key in known else outsiders).add(key)
        if s["verb"]["id"].endswith("/voided"):
            assert s["object"]["objectType"] == "StatementRef" and s["object"]["id"] in ids
        else:
            assert s["object"]["id"] in urls
        if "score" in s.get("result", {}):
            assert -1 <= s["result"]["score"]["scaled"] <= 1
    assert outsiders and all(o.startswith("mailto:") and "contoso.example" not in o for o in outsiders)
    verbs = Counter(s["verb"]["id"].rsplit("/", 1)[-1] for s in rows)
    assert verbs["voided"] > 0 and verbs["completed"] > 0 and verbs["registered"] > 0
    by_worker = {f"mailto:{w['work_email']}": w["worker_id"] for w in workers}
    by_worker |= {hashlib.sha1(f"mailto:{w['work_email']}".encode()).hexdigest(): w["worker_id"] for w in workers}
    share = len({by_worker.get(k, k) for k in learners}) / len(workers)
    # the sample: AI training only, which about half take; an enterprise's catalogue: nearly everybody
    assert 0.3 <= share <= 0.8 if profile_of(root, summary) == "sample" else share >= 0.9


def test_budgets_and_gl_actuals(generated) -> None:
    root, summary = generated
    original = read_csv(root / "finance/budget/budget_2025-12-15.csv")
    reforecast = read_csv(root / "finance/budget/budget_2026-07-10.csv")
    assert {r["budget_version"] for r in original} == {"FY2026-original"}
    assert {r["budget_version"] for r in reforecast} == {"FY2026-Q3-reforecast"}
    assert {r["fiscal_quarter"] for r in original} == {"1", "2", "3", "4"}
    assert {r["fiscal_quarter"] for r in reforecast} == {"3", "4"}
    categories = {"training", "tools_and_licenses", "cloud_ai_services", "hiring", "operations"}
    for r in original + reforecast:
        assert float(r["amount"]) >= 0 and re.fullmatch(r"\d+\.\d\d", r["amount"]) and r["currency"] == "USD"
        assert r["category"] in categories
    gl = read_csv(root / "finance/gl_actuals/gl_actuals_2026-11-27.csv")
    assert any(float(r["amount"]) < 0 for r in gl)
    assert all("2026-01-01" <= r["posting_date"] <= "2026-11-27" for r in gl)
    assert {r["currency"] for r in gl} <= {"USD", "EUR", "GBP"} and any(r["currency"] != "USD" for r in gl)
    assert any(not 6100 <= int(r["gl_account"]) <= 6599 for r in gl)
    budgeted = {r["cost_center_id"] for r in original}
    if profile_of(root, summary) == "sample":  # a few purchases on cost centres without a budget
        assert any(r["cost_center_id"] not in budgeted for r in gl)
    else:  # every cost centre has a budget
        assert budgeted == {u["cost_center_id"] for u in hr(root, "org_units")}


def test_cloud_costs_and_fx_rates(generated) -> None:
    root, summary = generated
    table = pq.read_table(root / "finance/cloud_costs/cloud_costs_2026-11-27.parquet")
    assert set(table.column_names) >= FOCUS_REQUIRED
    assert any(c.startswith("x_") for c in table.column_names)
    rows = table.to_pylist()
    ai = [r for r in rows if r["ServiceCategory"] == "AI and Machine Learning"]
    assert any(r["Tags"] in (None, "{}") for r in ai) and any(r["Tags"] not in (None, "{}") for r in ai)
    assert any(r["ChargeCategory"] == "Credit" and r["EffectiveCost"] < 0 for r in rows)
    assert {r["BillingCurrency"] for r in rows} == {"USD", "EUR"}
    assert {r["ProviderName"] for r in rows} == {"Microsoft", "AWS"}
    length = timedelta(days=1) if profile_of(root, summary) == "sample" else timedelta(hours=1)
    for r in (r for r in rows if r["ChargeCategory"] == "Usage"):
        assert r["ChargePeriodEnd"] - r["ChargePeriodStart"] == length
        assert r["ChargePeriodStart"].minute == 0 and r["ChargePeriodStart"].hour % (length.seconds // 3600 or 24) == 0
        assert r["BillingPeriodStart"] == r["ChargePeriodStart"].replace(day=1, hour=0)
        assert str(r["ChargePeriodStart"].tzinfo) == "UTC"
    fx = read_csv(root / "finance/fx_rates/fx_rates_2026-11-27.csv")
    days = {date.fromisoformat(r["rate_date"]) for r in fx}
    assert min(days) == date(2025, 12, 1) and max(days) <= AS_OF and all(d.weekday() < 5 for d in days)
    assert {(r["from_currency"], r["to_currency"]) for r in fx} == {("EUR", "USD"), ("GBP", "USD")}


def test_pulse_survey_is_anonymous_and_plausible(landing) -> None:
    root, _ = landing
    responses = read_csv(root / "survey/pulse_responses/pulse_responses_2026-11-27.csv")
    workers = hr(root, "workers")
    # Nothing of a worker but the unit and audience they would pick: no id, name or e-mail in any cell.
    personal = {w[k].lower() for w in workers for k in ("worker_id", "first_name", "last_name", "work_email")}
    assert not any(value.lower() in personal for row in responses for value in row.values())
    units = {u["org_unit_id"] for u in hr(root, "org_units")}
    assert {r["org_unit_id"] for r in responses} <= units
    assert {r["audience"] for r in responses} == {"leadership", "tech_specialist", "end_user"}
    # Three monthly waves up to the as-of date, a third or so of the ~60 active workers answering in each.
    waves = Counter(r["submitted_date"][:7] for r in responses)
    assert sorted(waves) == ["2026-09", "2026-10", "2026-11"]
    assert all(10 <= n <= 35 for n in waves.values()), waves
    assert max(r["submitted_date"] for r in responses) <= "2026-11-27"
    answers = ("confidence", "job_impact_concern", "training_interest", "output_trust")
    assert all(r[q] in {"1", "2", "3", "4", "5"} for r in responses for q in answers)

    # Tech specialists are more confident than end users, who worry more about their jobs (the sample's design).
    def mean(audience: str, question: str) -> float:
        values = [int(r[question]) for r in responses if r["audience"] == audience]
        return sum(values) / len(values)

    assert mean("tech_specialist", "confidence") > mean("end_user", "confidence")
    assert mean("end_user", "job_impact_concern") > mean("tech_specialist", "job_impact_concern")


# Enterprise volumes (the scale tiers): what a real organisation records per worker.


def test_enterprise_assesses_nearly_every_skill_of_every_worker(enterprise) -> None:
    root, _ = enterprise
    for snapshot in SNAPSHOTS:
        workers = hr(root, "workers", snapshot)
        skills = hr(root, "worker_skills", snapshot)
        assert 8 <= len(skills) / len(workers) <= 12, snapshot
        assert {s["skill_id"] for s in skills} == SKILLS  # the whole taxonomy, and nothing outside it
        low = sum(int(s["proficiency"]) <= 1 for s in skills)
        assert 0.5 <= low / len(skills) <= 0.95, "most assessments find little or no proficiency, not all"


def test_enterprise_learners_take_about_fifty_statements_a_year_from_a_large_catalogue(enterprise) -> None:
    root, _ = enterprise
    items = [i for entries in catalogue(root).values() for i in entries]
    skill_items = {r["item_uid"] for r in read_csv(REPO / "dbt_project/seeds/reference/learning_item_skills.csv")}
    assert len(items) > 200 and len({i["url"] for i in items}) == len(items)
    assert skill_items <= {i["uid"] for i in items}  # the seeded items stay
    granting = {i["url"] for i in items if i["uid"] in skill_items}
    workers = hr(root, "workers")
    actor_of = {f"mailto:{w['work_email']}": w["worker_id"] for w in workers} | {
        w["worker_id"]: w["worker_id"] for w in workers
    }
    actor_of |= {hashlib.sha1(f"mailto:{w['work_email']}".encode()).hexdigest(): w["worker_id"] for w in workers}
    window_start = AS_OF - timedelta(days=364)
    days = 0  # worker-days in the statements' year
    for w in workers:
        start = max(date.fromisoformat(w["hire_date"]), window_start)
        end = date.fromisoformat(w["termination_date"]) if w["termination_date"] else AS_OF
        days += max(0, (end - start).days)
    rows = [s for s in statements(root) if not s["verb"]["id"].endswith("/voided")]
    by_workers = []
    for s in rows:
        actor = s["actor"]
        key = actor.get("mbox") or actor.get("mbox_sha1sum") or actor["account"]["name"]
        if key in actor_of:
            by_workers.append(s)
    assert 40 <= len(by_workers) / (days / 365) <= 60
    registrations = [s for s in by_workers if s["verb"]["id"].endswith("/registered")]
    assert sum(s["object"]["id"] not in granting for s in registrations) > 0.7 * len(registrations)
    months = Counter(s["timestamp"][:7] for s in registrations)  # spread over the year
    year = [f"{(date(2025, 12, 1) + timedelta(days=31 * k)):%Y-%m}" for k in range(12)]
    assert all(months[m] > 0.04 * len(registrations) for m in year), months


def test_enterprise_cloud_costs_are_hourly_for_a_few_resources_per_hundred_workers(enterprise) -> None:
    root, _ = enterprise
    table = pq.read_table(root / "finance/cloud_costs/cloud_costs_2026-11-27.parquet")
    usage = table.filter(pc.equal(table["ChargeCategory"], "Usage"))
    resources = set(usage["ResourceId"].to_pylist())
    assert 0.7 * ENTERPRISE_WORKERS**0.5 <= len(resources) <= 1.4 * ENTERPRISE_WORKERS**0.5
    starts = zip(usage["ResourceId"].to_pylist(), usage["ChargePeriodStart"].to_pylist(), strict=True)
    days = Counter((resource, start.date()) for resource, start in starts)
    assert set(days.values()) == {24}, "every hour of every day a resource runs"
    last = max(s for _, s in days)
    assert last == AS_OF and min(s for _, s in days) == date(2026, 1, 1)
    categories = Counter(usage["ServiceCategory"].to_pylist())
    assert categories["AI and Machine Learning"] and len(categories) > 2  # in scope and out of scope


def test_enterprise_budgets_and_gl_lines_cover_every_cost_centre_every_month(enterprise) -> None:
    root, _ = enterprise
    units = hr(root, "org_units")
    cost_centres = {u["cost_center_id"] for u in units}
    assert len(cost_centres) > sum(u["org_unit_type"] != "Team" for u in units)  # some teams hold their own
    budgeted = {r["cost_center_id"] for r in read_csv(root / "finance/budget/budget_2025-12-15.csv")}
    assert budgeted == cost_centres
    months: dict[str, set[str]] = {}
    for line in read_csv(root / "finance/gl_actuals/gl_actuals_2026-11-27.csv"):
        months.setdefault(line["cost_center_id"], set()).add(line["posting_date"][:7])
    every_month = {f"2026-{m:02d}" for m in range(1, AS_OF.month + 1)}
    assert {cc: months.get(cc, set()) >= every_month for cc in budgeted} == dict.fromkeys(budgeted, True)


def test_enterprise_files_load_and_validate_with_nothing_quarantined(enterprise, settings) -> None:
    root, summary = enterprise
    shutil.copytree(root, settings.landing_dir, dirs_exist_ok=True)
    loaded = {}
    for extract in EXTRACTS:
        for outcome in load_extract(settings, extract).files:
            loaded[f"{extract.qualified_name}/{outcome.file_name}"] = (outcome.rows_read, outcome.rows_quarantined)
        validate_extract(settings, extract)  # raises on a failed expectation
    assert loaded == {name: (rows, 0) for name, rows in summary.files.items()}
