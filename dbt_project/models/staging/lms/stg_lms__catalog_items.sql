{#- The learning catalogue as of its latest delivery (full_replacement: each delivery is the whole
    catalogue, so items missing from it are no longer offered). -#}
with

source as (

    {{ deliveries_in_force('lms', 'lms__catalog') }}

),

renamed as (

    select
        -- ids
        uid as item_uid,

        -- strings
        item_type,
        title as item_title,
        summary as item_summary,
        url as item_url,
        levels as levels_json,
        roles as roles_json,
        products as products_json,
        modules as modules_json,

        -- numerics
        cast(duration_in_minutes as integer) as duration_in_minutes,

        -- load metadata
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
