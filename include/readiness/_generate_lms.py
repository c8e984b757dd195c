"""LMS side of the synthetic organisation: a Microsoft Learn shaped catalogue and xAPI 1.0.3 statements."""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from readiness._generate_hr import Organisation, Worker

MS, LI, LMS = "https://learn.microsoft.com/training", "https://www.linkedin.com/learning", "https://lms.contoso.example"
ALL, TECH, LEAD = ("leadership", "tech_specialist", "end_user"), ("tech_specialist",), ("leadership",)


@dataclass(frozen=True)
class Item:
    """A catalogue item and who tends to enrol in it (weight: relative popularity within an audience)."""

    kind: str  # modules, learningPaths or courses: the catalogue array holding it
    uid: str
    title: str
    url: str
    minutes: int
    level: str
    roles: tuple[str, ...]
    products: tuple[str, ...]
    audiences: tuple[str, ...]
    weight: float
    summary: str
    modules: tuple[str, ...] = ()


CATALOGUE: tuple[Item, ...] = (  # the six items of REFERENCE.md first, with their exact uid/title/url/duration
    Item("learningPaths", "introduction-generative-ai", "Microsoft Azure AI Fundamentals: Generative AI",
         f"{MS}/paths/introduction-generative-ai/", 180, "beginner", ("business-user", "student", "ai-engineer"),
         ("azure", "azure-openai"), ALL, 6, "Learn what generative AI is, how language models work and how to use "
         "them responsibly.", ("fundamentals-generative-ai", "responsible-generative-ai")),
    Item("learningPaths", "intro-generative-ai-for-trainers", "Introduction to generative AI for trainers",
         f"{MS}/paths/intro-generative-ai-for-trainers/", 240, "beginner", ("trainer", "business-user"),
         ("microsoft-copilot",), ("leadership", "tech_specialist"), 1.5, "Use generative AI to design and deliver "
         "training content.", ("fundamentals-generative-ai", "create-training-content-generative-ai")),
    Item("learningPaths", "develop-ai-solutions-azure-openai", "Develop Generative AI solutions with Azure OpenAI "
         "Service", f"{MS}/paths/develop-ai-solutions-azure-openai/", 480, "intermediate", ("ai-engineer", "developer"),
         ("azure-openai",), TECH, 5, "Provision Azure OpenAI, engineer prompts and ground models in your own data.",
         ("get-started-openai", "apply-prompt-engineering-azure-openai", "use-own-data-azure-openai")),
    Item("learningPaths", "security-copilot-and-ai", "Get started with Microsoft Copilot for Security",
         f"{MS}/paths/security-copilot-and-ai/", 150, "beginner", ("security-engineer", "security-operations-analyst"),
         ("copilot-for-security",), ("tech_specialist", "leadership"), 1.5, "Understand generative AI in security "
         "operations and what Copilot for Security can do.", ("fundamentals-generative-ai",
                                                             "describe-copilot-for-security")),
    Item("learningPaths", "career-essentials-generative-ai", "Career Essentials in Generative AI by Microsoft and "
         "LinkedIn", f"{LI}/paths/career-essentials-in-generative-ai-by-microsoft-and-linkedin", 240, "beginner",
         ("business-user",), ("linkedin-learning",), ALL, 5, "Core concepts of generative AI, its ethics and its "
         "impact on work.", ("what-is-generative-ai", "ethics-in-the-age-of-generative-ai")),
    Item("courses", "generative-ai-for-beginners", "Generative AI for Beginners - A Course",
         "https://microsoft.github.io/generative-ai-for-beginners/", 1260, "beginner", ("developer", "student"),
         ("azure-openai", "github"), TECH, 3, "21 lessons on building generative AI applications."),
    Item("modules", "fundamentals-generative-ai", "Fundamentals of Generative AI",
         f"{MS}/modules/fundamentals-generative-ai/", 60, "beginner", ("business-user", "student"),
         ("azure-openai",), ALL, 1.5, "Language models, copilots and prompts explained."),
    Item("modules", "responsible-generative-ai", "Fundamentals of Responsible Generative AI",
         f"{MS}/modules/responsible-generative-ai/", 45, "beginner", ("business-user", "ai-engineer"),
         ("azure-openai",), ALL, 1, "Identify, measure and mitigate the harms of generative AI."),
    Item("modules", "create-training-content-generative-ai", "Create training content with generative AI",
         f"{MS}/modules/create-training-content-generative-ai/", 60, "beginner", ("trainer",),
         ("microsoft-copilot",), LEAD, 0.5, "Draft lessons, quizzes and exercises with an AI assistant."),
    Item("modules", "get-started-openai", "Get started with Azure OpenAI Service",
         f"{MS}/modules/get-started-openai/", 47, "intermediate", ("ai-engineer", "developer"),
         ("azure-openai",), TECH, 2, "Create an Azure OpenAI resource and deploy a model."),
    Item("modules", "apply-prompt-engineering-azure-openai", "Apply prompt engineering with Azure OpenAI Service",
         f"{MS}/modules/apply-prompt-engineering-azure-openai/", 51, "intermediate", ("ai-engineer", "developer"),
         ("azure-openai",), TECH, 2, "Improve model responses with prompt engineering techniques."),
    Item("modules", "use-own-data-azure-openai", "Implement Retrieval Augmented Generation (RAG) with Azure OpenAI "
         "Service", f"{MS}/modules/use-own-data-azure-openai/", 60, "intermediate", ("ai-engineer", "developer"),
         ("azure-openai", "azure-ai-search"), TECH, 1.5, "Ground a model in your own data with Azure AI Search."),
    Item("modules", "describe-copilot-for-security", "Describe Microsoft Copilot for Security",
         f"{MS}/modules/describe-copilot-for-security/", 35, "beginner", ("security-engineer",),
         ("copilot-for-security",), TECH, 0.7, "Features and use cases of Copilot for Security."),
    Item("modules", "what-is-generative-ai", "What Is Generative AI?", f"{LI}/what-is-generative-ai", 41,
         "beginner", ("business-user",), ("linkedin-learning",), ALL, 2, "A short introduction for everyone."),
    Item("modules", "ethics-in-the-age-of-generative-ai", "Ethics in the Age of Generative AI",
         f"{LI}/ethics-in-the-age-of-generative-ai", 56, "beginner", ("business-user",), ("linkedin-learning",),
         ("leadership", "end_user"), 1, "Ethical questions leaders and users face with generative AI."),
    Item("courses", "contoso-responsible-ai-policy", "Contoso responsible AI policy",
         f"{LMS}/courses/contoso-responsible-ai-policy", 30, "beginner", ("business-user",), ("contoso",), ALL, 4,
         "What Contoso allows, forbids and expects when you use AI tools."),
    Item("courses", "contoso-copilot-prompting", "Microsoft 365 Copilot at Contoso: prompting for everyday work",
         f"{LMS}/courses/contoso-copilot-prompting", 90, "beginner", ("business-user",),
         ("microsoft-365-copilot",), ("end_user", "leadership"), 4, "Hands-on prompting in Word, Outlook and Teams."),
    Item("courses", "contoso-ai-for-leaders", "Leading with AI: deciding on AI-provided insights",
         f"{LMS}/courses/contoso-ai-for-leaders", 120, "intermediate", ("business-decision-maker",), ("contoso",),
         LEAD, 3, "Business cases, risks and decisions for generative AI programmes."),
    Item("courses", "contoso-llmops-workshop", "Operating LLM applications in production (CCoE workshop)",
         f"{LMS}/courses/contoso-llmops-workshop", 360, "advanced", ("ai-engineer", "devops-engineer"),
         ("azure-openai", "azure-machine-learning"), TECH, 1, "Monitoring, evaluation and cost control of LLM apps."),
)
ADL, CMI5 = "http://adlnet.gov/expapi/verbs/", "https://w3id.org/xapi/adl/verbs/"
LEARNER_SHARE = {"leadership": 0.75, "tech_specialist": 0.65, "end_user": 0.45, "ccoe": 0.95}
ITEMS_PER_LEARNER, ITEMS_WEIGHTS = (1, 2, 3, 4), (40, 30, 20, 10)
COMPLETION_SHARE = 0.68  # some completions fall after as_of, so ~60% of enrolments end up completed
ASSESSED_KINDS = ("learningPaths", "courses")  # these end with a scored assessment
ACTOR_FORMS, ACTOR_WEIGHTS = ("mbox", "account", "mbox_sha1sum"), (60, 35, 5)
VOIDED_SHARE = 0.005
UTC_OFFSETS = {"US": -5, "CA": -5, "GB": 0, "IE": 0, "DE": 1, "FR": 1, "NL": 1, "IN": 5.5}  # hours
CONTRACTORS = ("j.keller@fabrikam.example", "a.osei@fabrikam.example", "m.rossi@northwind-consulting.example",
               "priya.n@northwind-consulting.example")


