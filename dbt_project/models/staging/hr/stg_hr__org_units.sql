{#- One row per org unit per HR snapshot; a re-delivered as-of date is replaced by its later load. -#}
with

source as (

    select * from {{ source('hr', 'hr__org_units') }}

),

ranked_loads as (

    select
        *,
        dense_rank() over (
            partition by _as_of_date
            order by _loaded_at desc, _load_id desc
        ) as load_rank
    from source

),

latest_load_per_snapshot as (

    select *
    from ranked_loads
    where load_rank = 1

),

renamed as (

    select
        -- ids
        org_unit_id,
        parent_org_unit_id,
        cost_center_id,
        _load_id as load_id,

        -- strings
        org_unit_name,
        org_unit_type,

        -- booleans
        is_ai_ccoe,

        -- dates
        _as_of_date as snapshot_date,

        -- timestamps
        _loaded_at as loaded_at

    from latest_load_per_snapshot

)

select * from renamed
