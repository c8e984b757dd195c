"""Finance side of the synthetic organisation: FX rates, FOCUS cloud costs, budgets and GL actuals."""

from __future__ import annotations

import calendar
import json
import random
import uuid
import zlib
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from readiness._generate_hr import Organisation, OrgUnit
from readiness._generate_volumes import Volumes
from readiness.focus import FOCUS_1_0_COLUMNS

Rows = list[list[object]]
Journal = tuple[date, str, list[tuple[int, str, str, float]]]  # date, cc, [(account, vendor, text, USD)]
FX_MEANS = {"EUR": 1.08, "GBP": 1.27}  # USD per unit; the random walk reverts towards these
# category -> (share of departments budgeting it, annual USD per head, GL accounts, vendors, what is bought)
GL_PLAN: dict[str, tuple[float, float, tuple[int, ...], tuple[str, ...], tuple[str, ...]]] = {
    "training": (
        1.0,
        220,
        (6110, 6120, 6130),
        ("Microsoft", "LinkedIn", "Coursera", "Pluralsight", "O'Reilly Media"),
        ("learning licences", "instructor-led AI workshop", "certification exam vouchers"),
    ),
    "tools_and_licenses": (
        0.7,
        360,
        (6210, 6220),
        ("Microsoft", "GitHub", "OpenAI", "Atlassian"),
        ("Microsoft 365 Copilot licences", "GitHub Copilot seats", "ChatGPT Enterprise seats"),
    ),
    "cloud_ai_services": (
        0.0,
        0,
        (6310, 6320),
        ("Microsoft", "Amazon Web Services"),
        ("Azure OpenAI provisioned throughput", "Bedrock provisioned throughput"),
    ),
    "hiring": (
        0.4,
        300,
        (6410, 6420),
        ("Hays", "Robert Half", "Michael Page", "Randstad", "LinkedIn"),
        ("AI engineer placement fee", "contract data scientist", "recruiting campaign"),
    ),
    "operations": (
        0.3,
        120,
        (6510, 6520),
        ("Accenture", "Avanade", "Capgemini", "Deloitte"),
        ("AI operations support", "GenAI advisory services"),
    ),
}
CLOUD_BUDGET_FAMILIES = ("Data & Analytics", "Software Engineering")  # these departments (and the CCoE)
OVERRUN, UNDERSPEND = 0.2, 0.25  # share of (cost centre, category, quarter) running over / under budget
PROJECT_CODES = ("AI-ADOPT-2026", "GENAI-PILOT", "COPILOT-ROLLOUT", "CCOE-PLATFORM", "", "")
# The generated export has every FOCUS 1.0 column, in the alphabetical order of the real sample, plus an
# Azure extension column.
FOCUS_COLUMNS = [*sorted(FOCUS_1_0_COLUMNS), "x_ResourceGroupName"]
AI_CATEGORY = "AI and Machine Learning"
# key -> (ProviderName, ServiceName, ServiceCategory, ResourceType, type path, ChargeDescription, unit,
# list unit price, daily list cost range, weight in the mix). Azure names as in Microsoft's FOCUS export.
SERVICES = {
    "openai": (
        "Microsoft",
        "Azure AI Services",
        AI_CATEGORY,
        "Azure OpenAI",
        "microsoft.cognitiveservices/accounts",
        "Azure OpenAI - gpt-4o Glbl Input Tokens",
        "1K Tokens",
        0.0025,
        (40, 300),
        14,
    ),
    "search": (
        "Microsoft",
        "Azure AI Search",
        "Analytics",
        "Search service",
        "microsoft.search/searchservices",
        "Azure AI Search - Standard S1 - Unit",
        "Hours",
        0.336,
        (8, 25),
        5,
    ),
    "aml": (
        "Microsoft",
        "Azure Machine Learning",
        AI_CATEGORY,
        "Azure Machine Learning workspace",
        "microsoft.machinelearningservices/workspaces",
        "NCads H100 v5 - NC40ads H100 v5",
        "Hours",
        6.98,
        (20, 160),
        6,
    ),
    "vm": (
        "Microsoft",
        "Virtual Machines",
        "Compute",
        "Virtual machine",
        "microsoft.compute/virtualmachines",
        "Virtual Machines Dsv5 Series - D4s v5",
        "Hours",
        0.192,
        (4, 40),
        22,
    ),
    "storage": (
        "Microsoft",
        "Storage Accounts",
        "Storage",
        "Storage account",
        "microsoft.storage/storageaccounts",
        "Hot LRS Data Stored",
        "GB/Month",
        0.0006,
        (1, 15),
        14,
    ),
    "bedrock": (
        "AWS",
        "Amazon Bedrock",
        AI_CATEGORY,
        "model-invocation",
        "bedrock",
        "Claude 3.5 Sonnet input tokens",
        "1K Tokens",
        0.003,
        (30, 220),
        8,
    ),
    "sagemaker": (
        "AWS",
        "Amazon SageMaker",
        AI_CATEGORY,
        "endpoint",
        "sagemaker",
        "ml.g5.2xlarge hosting instance hour",
        "Hours",
        1.515,
        (20, 100),
        4,
    ),
    "ec2": (
        "AWS",
        "Amazon Elastic Compute Cloud",
        "Compute",
        "instance",
        "ec2",
        "On Demand Linux m6i.xlarge Instance Hour",
        "Hours",
        0.192,
        (5, 60),
        18,
    ),
    "rds": (
        "AWS",
        "Amazon Relational Database Service",
        "Databases",
        "db",
        "rds",
        "db.r6g.large PostgreSQL instance hour",
        "Hours",
        0.26,
        (6, 30),
        9,
    ),
}
# billing account -> (name, currency, negotiated discount, regions, subscription prefix); Europe bills in EUR
BILLING = {
    "/providers/Microsoft.Billing/billingAccounts/8611537": ("Contoso Ltd", "USD", 0.10, ("eastus2",), "contoso"),
    "/providers/Microsoft.Billing/billingAccounts/9302214": (
        "Contoso Europe GmbH",
        "EUR",
        0.12,
        ("westeurope", "swedencentral"),
        "contoso-eu",
    ),
    "412398765012": ("Contoso AWS Organization", "USD", 0.06, ("us-east-1", "us-west-2"), "contoso-aws"),
}
AI_OWNERS = (
    ("AI Cloud Center of Excellence", 55),
    ("Software Engineering", 15),
    ("Data & Analytics", 15),
    ("Marketing", 8),
    ("Customer Support", 7),
)  # departments running AI workloads, weighted
TAG_KEYS, TAG_KEY_WEIGHTS = ("cost_center", "CostCenter", " CostCenter ", "costcenter"), (40, 35, 15, 10)
APPLICATIONS = ("support-assistant", "doc-search", "sales-copilot", "forecasting", "intranet", "data-lake")
UNTAGGED_EVERY, UNTAGGED_ROW_SHARE = 7, 0.03  # every 7th AI resource is untagged; tags missing some days
GENAI_COMPUTE_SHARE = 0.15  # VMs/EC2 serving GenAI apps: in scope by their ai_program tag
FLAT_USE = ("storage", "rds")  # used the same night and day, weekend or not
# Hourly lines: the share of a day's use in each UTC hour, for workloads following the working day (most
# of the workforce is in UTC-5 to UTC+5:30) and for flat ones.
DIURNAL = [1.6 if 7 <= h < 21 else 0.5 for h in range(24)]
DIURNAL_SHARES = {"working": [w / sum(DIURNAL) for w in DIURNAL], "flat": [1 / 24] * 24}
ROW_GROUP_ROWS = 65_536  # FOCUS rows held before they are written as a Parquet row group


