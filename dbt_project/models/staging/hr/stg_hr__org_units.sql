{#- One row per org unit per HR snapshot (snapshot_series: delivery_as_of_date is the snapshot). -#}
with

source as (

    {{ deliveries_in_force('hr', 'hr__org_units') }}

),

renamed as (

    select
        -- ids
        org_unit_id,
        parent_org_unit_id,
        cost_center_id,

        -- strings
        org_unit_name,
        org_unit_type,

        -- booleans
        is_ai_ccoe,
        -- the contract allows one root per delivery: the unit without a parent
        parent_org_unit_id is null as is_root,

        -- load metadata
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
