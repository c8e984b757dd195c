{#- Skills coverage per HR snapshot, org unit (rolled up through the tree), audience and required
    skill. Only units with workers of the audience have rows. Suppression is decided on the headcount
    (the population the row describes), never on a count inside it. -#}
with

requirements as (

    select * from {{ ref('int_skill_requirements_assessed') }}

),

org_unit_descendants as (

    select * from {{ ref('int_org_unit_descendants_listed') }}

),

org_units as (

    select * from {{ ref('stg_hr__org_units') }}

),

skills as (

    select * from {{ ref('skills') }}

),

rolled_up as (

    select
        requirements.snapshot_date,
        org_unit_descendants.org_unit_id,
        requirements.audience,
        requirements.skill_id,
        max(requirements.required_level) as required_level,
        count(*) as headcount,
        count(case when requirements.is_met then 1 end) as meeting_count

    from requirements
    inner join org_unit_descendants
        on
            requirements.snapshot_date = org_unit_descendants.snapshot_date
            and requirements.org_unit_id = org_unit_descendants.descendant_org_unit_id
    group by
        requirements.snapshot_date,
        org_unit_descendants.org_unit_id,
        requirements.audience,
        requirements.skill_id

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
        cast(rolled_up.headcount as integer) as headcount,
        cast({{ people_suppressed('rolled_up.meeting_count', 'rolled_up.headcount') }} as integer)
            as meeting_count,
        cast({{ people_suppressed('rolled_up.headcount - rolled_up.meeting_count', 'rolled_up.headcount') }}
            as integer) as gap_count,
        cast({{ people_suppressed('1.0 * rolled_up.meeting_count / rolled_up.headcount', 'rolled_up.headcount') }}
            as double) as coverage_pct,
        {{ people_is_suppressed('rolled_up.headcount') }} as is_suppressed

    from rolled_up
    left join org_units
        on
            rolled_up.snapshot_date = org_units.snapshot_date
            and rolled_up.org_unit_id = org_units.org_unit_id
    left join skills
        on rolled_up.skill_id = skills.skill_id

)

select * from final
