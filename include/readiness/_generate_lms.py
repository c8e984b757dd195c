"""LMS side of the synthetic organisation: a Microsoft Learn shaped catalogue and xAPI 1.0.3 statements."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import NamedTuple

from readiness._generate_hr import Organisation

MS = "https://learn.microsoft.com/training"
LI = "https://www.linkedin.com/learning"
LMS = "https://lms.contoso.example"
AUDIENCES = {"L": "leadership", "T": "tech_specialist", "E": "end_user"}
ROLES = {"leadership": "business-decision-maker", "tech_specialist": "ai-engineer", "end_user": "business-user"}
PRODUCTS = {
    "ms": ["azure", "azure-openai"],
    "li": ["linkedin-learning"],
    "gh": ["azure-openai", "github"],
    "int": ["microsoft-365-copilot"],
}
PROVIDERS = {"ms": "Microsoft Learn", "li": "LinkedIn Learning", "gh": "Microsoft Cloud Advocates", "int": "Contoso"}


class Item(NamedTuple):
    """A catalogue item; audiences (L/T/E) and weight say who tends to enrol and how popular it is."""

    kind: str  # learningPaths, modules or courses: the catalogue array holding it
    provider: str
    uid: str
    title: str
    minutes: int
    level: str
    audiences: str
    weight: float
    modules: tuple[str, ...] = ()
    url: str = ""  # when it does not follow from provider and uid

    @property
    def href(self) -> str:
        if self.url:
            return self.url
        if self.provider == "ms":
            return f"{MS}/{'paths' if self.kind == 'learningPaths' else 'modules'}/{self.uid}/"
        return f"{LI}/{self.uid}" if self.provider == "li" else f"{LMS}/courses/{self.uid}"


PATH, MODULE, COURSE = "learningPaths", "modules", "courses"
CATALOGUE = (  # the six items of docs/readiness-plan.md first, with its exact uid, title, url and duration
    Item(
        PATH,
        "ms",
        "introduction-generative-ai",
        "Microsoft Azure AI Fundamentals: Generative AI",
        180,
        "beginner",
        "LTE",
        6,
        ("fundamentals-generative-ai", "responsible-generative-ai"),
    ),
    Item(
        PATH,
        "ms",
        "intro-generative-ai-for-trainers",
        "Introduction to generative AI for trainers",
        240,
        "beginner",
        "LT",
        1.5,
        ("fundamentals-generative-ai", "create-training-content-generative-ai"),
    ),
    Item(
        PATH,
        "ms",
        "develop-ai-solutions-azure-openai",
        "Develop Generative AI solutions with Azure OpenAI Service",
        480,
        "intermediate",
        "T",
        5,
        ("get-started-openai", "apply-prompt-engineering-azure-openai", "use-own-data-azure-openai"),
    ),
    Item(
        PATH,
        "ms",
        "security-copilot-and-ai",
        "Get started with Microsoft Copilot for Security",
        150,
        "beginner",
        "TL",
        1.5,
        ("fundamentals-generative-ai", "describe-copilot-for-security"),
    ),
    Item(
        PATH,
        "li",
        "career-essentials-generative-ai",
        "Career Essentials in Generative AI by Microsoft and LinkedIn",
        240,
        "beginner",
        "LTE",
        5,
        ("what-is-generative-ai", "ethics-in-the-age-of-generative-ai"),
        f"{LI}/paths/career-essentials-in-generative-ai-by-microsoft-and-linkedin",
    ),
    Item(
        COURSE,
        "gh",
        "generative-ai-for-beginners",
        "Generative AI for Beginners - A Course",
        1260,
        "beginner",
        "T",
        3,
        (),
        "https://microsoft.github.io/generative-ai-for-beginners/",
    ),
    Item(MODULE, "ms", "fundamentals-generative-ai", "Fundamentals of Generative AI", 60, "beginner", "LTE", 1.5),
    Item(
        MODULE, "ms", "responsible-generative-ai", "Fundamentals of Responsible Generative AI", 45, "beginner", "LTE", 1
    ),
    Item(
        MODULE,
        "ms",
        "create-training-content-generative-ai",
        "Create training content with generative AI",
        60,
        "beginner",
        "L",
        0.5,
    ),
    Item(MODULE, "ms", "get-started-openai", "Get started with Azure OpenAI Service", 47, "intermediate", "T", 2),
    Item(
        MODULE,
        "ms",
        "apply-prompt-engineering-azure-openai",
        "Apply prompt engineering with Azure OpenAI Service",
        51,
        "intermediate",
        "T",
        2,
    ),
    Item(
        MODULE,
        "ms",
        "use-own-data-azure-openai",
        "Implement Retrieval Augmented Generation (RAG) with Azure OpenAI Service",
        60,
        "intermediate",
        "T",
        1.5,
    ),
    Item(
        MODULE,
        "ms",
        "describe-copilot-for-security",
        "Describe Microsoft Copilot for Security",
        35,
        "beginner",
        "T",
        0.7,
    ),
    Item(MODULE, "li", "what-is-generative-ai", "What Is Generative AI?", 41, "beginner", "LTE", 2),
    Item(
        MODULE,
        "li",
        "ethics-in-the-age-of-generative-ai",
        "Ethics in the Age of Generative AI",
        56,
        "beginner",
        "LE",
        1,
    ),
    Item(COURSE, "int", "contoso-responsible-ai-policy", "Contoso responsible AI policy", 30, "beginner", "LTE", 4),
    Item(
        COURSE,
        "int",
        "contoso-copilot-prompting",
        "Microsoft 365 Copilot at Contoso: prompting for everyday work",
        90,
        "beginner",
        "EL",
        4,
    ),
    Item(
        COURSE,
        "int",
        "contoso-ai-for-leaders",
        "Leading with AI: deciding on AI-provided insights",
        120,
        "intermediate",
        "L",
        3,
    ),
    Item(
        COURSE,
        "int",
        "contoso-llmops-workshop",
        "Operating LLM applications in production (CCoE workshop)",
        360,
        "advanced",
        "T",
        1,
    ),
)
ADL, CMI5 = "http://adlnet.gov/expapi/verbs/", "https://w3id.org/xapi/adl/verbs/"
LEARNER_SHARE = {"leadership": 0.75, "tech_specialist": 0.65, "end_user": 0.45, "ccoe": 0.95}
ITEMS_PER_LEARNER, ITEMS_WEIGHTS = (1, 2, 3, 4), (40, 30, 20, 10)
COMPLETION_SHARE = 0.68  # some completions would fall after as_of, so ~60% of enrolments end up completed
ACTOR_FORMS, ACTOR_WEIGHTS = ("mbox", "account", "mbox_sha1sum"), (60, 35, 5)
LOCAL_TIMESTAMP_SHARE = 0.2  # most LRSs normalise timestamps to UTC, some keep the learner's offset
VOIDED_SHARE = 0.005
UTC_OFFSETS = {"US": -5, "CA": -5, "GB": 0, "IE": 0, "DE": 1, "FR": 1, "NL": 1, "IN": 5.5}  # hours
CONTRACTORS = (
    "j.keller@fabrikam.example",
    "a.osei@fabrikam.example",
    "m.rossi@northwind-consulting.example",
    "priya.n@northwind-consulting.example",
)


def catalogue_json(as_of: date) -> dict[str, list[dict[str, object]]]:
    """The catalogue in the Microsoft Learn Catalog API shape."""
    out: dict[str, list[dict[str, object]]] = {"modules": [], "learningPaths": [], "courses": []}
    for item in CATALOGUE:
        audiences = [AUDIENCES[a] for a in item.audiences]
        entry: dict[str, object] = {
            "uid": item.uid,
            "type": item.kind.rstrip("s"),
            "title": item.title,
            "summary": f"{item.title}: a {item.level} {item.kind.rstrip('s')} from "
            f"{PROVIDERS[item.provider]} for {', '.join(a.replace('_', ' ') for a in audiences)}.",
            "levels": [item.level],
            "roles": [ROLES[a] for a in audiences],
            "products": PRODUCTS[item.provider],
            "duration_in_minutes": item.minutes,
            "url": item.href,
            "locale": "en-us",
            "last_modified": f"{as_of.year}-01-15T00:00:00+00:00",
        }
        if item.kind == "learningPaths":
            entry["modules"] = list(item.modules)
        out[item.kind].append(entry)
    return out


def _actor(form: str, email: str, worker_id: str | None) -> dict[str, object]:
    if form == "account" and worker_id:
        return {"objectType": "Agent", "account": {"homePage": LMS, "name": worker_id}}
    if form == "mbox_sha1sum":
        return {"objectType": "Agent", "mbox_sha1sum": hashlib.sha1(f"mailto:{email}".encode()).hexdigest()}
    return {"objectType": "Agent", "mbox": f"mailto:{email}"}


def _iso_duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    parts = ((hours, "H"), (rest // 60, "M"), (rest % 60, "S"))
    return "PT" + ("".join(f"{n}{unit}" for n, unit in parts if n) or "0S")


class Recorder:
    """Collects statements, ids from the seeded RNG, dropping those after the cutoff (as_of or leaving)."""

    def __init__(self, rng: random.Random, window_end: datetime) -> None:
        self.rng, self.window_end, self.cutoff = rng, window_end, window_end
        self.statements: list[tuple[datetime, dict[str, object]]] = []

    def add(
        self,
        actor: dict[str, object],
        verb: str,
        obj: dict[str, object],
        at: datetime,
        offset: float | None,
        result: dict[str, object] | None = None,
    ) -> None:
        """One statement at UTC time `at`, its timestamp written with `offset` hours (None: UTC 'Z')."""
        stored = at + timedelta(seconds=self.rng.randint(1, 900))
        if stored > self.cutoff:
            return
        local = at.astimezone(timezone(timedelta(hours=offset))).isoformat() if offset is not None else None
        statement: dict[str, object] = {
            "id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "actor": actor,
            "verb": {"id": (CMI5 if verb == "satisfied" else ADL) + verb, "display": {"en-US": verb}},
            "object": obj,
        }
        statement |= {"result": result} if result else {}
        statement |= {
            "timestamp": local or at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "stored": stored.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "version": "1.0.3",
        }
        self.statements.append((stored, statement))


def _session(rng: random.Random, day: datetime, offset: float) -> datetime:
    """A working-hours moment (08:00-18:00 local) of the learner's day, in UTC."""
    local_start = datetime.combine(day.date(), time(8), tzinfo=UTC)
    return local_start + timedelta(minutes=rng.randint(0, 600), hours=-offset)