def catalogue_json(as_of: date) -> dict[str, list[dict[str, object]]]:
    """The catalogue in the Microsoft Learn Catalog API shape."""
    out: dict[str, list[dict[str, object]]] = {"modules": [], "learningPaths": [], "courses": []}
    for item in CATALOGUE:
        entry: dict[str, object] = {
            "uid": item.uid, "type": {"modules": "module", "learningPaths": "learningPath"}.get(item.kind, "course"),
            "title": item.title, "summary": item.summary, "levels": [item.level], "roles": list(item.roles),
            "products": list(item.products), "duration_in_minutes": item.minutes, "url": item.url,
            "locale": "en-us", "last_modified": f"{as_of.year}-01-15T00:00:00+00:00"}
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
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")


class StatementWriter:
    """Builds statements with ids from the seeded RNG and keeps them with their stored time for sorting."""

    def __init__(self, rng: random.Random, window_end: datetime) -> None:
        self.rng, self.window_end = rng, window_end
        self.statements: list[tuple[datetime, dict[str, object]]] = []

    def add(self, actor: dict[str, object], verb: str, obj: dict[str, object], at: datetime,
            offset_hours: float | None, result: dict[str, object] | None = None) -> dict[str, object] | None:
        """One statement at UTC time `at`, written with the learner's offset (None: as UTC 'Z')."""
        stored = at + timedelta(seconds=self.rng.randint(1, 900))
        if stored > self.window_end:
            return None  # it has not happened yet on the as-of date
        if offset_hours is None:
            timestamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            timestamp = at.astimezone(timezone(timedelta(hours=offset_hours))).isoformat()
        base = CMI5 if verb == "satisfied" else ADL
        statement: dict[str, object] = {
            "id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), "actor": actor,
            "verb": {"id": base + verb, "display": {"en-US": verb}}, "object": obj}
        if result:
            statement["result"] = result
        statement |= {"timestamp": timestamp, "stored": stored.strftime("%Y-%m-%dT%H:%M:%SZ"), "version": "1.0.3"}
        self.statements.append((stored, statement))
        return statement