def fx_rates(seed: int, as_of: date) -> dict[tuple[date, str], float]:
    """(day, currency) -> USD rate on weekdays from 1 December of the previous year."""
    rng, level, rates = random.Random(f"{seed}:fx"), dict(FX_MEANS), {}
    day = date(as_of.year - 1, 12, 1)
    while day <= as_of:
        for cur, mean in FX_MEANS.items():
            level[cur] += rng.gauss(0, 0.004) + 0.05 * (mean - level[cur])
            if day.weekday() < 5:
                rates[day, cur] = round(level[cur], 6)
        day += timedelta(days=1)
    return rates


def _resource(rng: random.Random, n: int, key: str, depts: dict[str, str], year: int) -> dict[str, object]:
    """A cloud resource: its constant FOCUS fields plus `_`-prefixed generation settings."""
    provider, service, category, rtype, path, _, unit, price, (low, high), _ = SERVICES[key]
    accounts = [a for a in BILLING if a.startswith("/") == (provider == "Microsoft")]
    account = rng.choices(accounts, weights=(3, 1)[: len(accounts)])[0]
    name, currency, discount, regions, prefix = BILLING[account]
    env = rng.choice(("prod", "prod", "dev"))
    sub_name = f"{prefix}-{'ai' if category == AI_CATEGORY else 'platform'}-{env}"
    sub_id = str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{sub_name}.contoso.example"))  # stable per name
    region, res_name = rng.choice(regions), f"{key}-{env}-{n:03d}"
    ai = category == AI_CATEGORY or key == "search"
    genai_compute = key in ("vm", "ec2") and rng.random() < GENAI_COMPUTE_SHARE
    owner = rng.choices([d for d, _ in AI_OWNERS], weights=[w for _, w in AI_OWNERS])[0]
    cc = depts[owner] if ai or genai_compute else rng.choice(list(depts.values()))
    key_name = rng.choices(TAG_KEYS, weights=TAG_KEY_WEIGHTS)[0]
    value = rng.choices((cc, cc.lower(), f" {cc} "), weights=(70, 15, 15))[0]  # messy, as people type them
    tags: dict[str, str] | None = {key_name: value, "env": env, "application": rng.choice(APPLICATIONS)}
    if genai_compute or key == "search":
        tags["ai_program"] = "genai"
    azure = provider == "Microsoft"
    issuer = "Microsoft" if azure else "Amazon Web Services, Inc."
    aws_account = str(100000000000 + zlib.crc32(sub_name.encode()))
    return {
        "BillingAccountId": account,
        "BillingAccountName": name,
        "BillingCurrency": currency,
        "ConsumedUnit": unit,
        "InvoiceIssuerName": issuer,
        "ListUnitPrice": price,
        "PricingUnit": unit,
        "ProviderName": provider,
        "PublisherName": issuer,
        "RegionId": region,
        "RegionName": region.replace("-", " ").title(),
        "ResourceId": f"/subscriptions/{sub_id}/resourcegroups/rg-{sub_name}/providers/{path}/{res_name}"
        if azure
        else f"arn:aws:{path}:{region}:{aws_account}:{res_name}",
        "ResourceName": res_name,
        "ResourceType": rtype,
        "ServiceCategory": category,
        "ServiceName": service,
        "SkuId": f"{zlib.crc32(service.encode()):08X}",
        "SubAccountId": f"/subscriptions/{sub_id}" if azure else aws_account,
        "SubAccountName": sub_name,
        "x_ResourceGroupName": f"rg-{sub_name}" if azure else None,
        "_key": key,
        "_tags": tags,
        "_cc": cc,
        "_ai": ai or genai_compute,
        "_discount": discount,
        "_daily": rng.uniform(low, high),  # some resources are created during the year
        "_start": date(year, 1, 1) + timedelta(days=0 if rng.random() < 0.7 else rng.randint(30, 250)),
    }


