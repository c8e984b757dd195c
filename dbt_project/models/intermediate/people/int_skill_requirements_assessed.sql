{#- Every required skill of every worker in the workforce, per HR snapshot, with the worker's level and
    whether it is met (docs/marts.md: effective proficiency >= required_level; expired evidence does not
    count). A requirement applies to the workers of its audience, and where it names a job family, to
    that family's workers only. A worker under two requirements for one skill (audience-wide and
    family) is held to the higher level. -#}
with

workforce as (

    select * from {{ ref('int_workers_in_workforce') }}

),

required_skills as (

    select * from {{ ref('required_skills') }}

),

skill_levels as (

    select * from {{ ref('int_worker_skill_levels_combined') }}

),

applicable as (

    select
        workforce.snapshot_date,
        workforce.worker_id,
        workforce.org_unit_id,
        workforce.audience,
        workforce.job_family,
        required_skills.skill_id,
        max(required_skills.required_level) as required_level

    from workforce
    inner join required_skills
        on
            workforce.audience = required_skills.audience
            and (required_skills.job_family is null or workforce.job_family = required_skills.job_family)
    group by
        workforce.snapshot_date,
        workforce.worker_id,
        workforce.org_unit_id,
        workforce.audience,
        workforce.job_family,
        required_skills.skill_id

),

assessed as (

    select
        applicable.snapshot_date,
        applicable.worker_id,
        applicable.org_unit_id,
        applicable.audience,
        applicable.job_family,
        applicable.skill_id,
        applicable.required_level,
        coalesce(skill_levels.effective_level, 0) as current_level,
        coalesce(skill_levels.effective_level, 0) >= applicable.required_level as is_met

    from applicable
    left join skill_levels
        on
            applicable.snapshot_date = skill_levels.snapshot_date
            and applicable.worker_id = skill_levels.worker_id
            and applicable.skill_id = skill_levels.skill_id

)

select * from assessed
