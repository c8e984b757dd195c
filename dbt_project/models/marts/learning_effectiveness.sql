{#- Whether a learning item works (docs/marts.md, learning_effectiveness; the rules are in
    _readiness__docs.md): per HR snapshot and catalogue item that grants skills, the share of the workers
    who completed it since the previous snapshot whose HR-recorded proficiency now meets every skill it
    grants, against the same share among the workers who never took it. The recorded level, not the
    effective one: training grants its skills in the effective level by definition, so only HR's own
    evidence can say whether the skill was gained. -#}
with

snapshot_dates as (

    select * from {{ ref('int_hr_snapshot_dates_mapped') }}

),

workforce as (

    select * from {{ ref('int_workers_in_workforce') }}

),

enrolments as (

    select * from {{ ref('int_enrolments_derived') }}

),

skill_levels as (

    select * from {{ ref('int_worker_skill_levels_combined') }}

),

catalog_items as (

    select * from {{ ref('stg_lms__catalog_items') }}

),

learning_item_skills as (

    select * from {{ ref('learning_item_skills') }}

),

snapshots as (

    select
        snapshot_date,
        lag(snapshot_date) over (order by snapshot_date) as previous_snapshot_date

    from snapshot_dates

),

items as (

    -- the catalogue items that grant at least one skill: what an effectiveness can be measured for
    select
        catalog_items.item_uid,
        catalog_items.item_title,
        count(*) as granted_skill_count

    from catalog_items
    inner join learning_item_skills
        on catalog_items.item_uid = learning_item_skills.item_uid
    group by catalog_items.item_uid, catalog_items.item_title

),

cohorts as (

    -- each worker of the workforce and item: completed since the previous snapshot, never enrolled, neither
    select
        snapshots.snapshot_date,
        snapshots.previous_snapshot_date,
        workforce.worker_id,
        items.item_uid,
        coalesce(
            cast(enrolments.completed_at as date) <= snapshots.snapshot_date
            and (
                snapshots.previous_snapshot_date is null
                or cast(enrolments.completed_at as date) > snapshots.previous_snapshot_date
            ),
            false
        ) as is_new_completer,
        enrolments.worker_id is null
        or cast(enrolments.enrolled_at as date) > snapshots.snapshot_date as is_non_taker

    from snapshots
    inner join workforce
        on snapshots.snapshot_date = workforce.snapshot_date
    cross join items
    left join enrolments
        on
            workforce.worker_id = enrolments.worker_id
            and items.item_uid = enrolments.item_uid

),

granted_met as (

    -- per worker and item, whether HR's recorded level meets every skill the item grants
    select
        cohorts.snapshot_date,
        cohorts.worker_id,
        cohorts.item_uid,
        cohorts.is_new_completer,
        cohorts.is_non_taker,
        bool_and(
            coalesce(skill_levels.recorded_level, 0) >= learning_item_skills.granted_level
        ) as meets_granted

    from cohorts
    inner join learning_item_skills
        on cohorts.item_uid = learning_item_skills.item_uid
    left join skill_levels
        on
            cohorts.snapshot_date = skill_levels.snapshot_date
            and cohorts.worker_id = skill_levels.worker_id
            and learning_item_skills.skill_id = skill_levels.skill_id
    where cohorts.is_new_completer or cohorts.is_non_taker
    group by
        cohorts.snapshot_date,
        cohorts.worker_id,
        cohorts.item_uid,
        cohorts.is_new_completer,
        cohorts.is_non_taker

),

counted as (

    select
        snapshots.snapshot_date,
        snapshots.previous_snapshot_date,
        items.item_uid,
        items.item_title,
        items.granted_skill_count,
        count(granted_met.worker_id) filter (where granted_met.is_new_completer) as completer_count,
        count(granted_met.worker_id) filter (
            where granted_met.is_new_completer and granted_met.meets_granted
        ) as completers_met_count,
        count(granted_met.worker_id) filter (where granted_met.is_non_taker) as non_taker_count,
        count(granted_met.worker_id) filter (
            where granted_met.is_non_taker and granted_met.meets_granted
        ) as non_takers_met_count

    from snapshots
    cross join items
    left join granted_met
        on
            snapshots.snapshot_date = granted_met.snapshot_date
            and items.item_uid = granted_met.item_uid
    group by
        snapshots.snapshot_date,
        snapshots.previous_snapshot_date,
        items.item_uid,
        items.item_title,
        items.granted_skill_count

),

measured as (

    select
        *,
        {{ people_is_suppressed('completer_count') }} as is_suppressed,
        {{ readiness_ratio('completers_met_count', 'completer_count') }} as completers_met_pct,
        case
            when not {{ people_is_suppressed('non_taker_count') }}
                then {{ readiness_ratio('non_takers_met_count', 'non_taker_count') }}
        end as non_takers_met_pct

    from counted

),

final as (

    select
        cast(snapshot_date as date) as snapshot_date,
        cast(item_uid as varchar) as item_uid,
        cast(item_title as varchar) as item_title,
        cast(granted_skill_count as integer) as granted_skill_count,
        cast({{ people_suppressed('completer_count', 'completer_count') }} as integer) as completer_count,
        cast(
            {{ people_suppressed('completers_met_count', 'completer_count') }} as integer
        ) as completers_met_count,
        cast(
            {{ people_suppressed('completers_met_pct', 'completer_count') }} as float8
        ) as completers_met_pct,
        cast(
            case when not is_suppressed then {{ people_suppressed('non_taker_count', 'non_taker_count') }} end
            as integer
        ) as non_taker_count,
        cast(
            case
                when not is_suppressed
                    then {{ people_suppressed('non_takers_met_count', 'non_taker_count') }}
            end
            as integer
        ) as non_takers_met_count,
        cast(case when not is_suppressed then non_takers_met_pct end as float8) as non_takers_met_pct,
        cast(
            case
                when not is_suppressed
                    then {{ readiness_round('completers_met_pct - non_takers_met_pct', 4) }}
            end as float8
        ) as uplift_pct,
        cast(is_suppressed as boolean) as is_suppressed,
        cast(previous_snapshot_date as date) as previous_snapshot_date

    from measured

)

select * from final
