{#- The learning catalogue as of its latest delivery (latest as-of date, then latest load): each
    delivery is the whole catalogue, so items missing from it are no longer offered. -#}
with

source as (

    select * from {{ source('lms', 'lms__catalog') }}

),

ranked_loads as (

    select
        *,
        dense_rank() over (
            order by _as_of_date desc, _loaded_at desc, _load_id desc
        ) as load_rank
    from source

),

latest_delivery as (

    select *
    from ranked_loads
    where load_rank = 1

),

renamed as (

    select
        -- ids
        uid as item_uid,
        _load_id as load_id,

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

        -- dates
        _as_of_date as catalog_date,

        -- timestamps
        _loaded_at as loaded_at

    from latest_delivery

)

select * from renamed
