"""HR side of the synthetic organisation: org tree, job profiles, workers and their skills over time."""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import NamedTuple

from faker import Faker

from readiness._generate_volumes import Volumes

# (division, department, job family, share of headcount): technical departments hold about a third of
# the people, so that ~30% of workers are technical individual contributors.
DEPARTMENTS = (
    ("Technology", "Software Engineering", "Software Engineering", 0.14),
    ("Technology", "Data & Analytics", "Data & Analytics", 0.07),
    ("Technology", "IT Operations", "IT Operations", 0.06),
    ("Technology", "Security", "Security", 0.04),
    ("Technology", "AI Cloud Center of Excellence", "Data & Analytics", 0.03),
    ("Corporate Functions", "Finance", "Finance", 0.07),
    ("Corporate Functions", "Human Resources", "Human Resources", 0.05),
    ("Corporate Functions", "Legal", "Legal", 0.03),
    ("Commercial", "Sales", "Sales", 0.18),
    ("Commercial", "Marketing", "Marketing", 0.08),
    ("Commercial", "Customer Support", "Customer Support", 0.15),
    ("Operations", "Supply Chain & Facilities", "Operations", 0.10),
)
DIVISION_HEADS = {
    "Technology": "Chief Technology Officer",
    "Corporate Functions": "Chief Financial Officer",
    "Commercial": "Chief Revenue Officer",
    "Operations": "Chief Operating Officer",
}
# job family -> three individual contributor titles (junior to senior), manager title, director title
FAMILY_TITLES = {
    "Software Engineering": (
        "Software Engineer",
        "Senior Software Engineer",
        "Principal Software Engineer",
        "Engineering Manager",
        "Director of Engineering",
    ),
    "Data & Analytics": (
        "Data Analyst",
        "Data Engineer",
        "Senior Data Scientist",
        "Analytics Manager",
        "Director of Data & Analytics",
    ),
    "IT Operations": (
        "Systems Administrator",
        "Cloud Engineer",
        "Site Reliability Engineer",
        "IT Operations Manager",
        "Director of IT Operations",
    ),
    "Security": (
        "Security Analyst",
        "Security Engineer",
        "Senior Security Architect",
        "Security Operations Manager",
        "Chief Information Security Officer",
    ),
    "Finance": (
        "Accountant",
        "Financial Analyst",
        "Senior Financial Analyst",
        "Finance Manager",
        "Director of Finance",
    ),
    "Human Resources": (
        "HR Coordinator",
        "HR Business Partner",
        "Talent Acquisition Specialist",
        "HR Manager",
        "Director of People",
    ),
    "Legal": ("Paralegal", "Legal Counsel", "Senior Legal Counsel", "Legal Manager", "General Counsel"),
    "Sales": (
        "Sales Development Representative",
        "Account Executive",
        "Senior Account Executive",
        "Sales Manager",
        "Director of Sales",
    ),
    "Marketing": (
        "Marketing Coordinator",
        "Content Marketing Specialist",
        "Product Marketing Manager",
        "Marketing Manager",
        "Director of Marketing",
    ),
    "Customer Support": (
        "Support Agent",
        "Senior Support Agent",
        "Support Specialist",
        "Support Manager",
        "Director of Customer Support",
    ),
    "Operations": (
        "Operations Coordinator",
        "Logistics Planner",
        "Facilities Specialist",
        "Operations Manager",
        "Director of Operations",
    ),
}
# the CCoE's teams, their job family and the title of their people; its head and team leads
CCOE_TEAMS = (
    ("AI Platform", "Software Engineering", "AI Engineer"),
    ("Applied AI", "Data & Analytics", "AI Solutions Architect"),
    ("AI Enablement", "IT Operations", "AI Platform Engineer"),
)
CCOE_LEADS = ("Head of AI Center of Excellence", "AI Enablement Manager")
TEAM_NAMES = ("North", "South", "East", "West", "Central", "Enterprise", "Digital", "Core", "Growth")
TECHNICAL_FAMILIES = ("Software Engineering", "Data & Analytics", "IT Operations", "Security")
TEAM_SIZE = 9  # individual contributors per team manager: ~10% of workers are managers
COUNTRIES = {
    "US": ("en_US", 42),
    "GB": ("en_GB", 12),
    "DE": ("de_DE", 10),
    "FR": ("fr_FR", 6),  # locale,
    "IN": ("en_IN", 15),
    "NL": ("nl_NL", 4),
    "IE": ("en_IE", 4),
    "CA": ("en_CA", 7),
}  # weight
FTE_CHOICES, FTE_WEIGHTS = ("1.0", "0.8", "0.6", "0.5"), (86, 7, 2, 5)
NEW_HIRE_SHARE, TERMINATED_SHARE, LEAVE_SHARE = 0.02, 0.06, 0.04
# audience -> skill -> (probability of a record, mean proficiency). Means sit just below the required
# levels of the default readiness plan (docs/readiness-plan.md), so coverage is partial and completed
# training visibly moves it.
SKILL_PROFILES = {
    "leadership": {
        "genai_fundamentals": (0.8, 2.0),
        "responsible_ai": (0.6, 1.8),
        "ai_business_impact": (0.6, 2.4),
        "ai_decision_making": (0.5, 2.3),
        "copilot_productivity": (0.5, 2.0),
        "prompt_engineering": (0.4, 1.8),
    },
    "tech_specialist": {
        "genai_fundamentals": (0.85, 2.6),
        "responsible_ai": (0.6, 2.2),
        "prompt_engineering": (0.7, 2.5),
        "azure_openai_development": (0.5, 2.2),
        "llm_operations": (0.35, 1.7),
        "natural_language_processing": (0.3, 1.9),
        "ai_security": (0.1, 1.2),
        "copilot_productivity": (0.6, 2.5),
        "ai_feedback": (0.3, 2.0),
    },
    "end_user": {
        "genai_fundamentals": (0.55, 1.3),
        "responsible_ai": (0.4, 1.0),
        "prompt_engineering": (0.45, 1.6),
        "copilot_productivity": (0.5, 1.8),
        "ai_feedback": (0.3, 1.2),
        "ai_learning_design": (0.05, 1.5),
    },
}