def _session_start(rng: random.Random, day: datetime, offset: float) -> datetime:
    """A working-hours moment of the learner's local day, in UTC."""
    local = datetime.combine(day.date(), time(8), tzinfo=timezone.utc) + timedelta(minutes=rng.randint(0, 600))
    return local - timedelta(hours=offset)


def enrol(w: StatementWriter, rng: random.Random, actor: dict[str, object], item: Item, start: datetime,
          offset: float, write_offset: bool) -> None:
    """registered -> launched -> progressed sessions -> completed (often) -> passed/failed (sometimes)."""
    obj = {"objectType": "Activity", "id": item.url, "definition": {
        "name": {"en-US": item.title}, "type": "http://adlnet.gov/expapi/activities/course"}}
    shown = offset if write_offset else None
    w.add(actor, "registered", obj, at := _session_start(rng, start, offset), shown)
    at += timedelta(minutes=rng.randint(1, 60 * 24 * rng.choice((0, 0, 1, 3))))
    w.add(actor, "launched", obj, at, shown)
    completes = rng.random() < COMPLETION_SHARE
    sessions = rng.randint(1, 4) if completes else rng.randint(0, 3)
    effort = item.minutes * 60 * rng.uniform(0.6, 1.3) / max(1, sessions + 1)
    for _ in range(sessions):
        at = _session_start(rng, at + timedelta(days=rng.randint(1, 12)), offset)
        w.add(actor, "progressed", obj, at, shown, {"completion": False, "duration": _iso_duration(
            int(effort * rng.uniform(0.7, 1.3)))})
    if not completes:
        return
    at = _session_start(rng, at + timedelta(days=rng.randint(1, 10)), offset)
    w.add(actor, "completed", obj, at, shown, {"completion": True, "duration": _iso_duration(int(effort))})
    if item.uid.startswith("contoso-") and rng.random() < 0.3:  # internal courses run as cmi5 AUs
        w.add(actor, "satisfied", obj, at + timedelta(seconds=5), shown)
    for _attempt in range(2):
        if item.kind not in ASSESSED_KINDS or rng.random() < 0.45:
            return
        at += timedelta(days=rng.randint(0, 6), minutes=rng.randint(30, 90))
        score = round(rng.uniform(0.35, 1.0), 2)
        verb = "passed" if score >= 0.7 else "failed"
        w.add(actor, verb, obj, at, shown, {"success": verb == "passed", "completion": True,
                                            "score": {"scaled": score}, "duration": f"PT{rng.randint(15, 45)}M"})
        if verb == "passed":
            return


