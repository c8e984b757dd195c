"""LMS side of the synthetic organisation: a Microsoft Learn shaped catalogue and xAPI 1.0.3 statements."""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import itertools
import json
import random
import re
import tempfile
import uuid
from bisect import bisect
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

from readiness._generate_hr import Organisation, Worker
from readiness._generate_volumes import Volumes

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
    products: tuple[str, ...] = ()  # when not the provider's

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
# The rest of an enterprise catalogue (enterprise volumes): courses that grant no readiness skill (they are
# not in the learning_item_skills seed). Topic -> (provider, audiences, minutes); each topic comes in the
# formats below, so a catalogue of N items takes the first N (topic, format) pairs, most popular first.
OTHER_TOPICS = {
    "Information Security Awareness": ("int", "LTE", 45),
    "Data Protection and Privacy (GDPR)": ("int", "LTE", 40),
    "Code of Conduct": ("int", "LTE", 30),
    "Anti-Bribery and Corruption": ("int", "LTE", 30),
    "Workplace Health and Safety": ("int", "LTE", 35),
    "Diversity, Equity and Inclusion": ("li", "LTE", 60),
    "Excel": ("li", "LTE", 120),
    "PowerPoint": ("li", "LE", 90),
    "Microsoft Teams": ("ms", "LTE", 45),
    "Time Management": ("li", "LTE", 50),
    "Communicating with Confidence": ("li", "LTE", 70),
    "Project Management": ("li", "LTE", 150),
    "Agile and Scrum": ("li", "LTE", 110),
    "Leading Teams": ("li", "L", 90),
    "Coaching and Feedback": ("li", "L", 75),
    "Performance Reviews": ("int", "L", 45),
    "Budgeting for Managers": ("li", "L", 80),
    "Negotiation": ("li", "LE", 85),
    "Customer Service Excellence": ("li", "E", 60),
    "Consultative Selling": ("li", "E", 95),
    "Salesforce": ("li", "E", 120),
    "Content Marketing": ("li", "E", 100),
    "Financial Modelling": ("li", "E", 140),
    "Power BI": ("ms", "TE", 130),
    "SQL": ("li", "TE", 160),
    "Python": ("li", "T", 220),
    "Git and GitHub": ("ms", "T", 90),
    "Azure Fundamentals": ("ms", "T", 180),
    "AWS Cloud Practitioner": ("li", "T", 240),
    "Kubernetes": ("li", "T", 200),
    "Terraform": ("li", "T", 150),
    "Secure Coding": ("int", "T", 120),
    "Incident Response": ("ms", "T", 100),
    "Network Fundamentals": ("li", "T", 140),
    "Data Engineering on Azure": ("ms", "T", 260),
    "ITIL 4": ("li", "T", 180),
}
OTHER_FORMATS = (
    "Essential Training",
    "Foundations",
    "Tips and Tricks",
    "Advanced Topics",
    "Refresher",
    "for Beginners",
    "Quick Start",
    "Deep Dive",
    "Best Practices",
    "Hands-on Lab",
    "Case Studies",
    "Certification Prep",
)
OTHER_COMPLIANCE_WEIGHT = 8  # mandatory courses: everybody takes them
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


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def other_items(count: int) -> tuple[Item, ...]:
    """The first `count` items of the catalogue besides AI training, in order of popularity (deterministic)."""
    pairs = itertools.product(OTHER_FORMATS, OTHER_TOPICS)  # every topic's first format before any second
    items = []
    for rank, (form, topic) in enumerate(itertools.islice(pairs, count)):
        provider, audiences, minutes = OTHER_TOPICS[topic]
        title = f"{topic}: {form}" if form[0].isupper() else f"{topic} {form}"
        compliance = provider == "int" and audiences == "LTE"
        weight = (OTHER_COMPLIANCE_WEIGHT if compliance else 1.0) / (1 + rank / len(OTHER_TOPICS))
        length = round(minutes * (0.5 + (rank % 5) / 4))
        items.append(
            Item(
                "modules" if provider == "ms" else "courses",
                provider,
                f"{_slug(topic)}-{_slug(form)}",
                title,
                length,
                ("beginner", "intermediate", "advanced")[rank % 3],
                audiences,
                weight,
                products=("contoso-lms",) if provider == "int" else (),
            )
        )
    return tuple(items)


