"""How much the synthetic organisation records per worker: the light sample or an enterprise's volumes.

One generator, two profiles. SAMPLE is what `readiness generate` writes without `--size` (what `make run`,
the tests and the documented sample figures use): a few skill records and training enrolments per worker,
daily cloud cost lines, budgets by department. ENTERPRISE is what a real organisation records per worker,
for the benchmark tiers (`--size S|M|L`): an assessment of nearly every readiness skill, about fifty xAPI
statements a year from a large catalogue, hourly cloud cost lines, budgets and GL lines for every cost centre.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Volumes:
    #: Share of the skills taxonomy assessed per worker (most at proficiency 0-1); None: only the skills
    #: the worker's audience profile makes likely are recorded.
    skill_assessment_share: float | None
    #: Enrolments per worker-year in catalogue items that grant no readiness skill (compliance, tools, soft
    #: skills), on top of the AI training; and how many such items the catalogue holds.
    other_enrolments_per_year: float
    other_catalogue_items: int
    #: FOCUS charge periods per day: 1 (daily lines) or 24 (hourly lines).
    charge_periods_per_day: int
    #: Cloud resources: base + workers ** exponent / divisor.
    resources_base: int
    resources_exponent: float
    resources_divisor: int
    #: Teams of a department that may hold a cost centre of their own: the first N (None: every team).
    own_cost_centre_teams: int | None
    #: Budget every cost centre (True) or only departments' (False).
    budget_every_cost_centre: bool
    #: Org units and job profiles sent with every HR snapshot (as an HR export does) or only when they change.
    reference_every_snapshot: bool

    def cloud_resources(self, workers: int) -> int:
        return self.resources_base + int(workers**self.resources_exponent / self.resources_divisor)


SAMPLE = Volumes(
    skill_assessment_share=None,
    other_enrolments_per_year=0.0,
    other_catalogue_items=0,
    charge_periods_per_day=1,
    resources_base=30,
    resources_exponent=1.0,
    resources_divisor=25,
    own_cost_centre_teams=9,
    budget_every_cost_centre=False,
    reference_every_snapshot=True,
)
# ~10 of the 12 skills assessed; ~10 enrolments a year besides AI training (~50 statements per worker-year);
# ~30 / 100 / 300 cloud resources at 1,000 / 10,000 / 100,000 workers; a quarter of the teams their own
# cost centre.
ENTERPRISE = Volumes(
    skill_assessment_share=0.85,
    other_enrolments_per_year=10.0,
    other_catalogue_items=400,
    charge_periods_per_day=24,
    resources_base=0,
    resources_exponent=0.5,
    resources_divisor=1,
    own_cost_centre_teams=None,
    budget_every_cost_centre=True,
    reference_every_snapshot=False,
)
