{#- One row per worker, skill and HR snapshot (snapshot_series: delivery_as_of_date is the snapshot).
    Expiry is kept as delivered: whether evidence still counts depends on the date it is judged at. -#}
with

source as (

    {{ deliveries_in_force('hr', 'hr__worker_skills') }}

),

renamed as (

    select
        -- ids
        worker_id,
        skill_id,

        -- strings
        evidence,

        -- numerics
        cast(proficiency as integer) as proficiency,

        -- dates
        assessed_date,
        expires_date,

        -- load metadata
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