def catalogue_json(as_of: date, volumes: Volumes) -> dict[str, list[dict[str, object]]]:
    """The catalogue in the Microsoft Learn Catalog API shape."""
    out: dict[str, list[dict[str, object]]] = {"modules": [], "learningPaths": [], "courses": []}
    for item in CATALOGUE + other_items(volumes.other_catalogue_items):
        audiences = [AUDIENCES[a] for a in item.audiences]
        entry: dict[str, object] = {
            "uid": item.uid,
            "type": item.kind.rstrip("s"),
            "title": item.title,
            "summary": f"{item.title}: a {item.level} {item.kind.rstrip('s')} from "
            f"{PROVIDERS[item.provider]} for {', '.join(a.replace('_', ' ') for a in audiences)}.",
            "levels": [item.level],
            "roles": [ROLES[a] for a in audiences],
            "products": list(item.products) or PRODUCTS[item.provider],
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
    taken = {id(s) for s in chosen}  # ids are unique: the same statement is the same object
    chosen += rng.sample([s for s in candidates if id(s) not in taken], count - len(chosen))
    for original in chosen:
        at = datetime.fromisoformat(str(original["stored"])) + timedelta(hours=rng.randint(1, 240))
        ref = {"objectType": "StatementRef", "id": original["id"]}
        rec.add(original["actor"], "voided", ref, at, None)  # type: ignore[arg-type]


#: Workers whose statements are held, voided and sorted together before they go to a sorted run on disk;
#: the runs are merged into the file. The default sample (1,000 workers) is one batch.
BATCH_WORKERS = 2_000


def _other_learning(
    rec: Recorder,
    rng: random.Random,
    actor: dict[str, object],
    lo: datetime,
    hi: datetime,
    offset: float,
    shown: float | None,
    per_year: float,
    pool: tuple[list[Item], list[float]],
) -> None:
    """The worker's other enrolments (compliance, tools, soft skills), spread over their time in [lo, hi)."""
    items, cumulative = pool
    days = max(0, (hi - lo).days)
    expected = per_year * days / 365 * rng.uniform(0.5, 1.5)
    taken: set[str] = set()
    for _ in range(int(expected + rng.random())):  # rounded up or down in proportion
        item = items[bisect(cumulative, rng.random() * cumulative[-1])]
        if item.uid in taken:
            continue  # nobody enrols twice in a year
        taken.add(item.uid)
        start = lo + timedelta(days=rng.randint(0, max(0, days - 1)))
        enrol(rec, rng, actor, item, start, offset, shown)


def _other_pools(volumes: Volumes) -> dict[str, tuple[list[Item], list[float]]]:
    """audience -> (the other items meant for it, their cumulative weights)."""
    others = other_items(volumes.other_catalogue_items)
    pools = {}
    for audience in AUDIENCES.values():
        items = [i for i in others if audience[0].upper() in i.audiences]
        pools[audience] = (items, list(itertools.accumulate(i.weight for i in items)))
    return pools


def _course_progress(progress: dict[tuple[str, str], str | None], records: list[dict[str, object]]) -> None:
    """Viva Learning style progress per (account, LinkedIn Learning url), from statements in `stored` order."""
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


def write_statements(
    path: Path, org: Organisation, seed: int, as_of: date, volumes: Volumes
) -> tuple[int, tuple[list[str], list[list[object]]]]:
    """xAPI statements for the year before as_of into `path` (JSON lines sorted by `stored`), and the
    course activity derived from them.

    Streamed: the statements of BATCH_WORKERS workers at a time are voided (an LRS admin voids ~0.5% of
    them), sorted and written to a run; the runs are merged into the file. A learner's statements are all in
    one batch, so the course activity is accumulated batch by batch.
    """
    rng = random.Random(f"{seed}:lms")
    window_end = datetime.combine(as_of, time(23, 59, 59), tzinfo=UTC)
    window_start = datetime.combine(as_of - timedelta(days=364), time(), tzinfo=UTC)
    rec = Recorder(rng, window_end)
    pools = _other_pools(volumes) if volumes.other_enrolments_per_year else {}
    progress: dict[tuple[str, str], str | None] = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".statements-") as tmp:
        runs: list[Path] = []

        def flush() -> None:
            rec.cutoff = window_end
            _void_some(rec, rng)
            batch = [s for _, s in sorted(rec.statements, key=lambda pair: (pair[0], str(pair[1]["id"])))]
            rec.statements = []
            _course_progress(progress, batch)
            runs.append(Path(tmp) / f"run-{len(runs):05d}")
            with runs[-1].open("w", encoding="utf-8") as out:
                for s in batch:  # prefixed with its sort key: the merge compares lines as text
                    out.write(f"{s['stored']}\t{s['id']}\t{json.dumps(s, ensure_ascii=False)}\n")

        for n, worker in enumerate(org.workers):
            if n and n % BATCH_WORKERS == 0:
                flush()
            _worker_statements(rec, rng, worker, window_start, window_end, as_of, volumes, pools)
        rec.cutoff = window_end
        for email in CONTRACTORS:  # external contractors learn too, but are not in HR
            _learn(rec, rng, _actor("mbox", email, None), "tech_specialist", window_start, window_end, 0, None)
        flush()
        count = 0
        with contextlib.ExitStack() as files:
            out = files.enter_context(path.open("w", encoding="utf-8"))
            for line in heapq.merge(*(files.enter_context(run.open(encoding="utf-8")) for run in runs)):
                out.write(line.split("\t", 2)[2])
                count += 1
    header = ["learnerUserId", "learningContentId", "completionPercentage", "completedDateTime", "status"]
    rows: list[list[object]] = [
        [learner, url, 100 if done else 50, done, "completed" if done else "inProgress"]
        for (learner, url), done in sorted(progress.items())
    ]
    return count, (header, rows)


def _worker_statements(
    rec: Recorder,
    rng: random.Random,
    worker: Worker,
    window_start: datetime,
    window_end: datetime,
    as_of: date,
    volumes: Volumes,
    pools: dict[str, tuple[list[Item], list[float]]],
) -> None:
    """A worker's year: AI training if they are a learner, then (enterprise volumes) their other courses."""
    share = LEARNER_SHARE["ccoe" if worker.unit.is_ai_ccoe else worker.audience]
    learner, form = rng.random() < share, rng.choices(ACTOR_FORMS, weights=ACTOR_WEIGHTS)[0]
    offset = UTC_OFFSETS[worker.country]
    shown = offset if rng.random() < LOCAL_TIMESTAMP_SHARE else None
    lo = max(window_start, datetime.combine(worker.hire_date, time(), tzinfo=UTC))
    hi = min(window_end, datetime.combine(worker.termination_date or as_of, time(), tzinfo=UTC))
    rec.cutoff = min(window_end, hi + timedelta(days=1))  # a leaver's account stops with them
    if hi <= lo:
        return
    actor = _actor(form, worker.work_email, worker.worker_id)
    if learner:
        _learn(rec, rng, actor, worker.audience, lo, hi, offset, shown)
    if pools:
        per_year = volumes.other_enrolments_per_year
        _other_learning(rec, rng, actor, lo, hi, offset, shown, per_year, pools[worker.audience])
