"""Finance side of the synthetic organisation: FX rates, FOCUS cloud costs, budgets and GL actuals."""

from __future__ import annotations

import calendar
import json
import random
import zlib
from datetime import date, datetime, timedelta, timezone

import pyarrow as pa

from readiness._generate_hr import Organisation

Rows = list[list[object]]
FX_START = {"EUR": 1.08, "GBP": 1.27}  # mean USD value of one unit; the walk reverts towards it
CATEGORIES = ("training", "tools_and_licenses", "cloud_ai_services", "hiring", "operations")
# category -> (share of departments budgeting it, annual USD per head, GL accounts, vendors, what is bought)
GL_PLAN: dict[str, tuple[float, float, tuple[int, ...], tuple[str, ...], tuple[str, ...]]] = {
    "training": (1.0, 220, (6110, 6120, 6130), ("Microsoft", "LinkedIn", "Coursera", "Pluralsight",
                 "O'Reilly Media", "Udemy Business"), ("learning licences", "instructor-led AI workshop",
                                                       "certification exam vouchers")),
    "tools_and_licenses": (0.7, 360, (6210, 6220), ("Microsoft", "GitHub", "OpenAI", "Atlassian"),
                           ("Microsoft 365 Copilot licences", "GitHub Copilot Business seats",
                            "ChatGPT Enterprise seats")),
    "cloud_ai_services": (0.0, 0, (6310, 6320), ("Microsoft", "Amazon Web Services"),
                          ("Azure OpenAI provisioned throughput", "Bedrock provisioned throughput")),
    "hiring": (0.4, 300, (6410, 6420), ("Hays", "Robert Half", "Michael Page", "Randstad", "LinkedIn"),
               ("AI engineer placement fee", "contract data scientist", "recruiting campaign")),
    "operations": (0.3, 120, (6510, 6520), ("Accenture", "Avanade", "Capgemini", "Deloitte"),
                   ("AI operations support", "GenAI advisory services")),
}
PROJECT_CODES = ("AI-ADOPT-2026", "GENAI-PILOT", "COPILOT-ROLLOUT", "CCOE-PLATFORM", "", "")
# key -> (provider, ServiceName, ServiceCategory, ResourceType, resource type path, ChargeDescription,
#         unit, list unit price, daily list cost range). Azure names as in Microsoft's FOCUS export.
SERVICES: dict[str, tuple[str, str, str, str, str, str, str, float, tuple[float, float]]] = {
    "openai": ("Microsoft", "Azure AI Services", "AI and Machine Learning", "Azure OpenAI",
               "microsoft.cognitiveservices/accounts", "Azure OpenAI - gpt-4o Glbl Input Tokens", "1K Tokens", 0.0025,
               (40, 300)),
    "search": ("Microsoft", "Azure AI Search", "Analytics", "Search service", "microsoft.search/searchservices",
               "Azure AI Search - Standard S1 - Unit", "Hours", 0.336, (8, 25)),
    "aml": ("Microsoft", "Azure Machine Learning", "AI and Machine Learning", "Azure Machine Learning workspace",
            "microsoft.machinelearningservices/workspaces", "NCads H100 v5 - NC40ads H100 v5", "Hours", 6.98,
            (20, 160)),
    "vm": ("Microsoft", "Virtual Machines", "Compute", "Virtual machine", "microsoft.compute/virtualmachines",
           "Virtual Machines Dsv5 Series - D4s v5", "Hours", 0.192, (4, 40)),
    "storage": ("Microsoft", "Storage Accounts", "Storage", "Storage account", "microsoft.storage/storageaccounts",
                "Hot LRS Data Stored", "GB/Month", 0.0006, (1, 15)),
    "bedrock": ("AWS", "Amazon Bedrock", "AI and Machine Learning", "model-invocation", "bedrock",
                "Claude 3.5 Sonnet input tokens", "1K Tokens", 0.003, (30, 220)),
    "sagemaker": ("AWS", "Amazon SageMaker", "AI and Machine Learning", "endpoint", "sagemaker",
                  "ml.g5.2xlarge hosting instance hour", "Hours", 1.515, (20, 100)),
    "ec2": ("AWS", "Amazon Elastic Compute Cloud", "Compute", "instance", "ec2",
            "On Demand Linux m6i.xlarge Instance Hour", "Hours", 0.192, (5, 60)),
    "rds": ("AWS", "Amazon Relational Database Service", "Databases", "db", "rds",
            "db.r6g.large PostgreSQL instance hour", "Hours", 0.26, (6, 30)),
}
SERVICE_WEIGHTS = {"openai": 14, "search": 5, "aml": 6, "bedrock": 8, "sagemaker": 4, "vm": 22, "storage": 14,
                   "ec2": 18, "rds": 9}