def enrol(
    rec: Recorder,
    rng: random.Random,
    actor: dict[str, object],
    item: Item,
    start: datetime,
    offset: float,
    shown: float | None,
) -> None:
    """registered -> launched -> progressed sessions -> completed (often) -> passed / failed (sometimes)."""
    obj = {
        "objectType": "Activity",
        "id": item.href,
        "definition": {"name": {"en-US": item.title}, "type": "http://adlnet.gov/expapi/activities/course"},
    }
    rec.add(actor, "registered", obj, at := _session(rng, start, offset), shown)
    at += timedelta(minutes=rng.randint(1, 30 + 1440 * rng.choice((0, 1, 3))))
    rec.add(actor, "launched", obj, at, shown)
    completes = rng.random() < COMPLETION_SHARE
    sessions = rng.randint(1, 4) if completes else rng.randint(0, 3)
    effort = item.minutes * 60 * rng.uniform(0.6, 1.3) / (sessions + 1)  # seconds per session
    for _ in range(sessions):
        at = _session(rng, at + timedelta(days=rng.randint(1, 12)), offset)
        rec.add(
            actor,
            "progressed",
            obj,
            at,
            shown,
            {"completion": False, "duration": _iso_duration(int(effort * rng.uniform(0.7, 1.3)))},
        )
    if not completes:
        return
    at = _session(rng, at + timedelta(days=rng.randint(1, 10)), offset)
    rec.add(actor, "completed", obj, at, shown, {"completion": True, "duration": _iso_duration(int(effort))})
    if item.provider == "int" and rng.random() < 0.3:  # internal courses run as cmi5 AUs
        rec.add(actor, "satisfied", obj, at + timedelta(seconds=5), shown)
    for _attempt in range(2):  # paths and courses end with an assessment some take, and retake once if failed
        if item.kind == "modules" or rng.random() < 0.45:
            return
        at += timedelta(days=rng.randint(0, 6), minutes=rng.randint(30, 90))
        score = round(min(1.0, rng.gauss(0.8, 0.15)), 2)
        verb = "passed" if score >= 0.7 else "failed"
        rec.add(
            actor,
            verb,
            obj,
            at,
            shown,
            {
                "success": verb == "passed",
                "completion": True,
                "score": {"scaled": score},
                "duration": f"PT{rng.randint(15, 45)}M",
            },
        )
        if verb == "passed":
            return


