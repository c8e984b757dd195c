{#- Effective proficiency of every worker in the workforce, per skill and HR snapshot: the higher of
    the recorded proficiency (ignored where its evidence expired on or before the snapshot date) and
    the level granted by learning items completed on or before the snapshot date
    (learning_item_skills seed). A worker with neither has no row (effective level 0). A recorded skill
    named by the HR system's own name rather than a taxonomy skill_id counts for the skill the planners'
    skill_aliases seed maps it to (trimmed, case ignored); a taxonomy skill_id is never re-mapped. -#}
with

workforce as (

    select * from {{ ref('int_workers_in_workforce') }}

),

worker_skills as (

    select * from {{ ref('int_worker_skills_aligned_to_snapshots') }}

),

enrolments as (

    select * from {{ ref('int_enrolments_derived') }}

),

learning_item_skills as (

    select * from {{ ref('learning_item_skills') }}

),

skills as (

    select * from {{ ref('skills') }}

),

skill_aliases as (

    select * from {{ ref('skill_aliases') }}

),

worker_skills_mapped as (

    select
        worker_skills.snapshot_date,
        worker_skills.worker_id,
        coalesce(skills.skill_id, skill_aliases.skill_id, worker_skills.skill_id) as skill_id,
        worker_skills.proficiency,
        worker_skills.expires_date

    from worker_skills
    left join skills
        on worker_skills.skill_id = skills.skill_id
    left join skill_aliases
        on lower(trim(worker_skills.skill_id)) = lower(trim(skill_aliases.external_skill_name))

),

recorded as (

    select
        snapshot_date,
        worker_id,
        skill_id,
        max(proficiency) as recorded_level

    from worker_skills_mapped
    where expires_date is null or expires_date > snapshot_date
    group by snapshot_date, worker_id, skill_id

),

granted as (

    select
        workforce.snapshot_date,
        workforce.worker_id,
        learning_item_skills.skill_id,
        max(learning_item_skills.granted_level) as granted_level

    from workforce
    inner join enrolments
        on
            workforce.worker_id = enrolments.worker_id
            and cast(enrolments.completed_at as date) <= workforce.snapshot_date
    inner join learning_item_skills
        on enrolments.item_uid = learning_item_skills.item_uid
    group by workforce.snapshot_date, workforce.worker_id, learning_item_skills.skill_id

),

skill_keys as (

    select
        snapshot_date,
        worker_id,
        skill_id
    from recorded

    union

    select
        snapshot_date,
        worker_id,
        skill_id
    from granted

),

combined as (

    select
        workforce.snapshot_date,
        workforce.worker_id,
        skill_keys.skill_id,
        recorded.recorded_level,
        granted.granted_level,
        greatest(coalesce(recorded.recorded_level, 0), coalesce(granted.granted_level, 0)) as effective_level

    from workforce
    inner join skill_keys
        on
            workforce.snapshot_date = skill_keys.snapshot_date
            and workforce.worker_id = skill_keys.worker_id
    left join recorded
        on
            skill_keys.snapshot_date = recorded.snapshot_date
            and skill_keys.worker_id = recorded.worker_id
            and skill_keys.skill_id = recorded.skill_id
    left join granted
        on
            skill_keys.snapshot_date = granted.snapshot_date
            and skill_keys.worker_id = granted.worker_id
            and skill_keys.skill_id = granted.skill_id

)

select * from combined
