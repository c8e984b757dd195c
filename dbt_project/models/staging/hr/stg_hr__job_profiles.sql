{#- One row per job profile per HR snapshot; a re-delivered as-of date is replaced by its later load. -#}
with

source as (

    select * from {{ source('hr', 'hr__job_profiles') }}

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
        job_profile_id,
        _load_id as load_id,

        -- strings
        job_title,
        job_family,
        management_level,

        -- dates
        _as_of_date as snapshot_date,

        -- timestamps
        _loaded_at as loaded_at

    from latest_load_per_snapshot

)

select * from renamed