# billing account -> (name, currency, discount on list, regions); Microsoft Europe bills in EUR
BILLING = {"/providers/Microsoft.Billing/billingAccounts/8611537": ("Contoso Ltd", "USD", 0.10, ("eastus2",)),
           "/providers/Microsoft.Billing/billingAccounts/9302214": ("Contoso Europe GmbH", "EUR", 0.12,
                                                                    ("westeurope", "swedencentral")),
           "412398765012": ("Contoso AWS Organization", "USD", 0.06, ("us-east-1", "us-west-2"))}
TAG_KEYS, TAG_KEY_WEIGHTS = ("cost_center", "CostCenter", " CostCenter ", "costcenter"), (40, 35, 15, 10)
APPLICATIONS = ("support-assistant", "doc-search", "sales-copilot", "forecasting", "intranet", "data-platform")
UNTAGGED_RESOURCE_SHARE, UNTAGGED_ROW_SHARE = 0.1, 0.05
GENAI_COMPUTE_SHARE = 0.15  # VMs/EC2 serving GenAI apps, in scope by their ai_program tag
OVERRUN, UNDERSPEND = 0.2, 0.25  # share of (cost centre, category, quarter) running over / under budget


def fx_rates(seed: int, as_of: date) -> dict[tuple[date, str], float]:
    """(day, currency) -> USD rate on business days from 1 December of the previous year."""
    rng, rates = random.Random(f"{seed}:fx"), {}
    level = dict(FX_START)
    day = date(as_of.year - 1, 12, 1)
    while day <= as_of:
        for cur, mean in FX_START.items():
            level[cur] += rng.gauss(0, 0.004) + 0.05 * (mean - level[cur])
            if day.weekday() < 5:
                rates[day, cur] = round(level[cur], 6)
        day += timedelta(days=1)
    return rates


def _cc_tags(rng: random.Random, cc: str) -> dict[str, str]:
    key = rng.choices(TAG_KEYS, weights=TAG_KEY_WEIGHTS)[0]
    return {key: rng.choices((cc, cc.lower(), f" {cc} "), weights=(70, 15, 15))[0]}


