-- Budget deliveries are versioned: every version is kept. A line delivered again (same version, period,
-- cost centre and category) is the later load's.
with

source as (

    select * from {{ source('finance', 'finance__budget') }}

),

renamed as (

    select
        -- ids
        budget_version,
        {{ finance_normalise_code('cost_center_id') }} as cost_center_id,
        lower(trim(category)) as category,
        upper(trim(currency)) as currency,

        -- numerics
        fiscal_year,
        fiscal_quarter,
        amount as budget_amount,

        -- dates
        approved_date,

        -- load metadata
        _as_of_date as delivery_as_of_date,
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
            partition by budget_version, fiscal_year, fiscal_quarter, cost_center_id, category
            order by loaded_at desc, load_id desc, source_line_number desc
        ) as load_recency

    from renamed

),

deduplicated as (

    select
        budget_version,
        cost_center_id,
        category,
        currency,
        fiscal_year,
        fiscal_quarter,
        budget_amount,
        approved_date,
        delivery_as_of_date,
        source_file,
        loaded_at

    from latest_load
    where load_recency = 1

)

select * from deduplicated
