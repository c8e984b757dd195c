"""The sample pulse survey (survey/pulse_responses): a Microsoft Forms-like export, anonymous by construction.

Three monthly waves up to the as-of date; in each, about a third of the active workforce answers. A response
carries the respondent's org unit and audience (what the form asks them to pick) and four Likert answers,
never who answered: the worker is used only to draw plausible answers. Confidence grows a little wave by wave
(the training is under way); tech specialists are the most confident, end users the most worried about their
job. The export is cumulative, as a form's is: one file with every response so far.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from readiness._generate_hr import Organisation, Worker
from readiness.contracts import PULSE_RESPONSES, SURVEY_CONCERNS

WAVES = 3
RESPONSE_RATE = 0.35
#: audience -> mean answer of (confidence, job_impact_concern, training_interest, output_trust) in the first wave.
MEANS = {
    "leadership": (3.2, 2.4, 3.6, 3.1),
    "tech_specialist": (3.8, 2.6, 4.0, 3.0),
    "end_user": (2.6, 3.4, 3.8, 2.8),
}
#: Confidence gained per wave, and the concern lost.
CONFIDENCE_GAIN, CONCERN_DROP = 0.2, 0.1
CONCERN_WEIGHTS = (30, 25, 15, 15, 5, 7, 3)  # in the order of contracts.SURVEY_CONCERNS
CONCERN_ANSWERED = 0.7


def _likert(rng: random.Random, mean: float) -> int:
    return min(5, max(1, round(rng.gauss(mean, 1.0))))


def _wave_months(as_of: date) -> list[date]:
    """First days of the last WAVES months up to as_of, oldest first."""
    months, first = [], as_of.replace(day=1)
    for _ in range(WAVES):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return sorted(months)


def _answers(rng: random.Random, worker: Worker, wave: int) -> list[object]:
    confidence, concern, interest, trust = MEANS[worker.audience]
    if worker.unit.is_ai_ccoe:
        confidence, concern = confidence + 0.6, concern - 0.6
    return [
        _likert(rng, confidence + CONFIDENCE_GAIN * wave),
        _likert(rng, concern - CONCERN_DROP * wave),
        _likert(rng, interest),
        _likert(rng, trust + 0.1 * wave),
        rng.choices(SURVEY_CONCERNS, weights=CONCERN_WEIGHTS)[0] if rng.random() < CONCERN_ANSWERED else None,
    ]


def survey_files(org: Organisation, seed: int, as_of: date) -> dict[str, object]:
    """relative path -> (header, rows) of the cumulative pulse survey export."""
    rng = random.Random(f"{seed}:survey")  # a stream of its own: the other sources' files are unchanged
    rows: list[list[object]] = []
    for wave, month in enumerate(_wave_months(as_of)):
        last_day = min(as_of, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        workforce = [w for w in org.in_snapshot(last_day) if w.status(last_day) == "Active"]
        for worker in workforce:
            if rng.random() >= RESPONSE_RATE:
                continue
            submitted = month + timedelta(days=rng.randrange((last_day - month).days + 1))
            rows.append([submitted, worker.unit.org_unit_id, worker.audience, *_answers(rng, worker, wave)])
    rows.sort(key=lambda r: (r[0], r[1], r[2]))  # submission order, as the form numbers its responses
    numbered = [[str(i), *row] for i, row in enumerate(rows, start=1)]
    header = list(PULSE_RESPONSES.column_names)
    return {f"{PULSE_RESPONSES.qualified_name}/{PULSE_RESPONSES.name}_{as_of}.csv": (header, numbered)}