def _learn(
    rec: Recorder,
    rng: random.Random,
    actor: dict[str, object],
    audience: str,
    lo: datetime,
    hi: datetime,
    offset: float,
    shown: float | None,
) -> None:
    """Enrol in 1-4 items meant for the audience (weighted, no repeats) on random days in [lo, hi)."""
    pool = [i for i in CATALOGUE if audience[0].upper() in i.audiences]
    for _ in range(rng.choices(ITEMS_PER_LEARNER, weights=ITEMS_WEIGHTS)[0]):
        pool.remove(item := rng.choices(pool, weights=[i.weight for i in pool])[0])
        start = lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days - 1)))
        enrol(rec, rng, actor, item, start, offset, shown)


def _void_some(rec: Recorder, rng: random.Random) -> None:
    """An LRS admin voids ~0.5% of the statements, a third of them completions."""

    def verb(statement: dict[str, object]) -> str:
        return str(statement["verb"]["id"]).rsplit("/", 1)[-1]  # type: ignore[index]

    candidates = [s for _, s in rec.statements if verb(s) != "registered"]
    completions = [s for s in candidates if verb(s) == "completed"]
    count = max(3, round(len(rec.statements) * VOIDED_SHARE))
    chosen = rng.sample(completions, min(len(completions), count // 3 + 1))
    chosen += rng.sample([s for s in candidates if s not in chosen], count - len(chosen))
    for original in chosen:
        at = datetime.fromisoformat(str(original["stored"])) + timedelta(hours=rng.randint(1, 240))
        ref = {"objectType": "StatementRef", "id": original["id"]}
        rec.add(original["actor"], "voided", ref, at, None)  # type: ignore[arg-type]


def statements(org: Organisation, seed: int, as_of: date) -> list[dict[str, object]]:
    """xAPI statements for the year before as_of, sorted by `stored`."""
    rng = random.Random(f"{seed}:lms")
    window_end = datetime.combine(as_of, time(23, 59, 59), tzinfo=UTC)
    window_start = datetime.combine(as_of - timedelta(days=364), time(), tzinfo=UTC)
    rec = Recorder(rng, window_end)
    for worker in org.workers:
        share = LEARNER_SHARE["ccoe" if worker.unit.is_ai_ccoe else worker.audience]
        learner, form = rng.random() < share, rng.choices(ACTOR_FORMS, weights=ACTOR_WEIGHTS)[0]
        offset = UTC_OFFSETS[worker.country]
        shown = offset if rng.random() < LOCAL_TIMESTAMP_SHARE else None
        lo = max(window_start, datetime.combine(worker.hire_date, time(), tzinfo=UTC))
        hi = min(window_end, datetime.combine(worker.termination_date or as_of, time(), tzinfo=UTC))
        rec.cutoff = min(window_end, hi + timedelta(days=1))  # a leaver's account stops with them
        if learner and hi > lo:
            actor = _actor(form, worker.work_email, worker.worker_id)
            _learn(rec, rng, actor, worker.audience, lo, hi, offset, shown)
    rec.cutoff = window_end
    for email in CONTRACTORS:  # external contractors learn too, but are not in HR
        _learn(rec, rng, _actor("mbox", email, None), "tech_specialist", window_start, window_end, 0, None)
    _void_some(rec, rng)
    return [s for _, s in sorted(rec.statements, key=lambda pair: (pair[0], str(pair[1]["id"])))]


def course_activity(records: list[dict[str, object]]) -> tuple[list[str], list[list[object]]]:
    """Viva Learning style course activity, derived from the LinkedIn Learning statements of account actors.

    Viva Learning reports LinkedIn Learning progress per learner and course; deriving it from the same
    statements keeps the two LMS extracts consistent. Voids are ignored here: the export is progress as
    the provider last saw it.
    """
    progress: dict[tuple[str, str], str | None] = {}
    for record in records:
        actor, obj = record["actor"], record["object"]
        account = actor.get("account") if isinstance(actor, dict) else None
        url = str(obj.get("id", "")) if isinstance(obj, dict) else ""
        if not account or not url.startswith(LI):
            continue
        key = (str(account["name"]), url)
        completed = str(record["verb"]["id"]).endswith("/completed")  # type: ignore[index]
        if completed and progress.get(key) is None:
            progress[key] = str(record["timestamp"])
        else:
            progress.setdefault(key, None)
    header = ["learnerUserId", "learningContentId", "completionPercentage", "completedDateTime", "status"]
    rows: list[list[object]] = [
        [learner, url, 100 if done else 50, done, "completed" if done else "inProgress"]
        for (learner, url), done in sorted(progress.items())
    ]
    return header, rows