def _pick_items(rng: random.Random, audience: str, count: int) -> list[Item]:
    """Weighted sampling without replacement among the items meant for the audience."""
    pool = [i for i in CATALOGUE if audience in i.audiences]
    picked: list[Item] = []
    while pool and len(picked) < count:
        picked.append(item := rng.choices(pool, weights=[i.weight for i in pool])[0])
        pool.remove(item)
    return picked


def _learn(w: StatementWriter, rng: random.Random, actor: dict[str, object], audience: str, lo: datetime,
           hi: datetime, offset: float, write_offset: bool) -> None:
    for item in _pick_items(rng, audience, rng.choices(ITEMS_PER_LEARNER, weights=ITEMS_WEIGHTS)[0]):
        start = lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days - 1)))
        enrol(w, rng, actor, item, start, offset, write_offset)


def _void_some(w: StatementWriter, rng: random.Random) -> None:
    """An LRS admin voids ~0.5% of statements (a share of them completions), with the learner as actor."""
    candidates = [s for _, s in w.statements if s["verb"]["id"] != ADL + "registered"]  # type: ignore[index]
    completions = [s for s in candidates if s["verb"]["id"] == ADL + "completed"]  # type: ignore[index]
    count = max(2, round(len(w.statements) * VOIDED_SHARE))
    chosen = rng.sample(completions, min(len(completions), count // 3 + 1))
    chosen += rng.sample([s for s in candidates if s not in chosen], count - len(chosen))
    for original in chosen:
        at = datetime.fromisoformat(str(original["stored"])) + timedelta(hours=rng.randint(1, 240))
        w.add(original["actor"], "voided", {"objectType": "StatementRef", "id": original["id"]},  # type: ignore
              at, None)


def statements(org: Organisation, seed: int, as_of: date) -> list[dict[str, object]]:
    """xAPI statements for the year before as_of, sorted by `stored`."""
    rng = random.Random(f"{seed}:lms")
    window_end = datetime.combine(as_of, time(23, 59, 59), tzinfo=timezone.utc)
    window_start = window_end - timedelta(days=365)
    w = StatementWriter(rng, window_end)
    for worker in org.workers:
        learner = rng.random() < LEARNER_SHARE["ccoe" if worker.unit.is_ai_ccoe else worker.audience]
        form = rng.choices(ACTOR_FORMS, weights=ACTOR_WEIGHTS)[0]
        write_offset = rng.random() < 0.2  # most LRSs normalise timestamps to UTC, some keep the learner's
        if not learner:
            continue
        lo = max(window_start, datetime.combine(worker.hire_date, time(), tzinfo=timezone.utc))
        end = worker.termination_date or as_of
        hi = min(window_end, datetime.combine(end, time(), tzinfo=timezone.utc))
        if hi > lo:
            _learn(w, rng, _actor(form, worker.work_email, worker.worker_id), worker.audience, lo, hi,
                   UTC_OFFSETS[worker.country], write_offset)
    for email in CONTRACTORS:  # external contractors learn too, but are not in HR
        _learn(w, rng, _actor("mbox", email, None), "tech_specialist", window_start, window_end, 0, False)
    _void_some(w, rng)
    return [s for _, s in sorted(w.statements, key=lambda pair: (pair[0], str(pair[1]["id"])))]


def learner_ids(workers: list[Worker]) -> list[str]:
    """Worker ids, in order; kept for symmetry with the HR helpers."""
    return [w.worker_id for w in workers]
