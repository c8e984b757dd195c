{#- How current the evidence of the required skills is, per HR snapshot, org unit (rolled up the tree),
    audience and required skill (docs/marts.md, skills_currency; the rules are in _readiness__docs.md).
    Evidence is due for renewal at the earlier of its expires_date and assessed_date + the renewal period of
    its kind (seed evidence_renewal_periods). The population, which decides suppression, is
    skills_coverage's: the workers of the audience in the unit to whom the requirement applies. -#}
with

requirements as (

    select * from {{ ref('int_skill_requirements_assessed') }}

),

workforce_rolled_up as (

    select * from {{ ref('int_workforce_rolled_up') }}

),

worker_skills as (

    select * from {{ ref('int_worker_skills_aligned_to_snapshots') }}

),

renewal_periods as (

    select * from {{ ref('evidence_renewal_periods') }}

),

org_units as (

    select * from {{ ref('int_org_units_aligned_to_snapshots') }}

),

skills as (

    select * from {{ ref('skills') }}

),

evidence_due as (

    select
        worker_skills.snapshot_date,
        worker_skills.worker_id,
        worker_skills.skill_id,
        {%- set renewed = dbt.dateadd('day', 'renewal_periods.renewal_days', 'worker_skills.assessed_date') %}
        case
            when renewal_periods.renewal_days is null then worker_skills.expires_date
            when worker_skills.expires_date is null then cast({{ renewed }} as date)
            else least(worker_skills.expires_date, cast({{ renewed }} as date))
        end as due_date

    from worker_skills
    left join renewal_periods
        on worker_skills.evidence = renewal_periods.evidence

),

assessed as (

    -- each required (worker, skill) with the days left until its evidence is due (null: none, or never due)
    select
        requirements.snapshot_date,
        requirements.worker_id,
        requirements.audience,
        requirements.skill_id,
        requirements.required_level,
        evidence_due.worker_id is not null as has_evidence,
        {{ dbt.datediff('requirements.snapshot_date', 'evidence_due.due_date', 'day') }} as days_to_due -- noqa: LT05

    from requirements
    left join evidence_due
        on
            requirements.snapshot_date = evidence_due.snapshot_date
            and requirements.worker_id = evidence_due.worker_id
            and requirements.skill_id = evidence_due.skill_id

),

rolled_up as (

    select
        assessed.snapshot_date,
        workforce_rolled_up.org_unit_id,
        assessed.audience,
        assessed.skill_id,
        max(assessed.required_level) as required_level,
        count(*) as headcount,
        count(*) filter (where assessed.has_evidence) as evidence_count,
        count(*) filter (
            where assessed.has_evidence and (assessed.days_to_due is null or assessed.days_to_due > 0)
        ) as current_count,
        count(*) filter (where assessed.days_to_due <= 0) as lapsed_count,
        count(*) filter (where assessed.days_to_due between 1 and 30) as due_30_count,
        count(*) filter (where assessed.days_to_due between 1 and 60) as due_60_count,
        count(*) filter (where assessed.days_to_due between 1 and 90) as due_90_count

    from assessed
    inner join workforce_rolled_up
        on
            assessed.snapshot_date = workforce_rolled_up.snapshot_date
            and assessed.worker_id = workforce_rolled_up.worker_id
    group by assessed.snapshot_date, workforce_rolled_up.org_unit_id, assessed.audience, assessed.skill_id

),

final as (

    select
        rolled_up.snapshot_date,
        cast(rolled_up.org_unit_id as varchar) as org_unit_id,
        cast(org_units.org_unit_name as varchar) as org_unit_name,
        cast(rolled_up.audience as varchar) as audience,
        cast(rolled_up.skill_id as varchar) as skill_id,
        cast(skills.skill_name as varchar) as skill_name,
        cast(rolled_up.required_level as integer) as required_level,
        cast({{ people_suppressed('rolled_up.headcount', 'rolled_up.headcount') }} as integer) as headcount,
        cast({{ people_suppressed('rolled_up.evidence_count', 'rolled_up.headcount') }} as integer)
            as evidence_count,
        cast(
            {{ people_suppressed('rolled_up.current_count', 'rolled_up.headcount') }} as integer
        ) as current_count,
        cast(
            {{ people_suppressed('rolled_up.lapsed_count', 'rolled_up.headcount') }} as integer
        ) as lapsed_count,
        cast(
            {{ people_suppressed('rolled_up.due_30_count', 'rolled_up.headcount') }} as integer
        ) as due_30_count,
        cast(
            {{ people_suppressed('rolled_up.due_60_count', 'rolled_up.headcount') }} as integer
        ) as due_60_count,
        cast(
            {{ people_suppressed('rolled_up.due_90_count', 'rolled_up.headcount') }} as integer
        ) as due_90_count,
        cast({{ people_suppressed(
            readiness_ratio('rolled_up.current_count', 'rolled_up.evidence_count'), 'rolled_up.headcount'
        ) }} as float8) as current_evidence_pct,
        {{ people_is_suppressed('rolled_up.headcount') }} as is_suppressed,
        coalesce(org_units.is_root, false) as is_root

    from rolled_up
    left join org_units
        on
            rolled_up.snapshot_date = org_units.snapshot_date
            and rolled_up.org_unit_id = org_units.org_unit_id
    left join skills
        on rolled_up.skill_id = skills.skill_id

)

select * from final