def _resources(rng: random.Random, org: Organisation, count: int) -> list[dict[str, object]]:
    """Cloud resources with their account, tags, cost centre and daily cost."""
    depts = {u.name: u.cost_center_id for u in org.units if u.unit_type == "Department"}
    ai_owners = ((depts["AI Cloud Center of Excellence"], 55), (depts["Software Engineering"], 15),
                 (depts["Data & Analytics"], 15), (depts["Marketing"], 8), (depts["Customer Support"], 7))
    subs = {acct: [(f"{rng.getrandbits(32):08x}-0000-4000-8000-{rng.getrandbits(48):012x}"
                    if acct.startswith("/") else str(rng.randint(10**11, 10**12 - 1)), name)
                   for name in (f"{prefix}-ai-prod", f"{prefix}-ai-dev", f"{prefix}-platform")]
            for acct, prefix in zip(BILLING, ("contoso", "contoso-eu", "contoso-aws"))}
    keys = list(SERVICES) + rng.choices(list(SERVICE_WEIGHTS), weights=list(SERVICE_WEIGHTS.values()),
                                        k=max(0, count - len(SERVICES)))
    resources = []
    for n, key in enumerate(keys):
        provider, _, category, _, rtype, *_, (low, high) = SERVICES[key]
        accounts = [a for a in BILLING if a.startswith("/") == (provider == "Microsoft")]
        account = rng.choices(accounts, weights=(75, 25)[: len(accounts)])[0]
        sub_id, sub_name = rng.choice(subs[account])
        region = rng.choice(BILLING[account][3])
        name = f"{key}-{sub_name.split('-')[-2]}-{n:03d}"
        ai = category == "AI and Machine Learning" or key == "search"
        genai_compute = key in ("vm", "ec2") and rng.random() < GENAI_COMPUTE_SHARE
        cc = rng.choices([c for c, _ in ai_owners], weights=[w for _, w in ai_owners])[0] if ai or genai_compute \
            else rng.choice(list(depts.values()))
        tags: dict[str, str] | None = {**_cc_tags(rng, cc), "env": "dev" if "dev" in sub_name else "prod",
                                       "application": rng.choice(APPLICATIONS)}
        if genai_compute or key == "search":
            tags["ai_program"] = "genai"
        if ai and (n == 1 or rng.random() < UNTAGGED_RESOURCE_SHARE):  # n == 1: at least one untagged AI resource
            tags, cc = (None if rng.random() < 0.5 else {}), None
        if provider == "Microsoft":
            rg = f"rg-{sub_name}"
            resource_id = f"/subscriptions/{sub_id}/resourcegroups/{rg}/providers/{rtype}/{name}"
            sub_id = f"/subscriptions/{sub_id}"
        else:
            rg, resource_id = None, f"arn:aws:{rtype}:{region}:{sub_id}:{name}"
        start = date(org.snapshots[-1].year, 1, 1) + timedelta(days=0 if rng.random() < 0.7 else rng.randint(30, 250))
        resources.append({"key": key, "account": account, "sub": (sub_id, sub_name), "region": region, "rg": rg,
                          "id": resource_id, "name": name, "tags": tags, "cc": cc, "ai": ai or genai_compute,
                          "daily": rng.uniform(low, high), "start": start})
    return resources


