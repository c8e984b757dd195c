{#- Which AI functions of the Cloud Center of Excellence its people can staff, per HR snapshot
    (docs/marts.md, ccoe_capabilities; the rules are in _readiness__docs.md). A worker can staff a function
    when every skill the function needs (seed ccoe_function_skills) is met at its level, as a required skill
    is met. The CCoE is the workforce of the units flagged is_ai_ccoe and of the units below them.
    Suppression is decided on the CCoE's headcount, the population every figure of the row describes but the
    candidates from outside. -#}
with

workforce as (

    select * from {{ ref('int_workers_in_workforce') }}

),

org_units as (

    select * from {{ ref('int_org_units_aligned_to_snapshots') }}

),

org_unit_descendants as (

    select * from {{ ref('int_org_unit_descendants_listed') }}

),

skill_levels as (

    select * from {{ ref('int_worker_skill_levels_combined') }}

),

functions as (

    select * from {{ ref('ccoe_functions') }}

),

function_skills as (

    select * from {{ ref('ccoe_function_skills') }}

),

ccoe_units as (

    -- a flagged unit and every unit below it
    select distinct
        org_unit_descendants.snapshot_date,
        org_unit_descendants.descendant_org_unit_id as org_unit_id

    from org_unit_descendants
    inner join org_units
        on
            org_unit_descendants.snapshot_date = org_units.snapshot_date
            and org_unit_descendants.org_unit_id = org_units.org_unit_id
    where org_units.is_ai_ccoe

),

people as (

    select
        workforce.snapshot_date,
        workforce.worker_id,
        ccoe_units.org_unit_id is not null as is_ccoe

    from workforce
    left join ccoe_units
        on
            workforce.snapshot_date = ccoe_units.snapshot_date
            and workforce.org_unit_id = ccoe_units.org_unit_id

),

populations as (

    select
        snapshot_date,
        count(*) filter (where is_ccoe) as ccoe_headcount,
        count(*) filter (where not is_ccoe) as outside_headcount

    from people
    group by snapshot_date

),

skills_missing as (

    -- per worker and function, the skills the function needs that the worker does not meet
    select
        people.snapshot_date,
        people.worker_id,
        people.is_ccoe,
        function_skills.function_id,
        count(*) filter (
            where coalesce(skill_levels.effective_level, 0) < function_skills.required_level
        ) as missing_skill_count

    from people
    cross join function_skills
    left join skill_levels
        on
            people.snapshot_date = skill_levels.snapshot_date
            and people.worker_id = skill_levels.worker_id
            and function_skills.skill_id = skill_levels.skill_id
    group by people.snapshot_date, people.worker_id, people.is_ccoe, function_skills.function_id

),

staffing as (

    select
        snapshot_date,
        function_id,
        count(*) filter (where is_ccoe and missing_skill_count = 0) as qualified_count,
        count(*) filter (where is_ccoe and missing_skill_count = 1) as near_qualified_count,
        count(*) filter (where not is_ccoe and missing_skill_count = 0) as candidate_count

    from skills_missing
    group by snapshot_date, function_id

),

function_snapshots as (

    select
        populations.snapshot_date,
        populations.ccoe_headcount,
        populations.outside_headcount,
        functions.function_id,
        functions.function_name,
        (
            select count(*) from function_skills
            where function_skills.function_id = functions.function_id
        ) as required_skill_count

    from populations
    cross join functions

),

measured as (

    select
        function_snapshots.*,
        {{ people_is_suppressed('function_snapshots.ccoe_headcount') }} as is_suppressed,
        coalesce(staffing.qualified_count, 0) as qualified_count,
        coalesce(staffing.near_qualified_count, 0) as near_qualified_count,
        coalesce(staffing.candidate_count, 0) as candidate_count,
        lag(function_snapshots.snapshot_date) over (
            partition by function_snapshots.function_id order by function_snapshots.snapshot_date
        ) as previous_snapshot_date

    from function_snapshots
    left join staffing
        on
            function_snapshots.snapshot_date = staffing.snapshot_date
            and function_snapshots.function_id = staffing.function_id

),

compared as (

    select
        measured.*,
        case
            when not measured.is_suppressed and not previous.is_suppressed
                then measured.qualified_count - previous.qualified_count
        end as qualified_count_change

    from measured
    left join measured as previous
        on
            measured.function_id = previous.function_id
            and measured.previous_snapshot_date = previous.snapshot_date

),

final as (

    select
        cast(snapshot_date as date) as snapshot_date,
        cast(function_id as varchar) as function_id,
        cast(function_name as varchar) as function_name,
        cast(required_skill_count as integer) as required_skill_count,
        cast({{ people_suppressed('ccoe_headcount', 'ccoe_headcount') }} as integer) as ccoe_headcount,
        cast({{ people_suppressed('qualified_count', 'ccoe_headcount') }} as integer) as qualified_count,
        cast({{ people_suppressed('greatest(qualified_count - 1, 0)', 'ccoe_headcount') }} as integer)
            as bench_depth,
        cast(
            {{ people_suppressed('near_qualified_count', 'ccoe_headcount') }} as integer
        ) as near_qualified_count,
        cast({{ people_suppressed('qualified_count = 0', 'ccoe_headcount') }} as boolean) as is_unstaffed,
        cast({{ people_suppressed('qualified_count = 1', 'ccoe_headcount') }} as boolean)
            as is_single_point_of_failure,
        cast(qualified_count_change as integer) as qualified_count_change,
        -- the outside candidates describe the rest of the workforce; a suppressed row shows no count at all
        cast(
            case
                when not is_suppressed
                    then {{ people_suppressed('candidate_count', 'outside_headcount') }}
            end
            as integer
        ) as candidate_count,
        cast(is_suppressed as boolean) as is_suppressed,
        cast(previous_snapshot_date as date) as previous_snapshot_date

    from compared

)

select * from final