def _charge(
    res: dict[str, object],
    start: datetime,
    length: timedelta,
    tags: object,
    kind: str,
    description: str,
    list_cost: float,
    cost: float,
) -> dict[str, object]:
    """One FOCUS row of a resource for a charge period; costs in the billing currency, missing columns null."""
    period, price = start.replace(day=1, hour=0), res["ListUnitPrice"] if kind == "Usage" else None
    quantity = round(list_cost / price, 6) if isinstance(price, float) else None
    return {
        **{k: v for k, v in res.items() if not k.startswith("_")},
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ContractedCost": cost,
        "ListCost": list_cost,
        "BillingPeriodStart": period,
        "BillingPeriodEnd": (period + timedelta(days=32)).replace(day=1),
        "ChargePeriodStart": start,
        "ChargePeriodEnd": start + length,
        "ChargeCategory": kind,
        "ChargeDescription": description,
        "ChargeFrequency": "Usage-Based" if kind == "Usage" else "One-Time",
        "ConsumedQuantity": quantity,
        "PricingQuantity": quantity,
        "PricingCategory": "Standard" if price else None,
        "ContractedUnitPrice": round(price * cost / list_cost, 8) if quantity else None,
        "Tags": None if tags is None else json.dumps(tags),
    }


def _focus_schema() -> pa.Schema:
    return pa.schema(
        [
            (
                c,
                pa.timestamp("us", tz="UTC")
                if c.endswith(("Start", "End"))
                else pa.float64()
                if c.endswith(("Cost", "Price", "Quantity"))
                else pa.string(),
            )
            for c in FOCUS_COLUMNS
        ]
    )


