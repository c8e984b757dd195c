-- FX deliveries upsert: the latest load of a (rate_date, from_currency, to_currency) wins.
with

source as (

    select * from {{ source('finance', 'finance__fx_rates') }}

),

renamed as (

    select
        -- ids
        upper(trim(from_currency)) as from_currency,
        upper(trim(to_currency)) as to_currency,

        -- numerics
        rate as fx_rate,

        -- dates
        rate_date,

        -- load metadata
        _source_file as source_file,
        _loaded_at as loaded_at,
        _load_id as load_id,
        _line_number as source_line_number

    from source

),

latest_load as (

    select
        *,
        row_number() over (
            partition by rate_date, from_currency, to_currency
            order by loaded_at desc, load_id desc, source_line_number desc
        ) as load_recency

    from renamed

),

deduplicated as (

    select
        from_currency,
        to_currency,
        fx_rate,
        rate_date,
        source_file,
        loaded_at

    from latest_load
    where load_recency = 1

)

select * from deduplicated
