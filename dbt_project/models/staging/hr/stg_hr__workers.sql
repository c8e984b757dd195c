{#- One row per worker per HR snapshot (snapshot_series: delivery_as_of_date is the snapshot). Where one
    as-of date was delivered twice, the later load replaces the earlier one for that date: the whole
    delivery wins, not single rows. Names and e-mail stop here: only the actor-resolving intermediate
    model reads them. -#}
with

source as (

    {{ deliveries_in_force('hr', 'hr__workers') }}

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

        -- strings
        first_name,
        last_name,
        lower(trim(work_email)) as work_email,
        country_code,
        worker_status,

        -- numerics
        fte,

        -- dates
        hire_date as hired_date,
        termination_date as terminated_date,

        -- load metadata
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