@cache
def taxonomy() -> tuple[str, ...]:
    """The skills taxonomy (the planners' seed, in its order): an enterprise assesses every skill, held or not."""
    from readiness.transform import project_dir

    with (project_dir() / "seeds" / "reference" / "skills.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(row["skill_id"] for row in csv.DictReader(handle))


UNHELD_LEVELS, UNHELD_WEIGHTS = (0, 1), (65, 35)  # an assessed skill the worker does not really hold
EVIDENCE, EVIDENCE_WEIGHTS = ("self_assessed", "manager_validated", "assessment"), (50, 30, 20)
CERTIFICATION_VALIDITY = timedelta(days=730)
SKILL_GROWTH_SHARE = 0.1  # workers (re)assessed higher between two snapshots


@dataclass(frozen=True)
class OrgUnit:
    """A node of the org tree; `weight` is a team's share of the company's individual contributors."""

    org_unit_id: str
    name: str
    parent_id: str | None
    unit_type: str
    cost_center_id: str
    is_ai_ccoe: bool
    job_family: str
    weight: float = 0.0
    ic_title: str = ""  # CCoE teams: the title of their people


@dataclass(frozen=True)
class JobProfile:
    job_profile_id: str
    title: str
    family: str
    level: str


@dataclass(frozen=True)
class Worker:
    """A worker over the whole history; each snapshot derives status from the dates."""

    worker_id: str
    first_name: str
    last_name: str
    work_email: str
    profile: JobProfile
    unit: OrgUnit
    manager_id: str | None
    country: str
    hire_date: date
    termination_date: date | None
    leave_start: date | None
    fte: str

    @property
    def audience(self) -> str:
        """The audience rule of the default readiness plan (docs/readiness-plan.md)."""
        if self.profile.level != "Individual Contributor":
            return "leadership"
        return "tech_specialist" if self.profile.family in TECHNICAL_FAMILIES else "end_user"

    def status(self, on: date) -> str:
        if self.termination_date and self.termination_date <= on:
            return "Terminated"
        return "Leave" if self.leave_start and self.leave_start <= on else "Active"


class SkillRecord(NamedTuple):
    proficiency: int
    evidence: str
    assessed: date
    expires: date | None


@dataclass(frozen=True)
class Organisation:
    units: list[OrgUnit]
    profiles: list[JobProfile]
    workers: list[Worker]
    snapshots: list[date]  # oldest first
    volumes: Volumes
    #: The HR random stream where the skill records start: they are drawn snapshot by snapshot while the
    #: files are written, so only one snapshot's records are held at a time.
    skills_state: tuple[object, ...]

    def in_snapshot(self, on: date) -> list[Worker]:
        return [w for w in self.workers if w.hire_date <= on]

    def skill_snapshots(self) -> Iterator[tuple[date, dict[str, dict[str, SkillRecord]]]]:
        """(snapshot, worker_id -> skill_id -> record), oldest first; a worker keeps their records until
        re-assessed, and a new worker's are drawn when they first appear."""
        rng = random.Random()
        rng.setstate(self.skills_state)  # type: ignore[arg-type]
        previous: dict[str, dict[str, SkillRecord]] = {}
        for i, on in enumerate(self.snapshots):
            previous = {
                w.worker_id: grow_skills(rng, w, previous[w.worker_id], self.snapshots[i - 1], on)
                if w.worker_id in previous and w.status(on) != "Terminated"
                else previous.get(w.worker_id) or initial_skills(rng, w, on, self.volumes)
                for w in self.workers
                if w.hire_date <= on
            }
            yield on, previous


def snapshot_dates(as_of: date, count: int) -> list[date]:
    """as_of and the month ends before it, oldest first."""
    dates, month_end = [as_of], as_of.replace(day=1) - timedelta(days=1)
    for _ in range(count - 1):
        dates.append(month_end)
        month_end = month_end.replace(day=1) - timedelta(days=1)
    return sorted(dates)


def build_units(rng: random.Random, employees: int, volumes: Volumes) -> list[OrgUnit]:
    """Company -> divisions -> departments -> teams; cost centres CC-1000, CC-1100, CC-1110, CC-1111 (a
    department's tenth team on: CC-1110-010)."""
    units = [OrgUnit("OU0001", "Contoso Ltd", None, "Company", "CC-1000", False, "Executive Leadership")]
    divisions: dict[str, OrgUnit] = {}
    for division, department, family, share in DEPARTMENTS:
        if division not in divisions:
            cc = f"CC-{1000 + 100 * (len(divisions) + 1)}"
            divisions[division] = OrgUnit(
                f"OU{len(units) + 1:04d}", division, "OU0001", "Division", cc, False, "Executive Leadership"
            )
            units.append(divisions[division])
        parent = divisions[division]
        siblings = sum(u.parent_id == parent.org_unit_id for u in units)
        dept_cc = f"CC-{int(parent.cost_center_id[3:]) + 10 * (siblings + 1)}"
        ccoe = department == "AI Cloud Center of Excellence"
        dept = OrgUnit(f"OU{len(units) + 1:04d}", department, parent.org_unit_id, "Department", dept_cc, ccoe, family)
        units.append(dept)
        count = len(CCOE_TEAMS) if ccoe else max(1, round(employees * share / TEAM_SIZE))
        for i in range(count):
            name, team_family, title = (
                CCOE_TEAMS[i]
                if ccoe
                else (f"{department} {TEAM_NAMES[i % 9]}" + (f" {i // 9 + 1}" if i >= 9 else ""), family, "")
            )
            eligible = volumes.own_cost_centre_teams is None or i < volumes.own_cost_centre_teams
            own_cc = not ccoe and eligible and rng.random() < 0.25  # a few teams hold their own sub-budget
            team_cc = f"{dept_cc[:-1]}{i + 1}" if i < 9 else f"{dept_cc}-{i + 1:03d}"
            units.append(
                OrgUnit(
                    f"OU{len(units) + 1:04d}",
                    name,
                    dept.org_unit_id,
                    "Team",
                    team_cc if own_cc else dept_cc,
                    ccoe,
                    team_family,
                    share / count,
                    title,
                )
            )
    return units


def build_profiles() -> list[JobProfile]:
    """One profile per title; executives form their own job family."""
    executives = ("Chief Executive Officer", *DIVISION_HEADS.values())
    titles = [(t, "Executive Leadership", "Executive") for t in executives]
    for family, names in FAMILY_TITLES.items():
        titles += [(t, family, "Individual Contributor") for t in names[:3]]
        titles += [(names[3], family, "Manager"), (names[4], family, "Director")]
    titles += [(title, family, "Individual Contributor") for _, family, title in CCOE_TEAMS]
    titles += [(CCOE_LEADS[0], "Data & Analytics", "Director"), (CCOE_LEADS[1], "Data & Analytics", "Manager")]
    return [JobProfile(f"JP{i:04d}", t, f, level) for i, (t, f, level) in enumerate(titles, start=101)]


def _head_title(unit: OrgUnit) -> str:
    if unit.unit_type in ("Company", "Division"):
        return DIVISION_HEADS.get(unit.name, "Chief Executive Officer")
    if unit.is_ai_ccoe:
        return CCOE_LEADS[unit.unit_type == "Team"]
    return FAMILY_TITLES[unit.job_family][4 if unit.unit_type == "Department" else 3]


def staff_positions(
    rng: random.Random, units: list[OrgUnit], profiles: list[JobProfile], employees: int
) -> list[tuple[JobProfile, OrgUnit, int | None]]:
    """(profile, unit, index of manager): a head for every unit reporting to the parent's head, then ICs."""
    by_title = {p.title: p for p in profiles}
    heads: dict[str | None, int] = {}
    staff: list[tuple[JobProfile, OrgUnit, int | None]] = []
    for unit in units:
        heads[unit.org_unit_id] = len(staff)
        staff.append((by_title[_head_title(unit)], unit, heads.get(unit.parent_id)))
        if unit.unit_type == "Department":  # large departments have deputy directors
            deputies = int(employees * next(s for _, d, _, s in DEPARTMENTS if d == unit.name) // 80)
            staff += [(by_title[_head_title(unit)], unit, heads[unit.org_unit_id])] * deputies
    teams = [u for u in units if u.unit_type == "Team"]
    spare = employees - len(staff) - len(teams)  # ICs beyond one per team
    if spare < 0:
        raise ValueError(f"employees must be at least {len(staff) + len(teams)} to staff every team")
    for team in teams + rng.choices(teams, weights=[t.weight for t in teams], k=spare):
        title = team.ic_title or rng.choices(FAMILY_TITLES[team.job_family][:3], weights=(50, 35, 15))[0]
        staff.append((by_title[title], team, heads[team.org_unit_id]))
    return staff


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


def random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def build_workers(
    rng: random.Random,
    fake: Faker,
    units: list[OrgUnit],
    profiles: list[JobProfile],
    employees: int,
    snapshots: list[date],
) -> list[Worker]:
    """Staff the org, then give each worker a name, an e-mail, a country and a working life."""
    staff = staff_positions(rng, units, profiles, employees)
    order = rng.sample(range(100, 100 + 3 * employees), employees)  # worker ids do not follow the org chart
    ids = [f"W{n:06d}" for n in order]
    ics = [i for i, (p, _, _) in enumerate(staff) if p.level == "Individual Contributor"]
    picked = rng.sample(ics, round(employees * (NEW_HIRE_SHARE + TERMINATED_SHARE)))  # only ICs come and go
    n_new = round(employees * NEW_HIRE_SHARE)
    new_hires, leavers = set(picked[:n_new]), set(picked[n_new:])
    stayers = [i for i in range(len(staff)) if i not in leavers]
    on_leave = set(rng.sample(stayers, round(employees * LEAVE_SHARE)))
    first, as_of = snapshots[0], snapshots[-1]
    emails: dict[str, int] = {}
    workers = []
    for i, (profile, unit, manager) in enumerate(staff):
        country = rng.choices(list(COUNTRIES), weights=[w for _, w in COUNTRIES.values()])[0]
        local = fake[COUNTRIES[country][0]]
        first_name, last_name = local.first_name(), local.last_name()
        stem = f"{_ascii(first_name) or 'user'}.{_ascii(last_name) or 'user'}"
        emails[stem] = emails.get(stem, 0) + 1  # a number only from the second namesake on
        email = f"{stem}{emails[stem] if emails[stem] > 1 else ''}@contoso.example"
        termination = None
        if i in new_hires:  # hired after the first snapshot (or lately, when there is only one)
            earliest = first + timedelta(days=1) if first < as_of else as_of - timedelta(days=60)
            hire = random_day(rng, earliest, as_of)
        elif i in leavers:
            termination = random_day(rng, as_of - timedelta(days=330), as_of)
            hire = random_day(rng, date(2012, 1, 1), termination - timedelta(days=60))
        else:
            hire = random_day(rng, date(2005 if i in ics else 2010, 1, 1), first - timedelta(days=45))
        leave = random_day(rng, max(hire, as_of - timedelta(days=180)), as_of) if i in on_leave else None
        workers.append(
            Worker(
                ids[i],
                first_name,
                last_name,
                email,
                profile,
                unit,
                None if manager is None else ids[manager],
                country,
                hire,
                termination,
                leave,
                rng.choices(FTE_CHOICES, weights=FTE_WEIGHTS)[0],
            )
        )
    return sorted(workers, key=lambda w: w.worker_id)


def initial_skills(rng: random.Random, worker: Worker, on: date, volumes: Volumes) -> dict[str, SkillRecord]:
    """Skills recorded when the worker first appears; CCoE members and security staff are stronger.

    With an assessment share (enterprise volumes), nearly every skill of the taxonomy is assessed: those the
    profile does not make the worker hold are recorded at proficiency 0 or 1.
    """
    profile = dict(SKILL_PROFILES[worker.audience])
    if worker.profile.family == "Security":
        profile["ai_security"] = (0.6, 2.0)
    if worker.unit.is_ai_ccoe:
        profile = {s: (min(1.0, p + 0.3), m + 1.3) for s, (p, m) in SKILL_PROFILES["tech_specialist"].items()}
    share = volumes.skill_assessment_share
    skills = {}
    for skill in taxonomy() if share is not None else profile:
        if share is not None and rng.random() >= share:
            continue  # not assessed
        p, mean = profile.get(skill, (0.0, 0.0))
        if rng.random() >= p:
            if share is None:
                continue  # no record: proficiency 0
            level = rng.choices(UNHELD_LEVELS, weights=UNHELD_WEIGHTS)[0]
        else:
            level = min(5, max(0, round(rng.gauss(mean, 0.9))))
        assessed = random_day(rng, max(worker.hire_date, on - timedelta(days=3 * 365)), on)
        certified = level >= 3 and rng.random() < 0.3  # certificates older than two years have lapsed
        evidence = "certification" if certified else rng.choices(EVIDENCE, weights=EVIDENCE_WEIGHTS)[0]
        expires = assessed + CERTIFICATION_VALIDITY if certified else None
        skills[skill] = SkillRecord(level, evidence, assessed, expires)
    return skills


def grow_skills(
    rng: random.Random, worker: Worker, skills: dict[str, SkillRecord], previous: date, on: date
) -> dict[str, SkillRecord]:
    """Between snapshots a few workers are assessed one level higher, or on a new skill."""
    if rng.random() >= SKILL_GROWTH_SHARE:
        return skills
    skill = rng.choice(list(SKILL_PROFILES[worker.audience]))
    level = min(5, skills[skill].proficiency + 1) if skill in skills else rng.randint(1, 2)
    assessed = random_day(rng, previous + timedelta(days=1), on)
    evidence = rng.choice(("assessment", "manager_validated"))
    return {**skills, skill: SkillRecord(level, evidence, assessed, None)}


def build_organisation(seed: int, employees: int, as_of: date, hr_snapshots: int, volumes: Volumes) -> Organisation:
    """The whole HR history, deterministic in its arguments (the skill records are drawn when written)."""
    rng = random.Random(f"{seed}:hr")
    fake = Faker([locale for locale, _ in COUNTRIES.values()])
    fake.seed_instance(seed)
    snapshots = snapshot_dates(as_of, hr_snapshots)
    units, profiles = build_units(rng, employees, volumes), build_profiles()
    workers = build_workers(rng, fake, units, profiles, employees, snapshots)
    return Organisation(units, profiles, workers, snapshots, volumes, rng.getstate())


def hr_files(org: Organisation) -> Iterator[tuple[str, tuple[list[str], Iterator[list[object]] | list[list[object]]]]]:
    """(relative path, (header, rows)) of every HR snapshot, in the order they must be written: the skill
    rows of a snapshot are drawn from the previous snapshot's as they are written."""
    skill_snapshots = org.skill_snapshots()
    for n, on in enumerate(org.snapshots):
        yield (
            f"hr/workers/workers_{on}.csv",
            (
                [
                    "worker_id",
                    "first_name",
                    "last_name",
                    "work_email",
                    "job_profile_id",
                    "org_unit_id",
                    "cost_center_id",
                    "manager_worker_id",
                    "country_code",
                    "hire_date",
                    "termination_date",
                    "worker_status",
                    "fte",
                ],
                [
                    [
                        w.worker_id,
                        w.first_name,
                        w.last_name,
                        w.work_email,
                        w.profile.job_profile_id,
                        w.unit.org_unit_id,
                        w.unit.cost_center_id,
                        w.manager_id,
                        w.country,
                        w.hire_date,
                        w.termination_date if w.status(on) == "Terminated" else None,
                        w.status(on),
                        w.fte,
                    ]
                    for w in org.in_snapshot(on)
                ],
            ),
        )
        if n == 0 or org.volumes.reference_every_snapshot:  # they never change: once is enough
            yield (
                f"hr/job_profiles/job_profiles_{on}.csv",
                (
                    ["job_profile_id", "job_title", "job_family", "management_level"],
                    [[p.job_profile_id, p.title, p.family, p.level] for p in org.profiles],
                ),
            )
            yield (
                f"hr/org_units/org_units_{on}.csv",
                (
                    [
                        "org_unit_id",
                        "org_unit_name",
                        "parent_org_unit_id",
                        "org_unit_type",
                        "cost_center_id",
                        "is_ai_ccoe",
                    ],
                    [
                        [u.org_unit_id, u.name, u.parent_id, u.unit_type, u.cost_center_id, u.is_ai_ccoe]
                        for u in org.units
                    ],
                ),
            )
        _, skills = next(skill_snapshots)  # the same dates, in the same order
        yield (
            f"hr/worker_skills/worker_skills_{on}.csv",
            (
                ["worker_id", "skill_id", "proficiency", "evidence", "assessed_date", "expires_date"],
                (
                    [wid, sid, r.proficiency, r.evidence, r.assessed, r.expires]
                    for wid, records in sorted(skills.items())
                    for sid, r in sorted(records.items())
                ),
            ),
        )
