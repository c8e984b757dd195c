{#- One row per worker in the workforce (Active or Leave) per required skill not met, at every HR
    snapshot, with the recommended learning item: among the catalogue items that grant the skill at or
    above the required level, those meant for the worker's audience first, then the shortest, then by
    uid. No recommendation (null) where no catalogue item grants the skill at that level. Per worker:
    no counts to suppress, and no name or e-mail (worker_key is the keyed pseudonym). -#}
with

requirements as (

    select * from {{ ref('int_skill_requirements_assessed') }}

),

catalog_items as (

    select * from {{ ref('stg_lms__catalog_items') }}

),

learning_item_skills as (

    select * from {{ ref('learning_item_skills') }}

),

learning_item_audiences as (

    select * from {{ ref('learning_item_audiences') }}

),

skills as (

    select * from {{ ref('skills') }}

),

org_units as (

    select * from {{ ref('int_org_units_aligned_to_snapshots') }}

),

gaps as (

    select *
    from requirements
    where not is_met

),

granting_items as (

    select
        learning_item_skills.skill_id,
        learning_item_skills.granted_level,
        catalog_items.item_uid,
        catalog_items.item_title,
        catalog_items.duration_in_minutes

    from learning_item_skills
    inner join catalog_items
        on learning_item_skills.item_uid = catalog_items.item_uid

),

recommended as (

    select
        gaps.snapshot_date,
        gaps.worker_id,
        gaps.skill_id,
        granting_items.item_uid,
        granting_items.item_title,
        row_number() over (
            partition by gaps.snapshot_date, gaps.worker_id, gaps.skill_id
            order by
                case when learning_item_audiences.item_uid is not null then 0 else 1 end,
                granting_items.duration_in_minutes,
                granting_items.item_uid
        ) as recommendation_rank

    from gaps
    inner join granting_items
        on
            gaps.skill_id = granting_items.skill_id
            and gaps.required_level <= granting_items.granted_level
    left join learning_item_audiences
        on
            granting_items.item_uid = learning_item_audiences.item_uid
            and gaps.audience = learning_item_audiences.audience

),

worker_keys as (

    select
        worker_id,
        {{ pseudonymise('worker_id') }} as worker_key

    from (select distinct worker_id from gaps) as gap_workers

),

final as (

    select
        gaps.snapshot_date,
        cast(worker_keys.worker_key as varchar) as worker_key,
        cast(gaps.org_unit_id as varchar) as org_unit_id,
        cast(gaps.audience as varchar) as audience,
        cast(gaps.skill_id as varchar) as skill_id,
        cast(skills.skill_name as varchar) as skill_name,
        cast(gaps.required_level as integer) as required_level,
        cast(gaps.current_level as integer) as current_level,
        cast(recommended.item_uid as varchar) as recommended_item_uid,
        cast(recommended.item_title as varchar) as recommended_item_title,
        recommended.item_uid is not null as has_recommendation,
        coalesce(org_units.is_root, false) as is_root

    from gaps
    inner join worker_keys
        on gaps.worker_id = worker_keys.worker_id
    left join recommended
        on
            gaps.snapshot_date = recommended.snapshot_date
            and gaps.worker_id = recommended.worker_id
            and gaps.skill_id = recommended.skill_id
            and recommended.recommendation_rank = 1
    left join skills
        on gaps.skill_id = skills.skill_id
    left join org_units
        on
            gaps.snapshot_date = org_units.snapshot_date
            and gaps.org_unit_id = org_units.org_unit_id

)

select * from final
