"""Extract contracts: one definition per extract, as data.

Everything that depends on the shape of a delivery is derived from the definitions here:
the typed load into ``raw.*`` (``ingest``), the Great Expectations suite (``validate``), the dbt
source YAML (``dbt_sources``) and the extract table of the README (``docs``). Adding an extract
is adding one ``Extract`` to ``EXTRACTS`` and its staging model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["string", "integer", "decimal", "cost", "double", "date", "timestamp", "boolean"]
FileFormat = Literal["csv", "jsonl", "catalog_json", "focus"]
# How deliveries of an extract combine in the warehouse (docs/extracts.md). dbt reads it from the source
# YAML's `meta` (macro `deliveries_in_force`), so this list and that macro name the same rules:
# snapshot_series  - each delivery is the full state as of its date; every as-of date is kept (the latest
#                    load of a re-delivered date replaces the earlier one)
# full_replacement - each delivery is the full state; only the latest delivery counts
# events           - deliveries accumulate; the same key delivered twice counts once (the first load)
# upsert           - the latest load of a key wins
# restated         - the latest load for a partition (billing account + period) replaces every earlier row of it
# versioned        - every version is kept (the version is part of the key; the latest load of a key wins);
#                    the latest approved version is in force
Semantics = Literal["snapshot_series", "full_replacement", "events", "upsert", "restated", "versioned"]

#: DuckDB type of each contract type in ``raw.*``. Money is a fixed-point decimal so sums are exact.
DUCKDB_TYPES: dict[ColumnType, str] = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DECIMAL(18, 6)",
    # Cloud cost lines carry 11 decimals and more (per-request prices): 6 would change a sum of the
    # real FOCUS sample's AI spend in its seventh decimal.
    "cost": "DECIMAL(38, 12)",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}

#: Load metadata columns that every raw table carries, after the contract's columns.
LOAD_METADATA_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("_load_id", "VARCHAR", "Identity of the load (the delivery's SHA-256)"),
    ("_source_file", "VARCHAR", "File name of the delivery as it arrived in landing/"),
    ("_line_number", "BIGINT", "Line (CSV, JSON lines) or item position (JSON) in the delivery"),
    ("_as_of_date", "DATE", "As-of date carried by the delivery's file name"),
    ("_loaded_at", "TIMESTAMP", "When the load committed (UTC)"),
)

# Patterns are read by two engines, RE2 (the loader, in DuckDB) and Python's re (GX on pandas), which disagree on
# \s, \d and \w (ASCII in RE2, Unicode in re): a row the loader admitted would fail its whole delivery in
# validation. So they name their characters: [0-9], and the ASCII whitespace " \t\n\r\f\v".
EMAIL_PATTERN = r"^[^@ \t\n\r\f\v]+@[^@ \t\n\r\f\v]+\.[^@ \t\n\r\f\v]+$"
ISO_CURRENCY_PATTERN = r"^[A-Z]{3}$"
ISO_COUNTRY_PATTERN = r"^[A-Z]{2}$"


@dataclass(frozen=True)
class Column:
    """One column of an extract as delivered, and the rules every row must satisfy."""

    name: str
    type: ColumnType
    description: str
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None
    #: True where the bound itself is not allowed (``0 < fte``).
    min_exclusive: bool = False
    pattern: str | None = None
    personal: bool = False
    #: Dotted path of the value in a JSON record; the column name where absent.
    path: str | None = None
    #: The value must be a JSON object (FOCUS ``Tags``); rows where it is not are quarantined.
    json_object: bool = False

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Extract:
    """A kind of file a source system delivers, and how its deliveries combine."""

    source: str
    name: str
    format: FileFormat
    description: str
    key: tuple[str, ...]
    semantics: Semantics
    columns: tuple[Column, ...]
    #: Columns that identify a restatement partition (``restated`` semantics only).
    partition: tuple[str, ...] = field(default=())
    #: Formats other than the canonical one that a delivery may arrive in.
    extensions: tuple[str, ...] = field(default=())
    #: Above this share of quarantined rows a delivery fails validation: a file that is mostly
    #: wrong is a broken export, not a few bad rows.
    max_quarantined_fraction: float = 0.05
    #: Row rules between two columns: (later, earlier) means ``later`` may not be before ``earlier``.
    not_before: tuple[tuple[str, str], ...] = field(default=())
    #: Row rules over a group of optional columns: at least one of each group must hold a value
    #: (an xAPI actor is identified by mbox, mbox_sha1sum or account; a statement with none is no one's).
    one_of_required: tuple[tuple[str, ...], ...] = field(default=())
    #: Checks over the whole delivery that no column rule can say, by name (``validate.CHECKS``): a
    #: failure rejects the delivery (the org tree must have one root and no cycle).
    checks: tuple[str, ...] = field(default=())
    #: Problems worth saying that are not the rows' fault, by name (``validate.WARNINGS``): rows are kept.
    warnings: tuple[str, ...] = field(default=())
    #: Other extracts of the same source that carry the same facts in another shape: the source is complete
    #: when any one of them has been delivered (a site has xAPI statements, Viva course activity, or both).
    alternatives: tuple[str, ...] = field(default=())
    #: Header names that must not appear at all (case-insensitive): columns that would identify a person in
    #: an anonymous extract. A delivery carrying one is rejected whole at load, never loaded.
    forbidden_columns: tuple[str, ...] = field(default=())

    @property
    def qualified_name(self) -> str:
        return f"{self.source}/{self.name}"

    @property
    def raw_table(self) -> str:
        return f"{self.source}__{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.qualified_name} has no column {name!r}")

    @property
    def file_pattern(self) -> re.Pattern[str]:
        """Delivery file names: ``<extract>_<YYYY-MM-DD>[...].<ext>[.gz]``."""
        exts = "|".join(re.escape(e) for e in self.extensions)
        return re.compile(rf"^{re.escape(self.name)}_(\d{{4}}-\d{{2}}-\d{{2}})[^/]*\.({exts})(\.gz)?$")

    def expected_file_names(self) -> str:
        return " or ".join(f"{self.name}_<YYYY-MM-DD>.{ext}[.gz]" for ext in self.extensions)


def _c(name: str, type_: ColumnType, description: str, **rules: object) -> Column:
    return Column(name=name, type=type_, description=description, **rules)  # type: ignore[arg-type]


BUDGET_CATEGORIES = ("training", "tools_and_licenses", "cloud_ai_services", "hiring", "operations")

WORKERS = Extract(
    source="hr",
    name="workers",
    format="csv",
    extensions=("csv",),
    description="Nightly full snapshot of the workforce (Workday worker export column names).",
    key=("worker_id",),
    semantics="snapshot_series",
    not_before=(("termination_date", "hire_date"),),
    checks=("unique_work_emails",),
    warnings=("workers_in_unknown_org_units",),
    columns=(
        _c("worker_id", "string", "Worker identifier", required=True),
        _c(
            "first_name",
            "string",
            "Given name (personal data; stops at staging)",
            required=True,
            personal=True,
        ),
        _c(
            "last_name",
            "string",
            "Family name (personal data; stops at staging)",
            required=True,
            personal=True,
        ),
        _c(
            "work_email",
            "string",
            "Work e-mail (personal data; matches LMS actors)",
            required=True,
            personal=True,
            pattern=EMAIL_PATTERN,
        ),
        _c("job_profile_id", "string", "Job profile of the worker", required=True),
        _c("org_unit_id", "string", "Supervisory organisation of the worker", required=True),
        _c("cost_center_id", "string", "Cost centre the worker is charged to", required=True),
        _c("manager_worker_id", "string", "Worker id of the manager"),
        _c("country_code", "string", "ISO 3166-1 alpha-2 country", pattern=ISO_COUNTRY_PATTERN),
        _c("hire_date", "date", "Hire date", required=True),
        _c("termination_date", "date", "Termination date, not before hire_date"),
        _c(
            "worker_status",
            "string",
            "Employment status",
            required=True,
            allowed=("Active", "Leave", "Terminated"),
        ),
        _c(
            "fte",
            "decimal",
            "Full-time equivalent, 0 < fte <= 1",
            required=True,
            min_value=0,
            max_value=1,
            min_exclusive=True,
        ),
    ),
)

JOB_PROFILES = Extract(
    source="hr",
    name="job_profiles",
    format="csv",
    extensions=("csv",),
    description="Job profiles: title, family and management level (decides the audience).",
    key=("job_profile_id",),
    semantics="snapshot_series",
    columns=(
        _c("job_profile_id", "string", "Job profile identifier", required=True),
        _c("job_title", "string", "Job title", required=True),
        _c("job_family", "string", "Job family", required=True),
        _c(
            "management_level",
            "string",
            "Management level",
            required=True,
            allowed=("Individual Contributor", "Manager", "Director", "Executive"),
        ),
    ),
)

ORG_UNITS = Extract(
    source="hr",
    name="org_units",
    format="csv",
    extensions=("csv",),
    description="Organisation tree: one root, no cycles; the AI Cloud Center of Excellence is flagged.",
    key=("org_unit_id",),
    semantics="snapshot_series",
    checks=("org_tree",),
    columns=(
        _c("org_unit_id", "string", "Org unit identifier", required=True),
        _c("org_unit_name", "string", "Org unit name", required=True),
        _c("parent_org_unit_id", "string", "Parent unit; empty for the root"),
        _c(
            "org_unit_type",
            "string",
            "Level of the unit",
            required=True,
            allowed=("Company", "Division", "Department", "Team"),
        ),
        _c("cost_center_id", "string", "Cost centre of the unit", required=True),
        _c(
            "is_ai_ccoe",
            "boolean",
            "The unit is, or belongs to, the AI Cloud Center of Excellence",
            required=True,
        ),
    ),
)

WORKER_SKILLS = Extract(
    source="hr",
    name="worker_skills",
    format="csv",
    extensions=("csv",),
    description="Skills each worker holds, with proficiency and evidence.",
    key=("worker_id", "skill_id"),
    semantics="snapshot_series",
    columns=(
        _c("worker_id", "string", "Worker holding the skill", required=True),
        _c("skill_id", "string", "Skill of the taxonomy seed", required=True),
        _c("proficiency", "integer", "0 none .. 5 expert", required=True, min_value=0, max_value=5),
        _c(
            "evidence",
            "string",
            "How the proficiency is known",
            required=True,
            allowed=("self_assessed", "manager_validated", "assessment", "certification"),
        ),
        _c("assessed_date", "date", "When the proficiency was assessed", required=True),
        _c("expires_date", "date", "When the evidence expires (certifications)"),
    ),
)

CATALOG = Extract(
    source="lms",
    name="catalog",
    format="catalog_json",
    extensions=("json",),
    description="Learning catalogue in the shape of the Microsoft Learn Catalog API (paths, modules, courses).",
    key=("uid",),
    semantics="full_replacement",
    columns=(
        _c("uid", "string", "Catalogue item identifier", required=True),
        _c(
            "item_type",
            "string",
            "learningPath, module or course",
            required=True,
            allowed=("learningPath", "module", "course"),
        ),
        _c("title", "string", "Title", required=True),
        _c("summary", "string", "Summary"),
        _c("levels", "string", "JSON array of levels"),
        _c("roles", "string", "JSON array of roles"),
        _c("products", "string", "JSON array of products"),
        _c("modules", "string", "JSON array of module uids (learning paths)"),
        _c("duration_in_minutes", "integer", "Duration in minutes", required=True, min_value=0),
        _c("url", "string", "Item URL: the xAPI object id of statements about it", required=True),
    ),
)

STATEMENTS = Extract(
    source="lms",
    name="statements",
    format="jsonl",
    extensions=("jsonl", "json"),
    description="xAPI 1.0.3 statements, one per line; they accumulate and the same id counts once.",
    key=("id",),
    semantics="events",
    alternatives=("course_activity",),
    one_of_required=(("actor_mbox", "actor_mbox_sha1sum", "actor_account_name"),),
    columns=(
        _c("id", "string", "Statement id (UUID)", required=True),
        _c("actor_mbox", "string", "Actor mailto: address (personal data)", path="actor.mbox", personal=True),
        _c("actor_mbox_sha1sum", "string", "SHA-1 of the actor's mailto: address", path="actor.mbox_sha1sum"),
        _c("actor_account_home_page", "string", "Actor account system", path="actor.account.homePage"),
        _c("actor_account_name", "string", "Actor account name (the worker_id)", path="actor.account.name"),
        _c("verb_id", "string", "Verb IRI", required=True, path="verb.id"),
        _c(
            "object_id",
            "string",
            "Activity IRI (catalogue url) or voided statement id",
            required=True,
            path="object.id",
        ),
        _c("object_type", "string", "Activity or StatementRef", path="object.objectType"),
        _c("result_completion", "boolean", "result.completion", path="result.completion"),
        _c("result_success", "boolean", "result.success", path="result.success"),
        _c(
            "result_score_scaled",
            "double",
            "result.score.scaled in -1..1",
            path="result.score.scaled",
            min_value=-1,
            max_value=1,
        ),
        _c(
            "result_duration",
            "string",
            "result.duration, ISO 8601 duration",
            path="result.duration",
            pattern=r"^P([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?$",
        ),
        _c("timestamp", "timestamp", "When the experience happened (UTC)", required=True),
        _c("stored", "timestamp", "When the LRS stored the statement (UTC)"),
    ),
)

BUDGET = Extract(
    source="finance",
    name="budget",
    format="csv",
    extensions=("csv",),
    description="AI adoption budget by version, quarter, cost centre and category.",
    key=("budget_version", "fiscal_year", "fiscal_quarter", "cost_center_id", "category"),
    semantics="versioned",
    columns=(
        _c("budget_version", "string", "Version name, e.g. FY2026-original", required=True),
        _c("fiscal_year", "integer", "Fiscal year", required=True, min_value=2000, max_value=2100),
        _c("fiscal_quarter", "integer", "Fiscal quarter 1-4", required=True, min_value=1, max_value=4),
        _c("cost_center_id", "string", "Cost centre", required=True),
        _c("category", "string", "Budget category", required=True, allowed=BUDGET_CATEGORIES),
        _c("amount", "decimal", "Budgeted amount, not negative", required=True, min_value=0),
        _c("currency", "string", "ISO 4217 currency", required=True, pattern=ISO_CURRENCY_PATTERN),
        _c("approved_date", "date", "When the version was approved", required=True),
    ),
)

GL_ACTUALS = Extract(
    source="finance",
    name="gl_actuals",
    format="csv",
    extensions=("csv",),
    description="General-ledger lines of the AI adoption programme; credits are negative.",
    key=("journal_id", "line_number"),
    semantics="upsert",
    columns=(
        _c("journal_id", "string", "Journal", required=True),
        _c("line_number", "integer", "Line within the journal", required=True),
        _c("posting_date", "date", "Posting date", required=True),
        _c("cost_center_id", "string", "Cost centre", required=True),
        _c("gl_account", "string", "GL account (mapped to a category by a seed)", required=True),
        _c("vendor_name", "string", "Vendor"),
        _c("description", "string", "Line description"),
        _c("amount", "decimal", "Amount; credits negative", required=True),
        _c("currency", "string", "ISO 4217 currency", required=True, pattern=ISO_CURRENCY_PATTERN),
        _c("project_code", "string", "Project code"),
    ),
)

CLOUD_COSTS = Extract(
    source="finance",
    name="cloud_costs",
    format="focus",
    extensions=("parquet", "csv"),
    description="Cloud cost and usage in FinOps FOCUS 1.0-1.2; restated per billing account and period.",
    key=(),
    semantics="restated",
    partition=("BillingAccountId", "BillingPeriodStart"),
    columns=(
        _c("BillingAccountId", "string", "Billing account", required=True),
        _c("BillingAccountName", "string", "Billing account name"),
        _c(
            "BillingCurrency",
            "string",
            "Currency of the cost columns",
            required=True,
            pattern=ISO_CURRENCY_PATTERN,
        ),
        _c("BillingPeriodStart", "timestamp", "Start of the billing period", required=True),
        _c("BillingPeriodEnd", "timestamp", "End of the billing period"),
        _c("ChargePeriodStart", "timestamp", "Start of the charge period (UTC)", required=True),
        _c("ChargePeriodEnd", "timestamp", "End of the charge period (UTC)"),
        _c("ChargeCategory", "string", "Usage, Purchase, Tax, Credit, Adjustment", required=True),
        _c("ChargeClass", "string", "Correction or null"),
        _c("ChargeDescription", "string", "Charge description"),
        _c("BilledCost", "cost", "Billed cost"),
        _c("EffectiveCost", "cost", "Amortised cost: the spend figure", required=True),
        _c("ListCost", "cost", "List cost"),
        _c("ServiceCategory", "string", "FOCUS service category"),
        _c("ServiceName", "string", "Service name"),
        _c("ProviderName", "string", "Provider"),
        _c("SubAccountId", "string", "Subscription / account"),
        _c("SubAccountName", "string", "Subscription / account name"),
        _c("ResourceId", "string", "Resource"),
        _c("RegionId", "string", "Region"),
        _c("Tags", "string", "JSON object of tags (keys as delivered)", json_object=True),
    ),
)

FX_RATES = Extract(
    source="finance",
    name="fx_rates",
    format="csv",
    extensions=("csv",),
    description="Daily exchange rates to the reporting currency.",
    key=("rate_date", "from_currency", "to_currency"),
    semantics="upsert",
    columns=(
        _c("rate_date", "date", "Date of the rate", required=True),
        _c("from_currency", "string", "ISO 4217", required=True, pattern=ISO_CURRENCY_PATTERN),
        _c("to_currency", "string", "ISO 4217", required=True, pattern=ISO_CURRENCY_PATTERN),
        _c(
            "rate",
            "decimal",
            "Units of to_currency per unit of from_currency",
            required=True,
            min_value=0,
            min_exclusive=True,
        ),
    ),
)

COURSE_ACTIVITY = Extract(
    source="lms",
    name="course_activity",
    format="csv",
    extensions=("csv",),
    description=(
        "Course activity in the shape of Microsoft Graph learningCourseActivity (Viva Learning): progress of "
        "each learner per course."
    ),
    key=("learnerUserId", "learningContentId"),
    semantics="full_replacement",
    alternatives=("statements",),
    columns=(
        _c(
            "learnerUserId",
            "string",
            "Learner: the worker_id, or the work e-mail where the LMS knows learners by e-mail only",
            required=True,
        ),
        _c(
            "learningContentId",
            "string",
            "Course: the catalogue url of the item, or an LMS course id mapped by the lms_course_items seed",
            required=True,
        ),
        _c(
            "completionPercentage",
            "integer",
            "Progress 0-100",
            required=True,
            min_value=0,
            max_value=100,
        ),
        _c("assignedDateTime", "timestamp", "When the course was assigned to the learner (UTC)"),
        _c("startedDateTime", "timestamp", "When the learner started a self-initiated course (UTC)"),
        _c("completedDateTime", "timestamp", "When the learner completed the course (UTC)"),
        _c(
            "status",
            "string",
            "Assignment status",
            required=True,
            allowed=("notStarted", "inProgress", "completed"),
        ),
    ),
)

#: The Likert scale of the pulse survey: 1 strongly disagree .. 5 strongly agree.
LIKERT = {"min_value": 1, "max_value": 5}
#: Concern categories of the pulse survey's optional "what worries you most" question.
SURVEY_CONCERNS = ("job_security", "accuracy", "privacy", "skills", "ethics", "workload", "other")

PULSE_RESPONSES = Extract(
    source="survey",
    name="pulse_responses",
    format="csv",
    extensions=("csv",),
    description=(
        "Anonymous pulse survey on generative AI, in the shape of a Microsoft Forms export: one row per response, "
        "Likert answers 1 (strongly disagree) .. 5 (strongly agree). Optional: an organisation without a survey "
        "delivers nothing. No column may identify the respondent."
    ),
    key=("response_id",),
    # A form export is cumulative (every response so far): a response delivered again counts once.
    semantics="events",
    columns=(
        _c("response_id", "string", "Response identifier of the form (ID)", required=True),
        _c("submitted_date", "date", "When the response was submitted", required=True),
        _c("org_unit_id", "string", "Org unit the respondent chose (the HR org unit id)", required=True),
        _c(
            "audience",
            "string",
            "Role family the respondent chose",
            required=True,
            allowed=("leadership", "tech_specialist", "end_user"),
        ),
        _c("confidence", "integer", "I feel confident using generative AI in my work", required=True, **LIKERT),
        _c("job_impact_concern", "integer", "I am concerned about the impact of AI on my job", required=True, **LIKERT),
        _c("training_interest", "integer", "I want training on generative AI", required=True, **LIKERT),
        _c("output_trust", "integer", "I trust the output of AI assistants", required=True, **LIKERT),
        _c("concern_category", "string", "What worries you most (optional)", allowed=SURVEY_CONCERNS),
    ),
    forbidden_columns=(
        "worker_id",
        "employee_id",
        "email",
        "work_email",
        "name",
        "first_name",
        "last_name",
        "respondent",
        "responder",
    ),
    warnings=("survey_groups_under_threshold",),
)

EXTRACTS: tuple[Extract, ...] = (
    ORG_UNITS,
    JOB_PROFILES,
    WORKERS,
    WORKER_SKILLS,
    CATALOG,
    STATEMENTS,
    COURSE_ACTIVITY,
    BUDGET,
    GL_ACTUALS,
    CLOUD_COSTS,
    FX_RATES,
    PULSE_RESPONSES,
)

SOURCES: tuple[str, ...] = tuple(dict.fromkeys(e.source for e in EXTRACTS))
#: Sources every installation has (READINESS_SOURCES may leave out any other): the workforce is what every
#: mart describes, so HR alone is the smallest useful installation (skills coverage and gaps).
REQUIRED_SOURCES: tuple[str, ...] = ("hr",)

#: The one definition of freshness: the largest age, in days, of a source's newest delivery (of any of its
#: extracts, by as-of date) before the source is late. HR and the LMS deliver every night; finance closes
#: monthly (GL, cloud costs) and budgets once or twice a year, so it is judged by its newest extract.
#: Operators override it with READINESS_FRESHNESS_DAYS (readiness.config); the alerts, the summary and
#: dbt's source freshness are derived from it.
#: The pulse survey runs once a quarter at most.
FRESHNESS_DEADLINE_DAYS: dict[str, int] = {"hr": 1, "lms": 1, "finance": 31, "survey": 92}
#: A source not listed above (a new one) is expected every night, like most extracts.
DEFAULT_FRESHNESS_DEADLINE_DAYS = 1


def freshness_deadline_days(source: str) -> int:
    return FRESHNESS_DEADLINE_DAYS.get(source, DEFAULT_FRESHNESS_DEADLINE_DAYS)


def extracts_of(source: str) -> tuple[Extract, ...]:
    return tuple(e for e in EXTRACTS if e.source == source)


def get_extract(qualified_name: str) -> Extract:
    """Look an extract up by ``source/name`` or by its raw table name ``source__name``."""
    for extract in EXTRACTS:
        if qualified_name in (extract.qualified_name, extract.raw_table):
            return extract
    known = ", ".join(e.qualified_name for e in EXTRACTS)
    raise KeyError(f"Unknown extract {qualified_name!r}; known extracts: {known}")


def __getattr__(name: str) -> object:
    """``MARTS``, the published marts, is read from the dbt manifest (``readiness.marts``), where the
    models are defined; it is resolved on first use because the manifest is written by ``dbt parse``."""
    if name == "MARTS":
        from readiness.marts import mart_names

        return mart_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
