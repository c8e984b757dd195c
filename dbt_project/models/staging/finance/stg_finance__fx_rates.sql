-- FX deliveries upsert: the latest load of a (rate_date, from_currency, to_currency) wins.
with

source as (

    {{ deliveries_in_force('finance', 'finance__fx_rates', normalise={
        'from_currency': 'upper(trim(from_currency))',
        'to_currency': 'upper(trim(to_currency))',
    }) }}

),

renamed as (

    select
        -- ids
        from_currency,
        to_currency,

        -- numerics
        rate as fx_rate,

        -- dates
        rate_date,

        -- load metadata
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
