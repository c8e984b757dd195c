{#- One row per job profile per HR snapshot (snapshot_series: delivery_as_of_date is the snapshot). -#}
with

source as (

    {{ deliveries_in_force('hr', 'hr__job_profiles') }}

),

renamed as (

    select
        -- ids
        job_profile_id,

        -- strings
        job_title,
        job_family,
        management_level,

        -- load metadata
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
