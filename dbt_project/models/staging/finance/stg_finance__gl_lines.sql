-- GL deliveries upsert: the latest load of a (journal_id, line_number) wins. Incremental
-- (macros/readiness_incremental.sql): a night ranks only the lines its new loads delivered.
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key=['journal_id', 'line_number']
) }}
with

source as (

    {{ deliveries_in_force('finance', 'finance__gl_actuals', incremental=true) }}

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
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
