{#- Skills coverage per HR snapshot, org unit (rolled up through the tree), audience and required
    skill. Only units with workers of the audience have rows. Suppression is decided on the headcount
    (the population the row describes), never on a count inside it; a suppressed row shows no count at
    all, headcount included. -#}
with

requirements as (

    select * from {{ ref('int_skill_requirements_assessed') }}

),

workforce_rolled_up as (

    select * from {{ ref('int_workforce_rolled_up') }}

),

org_units as (

    select * from {{ ref('int_org_units_aligned_to_snapshots') }}

),

skills as (

    select * from {{ ref('skills') }}

),

rolled_up as (

    select
        requirements.snapshot_date,
        workforce_rolled_up.org_unit_id,
        requirements.audience,
        requirements.skill_id,
        max(requirements.required_level) as required_level,
        count(*) as headcount,
        count(case when requirements.is_met then 1 end) as meeting_count

    -- every requirement counts in the worker's unit and every unit above it
    from requirements
    inner join workforce_rolled_up
        on
            requirements.snapshot_date = workforce_rolled_up.snapshot_date
            and requirements.worker_id = workforce_rolled_up.worker_id
    group by
        requirements.snapshot_date,
        workforce_rolled_up.org_unit_id,
        requirements.audience,
        requirements.skill_id

),

measured as (

    select
        rolled_up.*,
        rolled_up.headcount - rolled_up.meeting_count as gap_count,
        {{ readiness_ratio('rolled_up.meeting_count', 'rolled_up.headcount') }} as coverage_pct,
        {{ people_is_suppressed('rolled_up.headcount') }} as is_suppressed

    from rolled_up

),

final as (

    select
        measured.snapshot_date,
        cast(measured.org_unit_id as varchar) as org_unit_id,
        cast(org_units.org_unit_name as varchar) as org_unit_name,
        cast(measured.audience as varchar) as audience,
        cast(measured.skill_id as varchar) as skill_id,
        cast(skills.skill_name as varchar) as skill_name,
        cast(measured.required_level as integer) as required_level,
        cast(case when not measured.is_suppressed then measured.headcount end as integer) as headcount,
        cast(
            case when not measured.is_suppressed then measured.meeting_count end as integer
        ) as meeting_count,
        cast(case when not measured.is_suppressed then measured.gap_count end as integer) as gap_count,
        cast(case when not measured.is_suppressed then measured.coverage_pct end as float8) as coverage_pct,
        measured.is_suppressed,
        coalesce(org_units.is_root, false) as is_root

    from measured
    left join org_units
        on
            measured.snapshot_date = org_units.snapshot_date
            and measured.org_unit_id = org_units.org_unit_id
    left join skills
        on measured.skill_id = skills.skill_id

)

select * from final
