-- Budget deliveries are versioned: every version is kept. A line delivered again (same version, period,
-- cost centre and category, the codes compared normalised) is the later load's.
with

source as (

    {{ deliveries_in_force('finance', 'finance__budget', normalise={
        'cost_center_id': finance_normalise_code('cost_center_id'),
        'category': 'lower(trim(category))',
    }) }}

),

renamed as (

    select
        -- ids
        budget_version,
        cost_center_id,
        category,
        upper(trim(currency)) as currency,

        -- numerics
        fiscal_year,
        fiscal_quarter,
        amount as budget_amount,

        -- dates
        approved_date,

        -- load metadata
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
