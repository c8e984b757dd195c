{#- One row per worker per HR snapshot (the as-of date of the delivery). Where one as-of date was
    delivered twice, the later load replaces the earlier one for that date: the whole delivery wins,
    not single rows. Names and e-mail stop here: only the actor-resolving intermediate model reads them. -#}
with

source as (

    select * from {{ source('hr', 'hr__workers') }}

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
        {{ pseudonymise('worker_id') }} as worker_key,
        job_profile_id,
        org_unit_id,
        cost_center_id,
        manager_worker_id,
        _load_id as load_id,

        -- strings
        first_name,
        last_name,
        lower(trim(work_email)) as work_email,
        country_code,
        worker_status,

        -- numerics
        fte,

        -- dates
        _as_of_date as snapshot_date,
        hire_date as hired_date,
        termination_date as terminated_date,

        -- timestamps
        _loaded_at as loaded_at

    from latest_load_per_snapshot

)

select * from renamed