def cloud_costs(org: Organisation, seed: int, as_of: date) -> tuple[pa.Table, dict[tuple[str, int], float]]:
    """FOCUS 1.0 daily rows for the fiscal year to date, and in-scope attributed USD spend by (cc, quarter)."""
    rng = random.Random(f"{seed}:cloud")
    resources = _resources(rng, org, 30 + len(org.workers) // 25)
    rows: list[dict[str, object]] = []
    spend: dict[tuple[str, int], float] = {}
    year_start = date(as_of.year, 1, 1)
    for res in resources:
        provider, service, category, rtype_name, _, description, unit, price, _ = SERVICES[str(res["key"])]
        acct_name, currency, discount, _ = BILLING[str(res["account"])]
        day = max(year_start, res["start"])  # type: ignore[type-var]
        while day <= as_of:
            progress = (day - year_start).days / 365
            growth = 0.5 + 1.4 * progress if res["ai"] else 1.0  # AI usage ramps up through the year
            weekend = 0.55 if day.weekday() >= 5 and str(res["key"]) not in ("storage", "rds") else 1.0
            list_cost = round(float(res["daily"]) * growth * weekend * rng.uniform(0.85, 1.15), 6)
            tags = res["tags"] if rng.random() >= UNTAGGED_ROW_SHARE else None  # tags missing some days
            cost = round(list_cost * (1 - discount), 6)
            rows.append(_focus_row(res, day, tags, acct_name, currency, provider, service, category, rtype_name,
                                   description, "Usage", list_cost, cost, unit, price))
            if res["ai"] and res["cc"] and tags is not None:
                key = (str(res["cc"]), (day.month - 1) // 3 + 1)
                spend[key] = spend.get(key, 0.0) + cost * (FX_START["EUR"] if currency == "EUR" else 1.0)
            day += timedelta(days=1)
    for month in (2, 5, 8, 11):  # promotional credits on an AI resource
        if date(as_of.year, month, 1) <= as_of:
            res = next(r for r in resources if r["key"] in ("openai", "bedrock") and r["cc"])
            provider, service, category, rtype_name, *_ = SERVICES[str(res["key"])]
            amount = -round(rng.uniform(500, 2000), 2)
            rows.append(_focus_row(res, date(as_of.year, month, 1), res["tags"], *BILLING[str(res["account"])][:2],
                                   provider, service, category, rtype_name, f"{service} promotional credit",
                                   "Credit", amount, amount, None, None))
    columns = list(rows[0])
    schema = pa.schema([(c, pa.timestamp("us", tz="UTC") if c.endswith(("Start", "End")) else
                         pa.float64() if c.endswith(("Cost", "Price", "Quantity")) else pa.string()) for c in columns])
    return pa.Table.from_pylist(rows, schema=schema), spend


def _focus_row(res: dict[str, object], day: date, tags: object, acct_name: str, currency: str, provider: str,
               service: str, category: str, rtype_name: str, description: str, charge: str, list_cost: float,
               cost: float, unit: str | None, price: float | None) -> dict[str, object]:
    """One FOCUS row; costs are in the billing currency."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
    period = start.replace(day=1)
    period_end = (period + timedelta(days=32)).replace(day=1)
    quantity = round(list_cost / price, 6) if price else None
    issuer = "Microsoft" if provider == "Microsoft" else "Amazon Web Services, Inc."
    sub_id, sub_name = res["sub"]  # type: ignore[misc]
    return {
        "AvailabilityZone": None, "BilledCost": cost, "BillingAccountId": res["account"],
        "BillingAccountName": acct_name, "BillingCurrency": currency, "BillingPeriodEnd": period_end,
        "BillingPeriodStart": period, "ChargeCategory": charge, "ChargeClass": None,
        "ChargeDescription": description, "ChargeFrequency": "Usage-Based" if charge == "Usage" else "One-Time",
        "ChargePeriodEnd": start + timedelta(days=1), "ChargePeriodStart": start,
        "CommitmentDiscountCategory": None, "CommitmentDiscountId": None, "CommitmentDiscountName": None,
        "CommitmentDiscountStatus": None, "CommitmentDiscountType": None, "ConsumedQuantity": quantity,
        "ConsumedUnit": unit, "ContractedCost": cost, "ContractedUnitPrice": round(price * cost / list_cost, 8)
        if price else None, "EffectiveCost": cost, "InvoiceIssuerName": issuer, "ListCost": list_cost,
        "ListUnitPrice": price, "PricingCategory": "Standard" if charge == "Usage" else None,
        "PricingQuantity": quantity, "PricingUnit": unit, "ProviderName": provider, "PublisherName": issuer,
        "RegionId": res["region"], "RegionName": str(res["region"]).replace("-", " ").title(),
        "ResourceId": res["id"], "ResourceName": res["name"], "ResourceType": rtype_name,
        "ServiceCategory": category, "ServiceName": service, "SkuId": f"{zlib.crc32(description.encode()):08X}",
        "SkuPriceId": None, "SubAccountId": sub_id,
        "SubAccountName": sub_name, "Tags": None if tags is None else json.dumps(tags),
        "x_ResourceGroupName": res["rg"],
    }


def _business_day(rng: random.Random, year: int, month: int, as_of: date) -> date:
    days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    return rng.choice([d for d in days if d.weekday() < 5 and d <= as_of] or [days[0]])


def budgets(org: Organisation, seed: int, as_of: date, cloud_spend: dict[tuple[str, int], float]
            ) -> tuple[dict[tuple[str, str], list[float]], dict[date, Rows]]:
    """Original plan for the four quarters and, once approved, a Q3 reforecast of quarters 3 and 4."""
    rng = random.Random(f"{seed}:budget")
    fy = as_of.year
    heads = {u.org_unit_id: 0 for u in org.units}
    for w in org.in_snapshot(as_of):
        if w.status(as_of) != "Terminated":
            heads[w.unit.org_unit_id] += 1
            heads[w.unit.parent_id or ""] = heads.get(w.unit.parent_id or "", 0) + 1  # teams roll up
    annual: dict[str, float] = {}  # attributed cloud AI spend, extrapolated to the whole year
    for (cc, _), usd in cloud_spend.items():
        annual[cc] = annual.get(cc, 0.0) + usd * 365 / ((as_of - date(fy, 1, 1)).days + 1)
    plan: dict[tuple[str, str], list[float]] = {}
    for dept in (u for u in org.units if u.unit_type == "Department"):
        cc, ccoe = dept.cost_center_id, dept.is_ai_ccoe
        for cat, (share, per_head, *_) in GL_PLAN.items():
            if cat == "cloud_ai_services":  # planned flat, a little short: growth makes later quarters overrun
                if not annual.get(cc) or dept.job_family not in ("Data & Analytics", "Software Engineering"):
                    continue
                base = annual[cc] / 4 * rng.uniform(0.75, 0.95)
            elif ccoe or rng.random() < share:
                base = heads[dept.org_unit_id] * per_head / 4 * rng.uniform(0.8, 1.2) * (3 if ccoe else 1)
            else:
                continue
            plan[cc, cat] = [round(base * rng.uniform(0.9, 1.1), 2) for _ in range(4)]
    original = date(fy - 1, 12, 15)
    files = {original: [[f"FY{fy}-original", fy, q + 1, cc, cat, f"{amounts[q]:.2f}", "USD", original]
                        for (cc, cat), amounts in plan.items() for q in range(4)]}
    reforecast = date(fy, 7, 10)
    if as_of >= reforecast:
        froze_hiring, rows = False, []
        for (cc, cat), amounts in plan.items():
            factor = rng.choice((rng.uniform(1.1, 1.4), rng.uniform(0.6, 0.9), 1.0, 1.0))
            if cat == "cloud_ai_services":
                factor = rng.uniform(1.2, 1.5)
            if cat == "hiring" and not froze_hiring:  # a hiring freeze: budget 0 from Q3
                froze_hiring, factor = True, 0.0
            rows += [[f"FY{fy}-Q3-reforecast", fy, q, cc, cat, f"{amounts[q - 1] * factor:.2f}", "USD", reforecast]
                     for q in (3, 4)]
        files[reforecast] = rows
    return plan, files


def gl_actuals(org: Organisation, seed: int, as_of: date, plan: dict[tuple[str, str], list[float]],
               fx: dict[tuple[date, str], float]) -> Rows:
    """Monthly journals against the plan, some over and some under it, plus unbudgeted and unmapped lines."""
    rng = random.Random(f"{seed}:gl")
    journals: list[tuple[date, str, list[tuple[int, str, str, float]]]] = []
    ccoe_cc = next(u.cost_center_id for u in org.units if u.is_ai_ccoe)
    for (cc, cat), amounts in plan.items():
        _, _, accounts, vendors, items = GL_PLAN[cat]
        factors = [rng.uniform(1.1, 1.5) if r < OVERRUN else rng.uniform(0.4, 0.8) if r < OVERRUN + UNDERSPEND
                   else rng.uniform(0.85, 1.05) for r in (rng.random() for _ in range(4))]
        for month in range(1, as_of.month + 1):
            q = (month - 1) // 3
            # cloud AI spend comes from the cloud bills; GL only carries reserved capacity, for the CCoE
            target = amounts[q] / 3 * (0.08 if cat == "cloud_ai_services" else factors[q])
            if cat == "cloud_ai_services" and cc != ccoe_cc:
                continue
            if month == as_of.month:
                target *= as_of.day / calendar.monthrange(as_of.year, month)[1]
            splits = [rng.uniform(0.5, 1.5) for _ in range(rng.randint(1, 3))]
            lines = [(rng.choice(accounts), vendor := rng.choice(vendors), f"{vendor} - {rng.choice(items)} - "
                      f"{calendar.month_abbr[month]} {as_of.year}", target * s / sum(splits)) for s in splits]
            journals.append((_business_day(rng, as_of.year, month, as_of), cc, lines))
    budgeted = {cc for cc, _ in plan}
    unbudgeted = sorted({u.cost_center_id for u in org.units} - budgeted, key=lambda c: (c[-1] == "0", c))[:3]
    for cc, month in zip(unbudgeted * 2, (2, 4, 6, 7, 9, 10)):
        if month <= as_of.month:
            journals.append((_business_day(rng, as_of.year, month, as_of), cc, [
                (6120, "LinkedIn", "LinkedIn Learning team licences (local purchase)", rng.uniform(800, 4000))]))
    for month in (3, 6, 9):  # travel booked on the programme: an account the category mapping does not know
        if month <= as_of.month:
            journals.append((_business_day(rng, as_of.year, month, as_of), rng.choice(sorted(budgeted)),
                             [(7200, "American Express GBT", "Travel - AI conference", rng.uniform(1500, 6000))]))
    return _journal_rows(rng, sorted(journals, key=lambda j: (j[0], j[1])), fx)


def _journal_rows(rng: random.Random, journals: list[tuple[date, str, list[tuple[int, str, str, float]]]],
                  fx: dict[tuple[date, str], float]) -> Rows:
    """Number the journals, add credit notes, pick currency and project code per journal."""
    rows: Rows = []
    for n, (posted, cc, lines) in enumerate(journals, start=1):
        if rng.random() < 0.05 or n == len(journals) // 2:  # a vendor credit note (at least one)
            account, vendor, _, usd = lines[0]
            lines = [*lines, (account, vendor, f"Credit note - {vendor}", -usd * rng.uniform(0.05, 0.3))]
        r = rng.random()
        currency = "EUR" if r < 0.06 else "GBP" if r < 0.1 else "USD"
        rate = fx.get((posted, currency), 1.0)
        project = rng.choice(PROJECT_CODES)
        rows += [[f"JE-{posted.year}-{n:06d}", i, posted, cc, account, vendor, text, f"{usd / rate:.2f}", currency,
                  project] for i, (account, vendor, text, usd) in enumerate(lines, start=1)]
    return rows


def finance_files(org: Organisation, seed: int, as_of: date) -> dict[str, object]:
    """relative path -> (header, rows) or pyarrow table, for every finance extract."""
    fx = fx_rates(seed, as_of)
    cloud, spend = cloud_costs(org, seed, as_of)
    plan, budget_files = budgets(org, seed, as_of, spend)
    budget_header = ["budget_version", "fiscal_year", "fiscal_quarter", "cost_center_id", "category", "amount",
                     "currency", "approved_date"]
    files: dict[str, object] = {f"finance/budget/budget_{d}.csv": (budget_header, rows)
                                for d, rows in budget_files.items()}
    files[f"finance/gl_actuals/gl_actuals_{as_of}.csv"] = (
        ["journal_id", "line_number", "posting_date", "cost_center_id", "gl_account", "vendor_name", "description",
         "amount", "currency", "project_code"], gl_actuals(org, seed, as_of, plan, fx))
    files[f"finance/cloud_costs/cloud_costs_{as_of}.parquet"] = cloud
    files[f"finance/fx_rates/fx_rates_{as_of}.csv"] = (
        ["rate_date", "from_currency", "to_currency", "rate"],
        [[d, cur, "USD", f"{rate:.6f}"] for (d, cur), rate in fx.items()])
    return files
