-- GL deliveries upsert: the latest load of a (journal_id, line_number) wins.
with

source as (

    select * from {{ source('finance', 'finance__gl_actuals') }}

),

renamed as (

    select
        -- ids
        journal_id,
        line_number,
        {{ finance_normalise_code('cost_center_id') }} as cost_center_id,
        trim(gl_account) as gl_account,
        project_code,
        upper(trim(currency)) as currency,

        -- strings
        vendor_name,
        description as line_description,

        -- numerics
        amount,

        -- booleans
        amount < 0 as is_credit,

        -- dates
        posting_date,

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
            partition by journal_id, line_number
            order by loaded_at desc, load_id desc, source_line_number desc
        ) as load_recency

    from renamed

),

deduplicated as (

    select
        journal_id,
        line_number,
        cost_center_id,
        gl_account,
        project_code,
        currency,
        vendor_name,
        line_description,
        amount,
        is_credit,
        posting_date,
        delivery_as_of_date,
        source_file,
        loaded_at

    from latest_load
    where load_recency = 1

)

select * from deduplicated