class _RowGroups:
    """FOCUS rows buffered column by column and written to Parquet a row group at a time."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.schema = _focus_schema()
        self.writer = pq.ParquetWriter(path, self.schema, compression="snappy")
        self.columns: dict[str, list[object]] = {c: [] for c in FOCUS_COLUMNS}
        self.rows = 0

    def add(self, row: dict[str, object]) -> None:
        for column, values in self.columns.items():
            values.append(row.get(column))
        if len(self.columns["ChargePeriodStart"]) >= ROW_GROUP_ROWS:
            self.flush()

    def flush(self) -> None:
        held = len(self.columns["ChargePeriodStart"])
        if held:
            self.writer.write_table(pa.Table.from_pydict(self.columns, schema=self.schema))
            self.rows += held
            self.columns = {c: [] for c in FOCUS_COLUMNS}

    def close(self) -> int:
        self.flush()
        self.writer.close()
        return self.rows


def write_cloud_costs(
    path: Path, org: Organisation, seed: int, as_of: date, volumes: Volumes
) -> tuple[int, dict[tuple[str, int], float]]:
    """FOCUS rows for the fiscal year to date into `path` (daily or hourly lines, streamed in row groups),
    and attributed in-scope USD spend by (cc, quarter)."""
    rng, year_start = random.Random(f"{seed}:cloud"), date(as_of.year, 1, 1)
    depts = {u.name: u.cost_center_id for u in org.units if u.unit_type == "Department"}
    keys = list(SERVICES) + rng.choices(
        list(SERVICES),
        weights=[s[-1] for s in SERVICES.values()],
        k=max(0, volumes.cloud_resources(len(org.workers)) - len(SERVICES)),
    )
    resources = [_resource(rng, n, key, depts, as_of.year) for n, key in enumerate(keys)]
    for i, res in enumerate(r for r in resources if r["ServiceCategory"] == AI_CATEGORY):
        if i % UNTAGGED_EVERY == 1:  # nobody tagged it: its spend is in scope but unattributed
            res["_tags"], res["_cc"] = None if i % 2 else {}, None
    periods = volumes.charge_periods_per_day
    length = timedelta(days=1) / periods
    out, spend = _RowGroups(path), {}
    for res in resources:
        shares = [1.0] if periods == 1 else DIURNAL_SHARES["flat" if res["_key"] in FLAT_USE else "working"]
        description = SERVICES[str(res["_key"])][5]
        day = max(year_start, res["_start"])  # type: ignore[type-var]
        while day <= as_of:
            growth = 0.5 + 1.4 * (day - year_start).days / 365 if res["_ai"] else 1.0  # AI use ramps up
            weekend = 0.55 if day.weekday() >= 5 and res["_key"] not in FLAT_USE else 1.0
            start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
            for period, share in enumerate(shares):
                list_cost = round(float(res["_daily"]) * growth * weekend * share * rng.uniform(0.85, 1.15), 6)
                cost = round(list_cost * (1 - float(res["_discount"])), 6)  # type: ignore[arg-type]
                tags = res["_tags"] if rng.random() >= UNTAGGED_ROW_SHARE else None
                out.add(_charge(res, start + period * length, length, tags, "Usage", description, list_cost, cost))
                if res["_ai"] and res["_cc"] and tags is not None:
                    fx = FX_MEANS["EUR"] if res["BillingCurrency"] == "EUR" else 1.0
                    quarter = (str(res["_cc"]), (day.month - 1) // 3 + 1)
                    spend[quarter] = spend.get(quarter, 0.0) + cost * fx
            day += timedelta(days=1)
    credited = next(r for r in resources if r["_key"] in ("openai", "bedrock") and r["_cc"])
    for month in range(2, as_of.month + 1, 3):  # quarterly promotional credits on an AI resource
        amount = -round(rng.uniform(500, 2000), 2)
        first = datetime(as_of.year, month, 1, tzinfo=UTC)
        description = f"{credited['ServiceName']} promotional credit"
        out.add(_charge(credited, first, timedelta(days=1), credited["_tags"], "Credit", description, amount, amount))
    return out.close(), spend


def _business_day(rng: random.Random, year: int, month: int, as_of: date) -> date:
    days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    return rng.choice([d for d in days if d.weekday() < 5 and d <= as_of] or days[:1])


def budget_holders(org: Organisation, as_of: date) -> list[tuple[str, OrgUnit, int]]:
    """(cost centre, the unit owning it, its people) of every budget holder: the departments (their teams'
    people counted in), or every cost centre (its units' people) with enterprise volumes."""
    active = [w for w in org.in_snapshot(as_of) if w.status(as_of) != "Terminated"]
    if org.volumes.budget_every_cost_centre:
        owners: dict[str, OrgUnit] = {}
        for unit in org.units:
            owners.setdefault(unit.cost_center_id, unit)
        people = Counter(w.unit.cost_center_id for w in active)
        return [(cc, unit, people[cc]) for cc, unit in owners.items()]
    heads = {u.org_unit_id: 0 for u in org.units}
    for w in active:  # count a team's people in its department too
        for unit_id in {w.unit.org_unit_id, w.unit.parent_id or ""} - {""}:
            heads[unit_id] += 1
    return [(u.cost_center_id, u, heads[u.org_unit_id]) for u in org.units if u.unit_type == "Department"]


def budgets(
    org: Organisation, seed: int, as_of: date, cloud_spend: dict[tuple[str, int], float]
) -> tuple[dict[tuple[str, str], list[float]], dict[date, Rows]]:
    """The original plan (four quarters) and, once approved, the Q3 reforecast of quarters 3 and 4."""
    rng, fy = random.Random(f"{seed}:budget"), as_of.year
    annual: dict[str, float] = {}  # attributed cloud AI spend, extrapolated to the whole year
    for (cc, _), usd in sorted(cloud_spend.items()):
        annual[cc] = annual.get(cc, 0.0) + usd * 365 / ((as_of - date(fy, 1, 1)).days + 1)
    plan: dict[tuple[str, str], list[float]] = {}
    for cc, unit, heads in budget_holders(org, as_of):
        for cat, (share, per_head, *_) in GL_PLAN.items():
            if cat == "cloud_ai_services":  # planned flat and a little short: growth overruns later quarters
                if not annual.get(cc) or unit.job_family not in CLOUD_BUDGET_FAMILIES:
                    continue
                base = annual[cc] / 4 * rng.uniform(0.75, 0.95)
            elif unit.is_ai_ccoe or rng.random() < share:
                base = heads * per_head / 4 * rng.uniform(0.8, 1.2)
                base *= 3 if unit.is_ai_ccoe else 1
            else:
                continue
            plan[cc, cat] = [round(base * rng.uniform(0.9, 1.1), 2) for _ in range(4)]
    original, reforecast = date(fy - 1, 12, 15), date(fy, 7, 10)
    files = {
        original: [
            [f"FY{fy}-original", fy, q + 1, cc, cat, f"{amounts[q]:.2f}", "USD", original]
            for (cc, cat), amounts in plan.items()
            for q in range(4)
        ]
    }
    if as_of >= reforecast:
        rows, froze = [], False
        for (cc, cat), amounts in plan.items():
            factor = rng.choice((rng.uniform(1.1, 1.4), rng.uniform(0.6, 0.9), 1.0, 1.0))  # raise, cut, keep
            if cat == "cloud_ai_services":  # raised after the growth of the first half
                factor = rng.uniform(1.2, 1.5)
            elif cat == "hiring" and not froze:  # a hiring freeze: budget 0 from Q3
                froze, factor = True, 0.0
            rows += [
                [f"FY{fy}-Q3-reforecast", fy, q, cc, cat, f"{amounts[q - 1] * factor:.2f}", "USD", reforecast]
                for q in (3, 4)
            ]
        files[reforecast] = rows
    return plan, files


def gl_actuals(
    org: Organisation,
    seed: int,
    as_of: date,
    plan: dict[tuple[str, str], list[float]],
    fx: dict[tuple[date, str], float],
) -> Rows:
    """Monthly journals against the plan, some over and some under it, plus unbudgeted and unmapped lines."""
    rng, year = random.Random(f"{seed}:gl"), as_of.year
    journals: list[Journal] = []
    ccoe_cc = next(u.cost_center_id for u in org.units if u.is_ai_ccoe)
    for (cc, cat), amounts in plan.items():
        _, _, accounts, vendors, items = GL_PLAN[cat]
        factors = [
            rng.uniform(1.1, 1.5)
            if r < OVERRUN
            else rng.uniform(0.4, 0.8)
            if r < OVERRUN + UNDERSPEND
            else rng.uniform(0.85, 1.05)
            for r in [rng.random() for _ in range(4)]
        ]
        if cat == "cloud_ai_services":  # cloud AI spend comes from the bills; GL: the CCoE's reservations
            factors = [0.08 if cc == ccoe_cc else 0.0] * 4
        for month in range(1, as_of.month + 1):
            target = amounts[(month - 1) // 3] / 3 * factors[(month - 1) // 3]
            target *= as_of.day / calendar.monthrange(year, month)[1] if month == as_of.month else 1.0
            splits = [rng.uniform(0.5, 1.5) for _ in range(rng.randint(1, 3))]
            lines = []
            for split in splits:
                vendor = rng.choice(vendors)
                text = f"{vendor} - {rng.choice(items)} - {calendar.month_abbr[month]} {year}"
                lines.append((rng.choice(accounts), vendor, text, target * split / sum(splits)))
            if target:
                journals.append((_business_day(rng, year, month, as_of), cc, lines))
    budgeted = {cc for cc, _ in plan}  # a few purchases on cost centres without a budget (teams first)
    unbudgeted = sorted({u.cost_center_id for u in org.units} - budgeted, key=lambda c: (c.endswith("0"), c))
    for cc, month in zip(unbudgeted[:3] * 2, (2, 4, 6, 7, 9, 10), strict=False):
        journals += [
            (
                _business_day(rng, year, month, as_of),
                cc,
                [(6120, "LinkedIn", "LinkedIn Learning team licences (local purchase)", rng.uniform(800, 4000))],
            )
        ]
    for month in (3, 6, 9):  # travel booked on the programme: an account the category mapping does not know
        journals += [
            (
                _business_day(rng, year, month, as_of),
                rng.choice(sorted(budgeted)),
                [(7200, "American Express GBT", "Travel - AI conference", rng.uniform(1500, 6000))],
            )
        ]
    return _journal_rows(rng, sorted((j for j in journals if j[0] <= as_of), key=lambda j: (j[0], j[1])), fx)


def _journal_rows(rng: random.Random, journals: list[Journal], fx: dict[tuple[date, str], float]) -> Rows:
    """Number the journals, add credit notes, pick each journal's currency and project code."""
    rows: Rows = []
    for n, (posted, cc, lines) in enumerate(journals, start=1):
        if rng.random() < 0.05 or n == len(journals) // 2:  # a vendor credit note (at least one)
            account, vendor, _, usd = lines[0]
            lines = [*lines, (account, vendor, f"Credit note - {vendor}", -usd * rng.uniform(0.05, 0.3))]
        r = rng.random()
        currency = "EUR" if r < 0.06 else "GBP" if r < 0.1 else "USD"
        rate, project = fx.get((posted, currency), 1.0), rng.choice(PROJECT_CODES)
        rows += [
            [f"JE-{posted.year}-{n:06d}", i, posted, cc, account, vendor, text, f"{usd / rate:.2f}", currency, project]
            for i, (account, vendor, text, usd) in enumerate(lines, start=1)
        ]
    return rows


def finance_files(
    org: Organisation, seed: int, as_of: date, cloud_spend: dict[tuple[str, int], float]
) -> dict[str, object]:
    """relative path -> (header, rows) of the finance extracts but the cloud costs (written first, streamed:
    their attributed spend sizes the cloud budgets)."""
    fx = fx_rates(seed, as_of)
    plan, budget_files = budgets(org, seed, as_of, cloud_spend)
    header = [
        "budget_version",
        "fiscal_year",
        "fiscal_quarter",
        "cost_center_id",
        "category",
        "amount",
        "currency",
        "approved_date",
    ]
    files: dict[str, object] = {f"finance/budget/budget_{d}.csv": (header, rows) for d, rows in budget_files.items()}
    files[f"finance/gl_actuals/gl_actuals_{as_of}.csv"] = (
        [
            "journal_id",
            "line_number",
            "posting_date",
            "cost_center_id",
            "gl_account",
            "vendor_name",
            "description",
            "amount",
            "currency",
            "project_code",
        ],
        gl_actuals(org, seed, as_of, plan, fx),
    )
    files[f"finance/fx_rates/fx_rates_{as_of}.csv"] = (
        ["rate_date", "from_currency", "to_currency", "rate"],
        [[d, cur, "USD", f"{r:.6f}"] for (d, cur), r in fx.items()],
    )
    return files
