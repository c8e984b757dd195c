{#- One row per worker, skill and HR snapshot; a re-delivered as-of date is replaced by its later load.
    Expiry is kept as delivered: whether evidence still counts depends on the date it is judged at. -#}
with

source as (

    select * from {{ source('hr', 'hr__worker_skills') }}

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
        worker_id,
        skill_id,
        _load_id as load_id,

        -- strings
        evidence,

        -- numerics
        cast(proficiency as integer) as proficiency,

        -- dates
        _as_of_date as snapshot_date,
        assessed_date,
        expires_date,

        -- timestamps
        _loaded_at as loaded_at

    from latest_load_per_snapshot

)

select * from renamed
