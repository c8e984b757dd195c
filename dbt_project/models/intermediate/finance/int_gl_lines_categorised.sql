{#- GL lines with their budget category (seed gl_account_categories: the range holding the account; any
    other account, or one that is not a number, is `unallocated`) and the fiscal quarter of the posting date.
    Every GL line of the extract is AI adoption spend: none is dropped here.
    Incremental (macros/readiness_incremental.sql): a night categorises the lines its new loads delivered.
    A change of the account ranges seed needs `--full-refresh`. -#}
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key=['journal_id', 'line_number']
) }}
with

gl_lines as (

    select * from {{ readiness_changed_rows(ref('stg_finance__gl_lines'), ['journal_id', 'line_number']) }}

),

gl_account_categories as (

    select * from {{ ref('gl_account_categories') }}

),

account_matches as (

    select
        gl_lines.journal_id,
        gl_lines.line_number,
        gl_account_categories.category,
        row_number() over (
            partition by gl_lines.journal_id, gl_lines.line_number
            order by
                gl_account_categories.account_to - gl_account_categories.account_from,
                gl_account_categories.account_from
        ) as match_rank

    from gl_lines
    inner join gl_account_categories
        on
            {{ finance_account_number('gl_lines.gl_account') }}
            between gl_account_categories.account_from and gl_account_categories.account_to

),

categorised as (

    select
        gl_lines.journal_id,
        gl_lines.line_number,
        gl_lines.cost_center_id,
        gl_lines.gl_account,
        coalesce(account_matches.category, 'unallocated') as category,
        gl_lines.project_code,
        gl_lines.currency,
        gl_lines.vendor_name,
        gl_lines.line_description,
        gl_lines.amount,
        gl_lines.is_credit,
        gl_lines.posting_date,
        {{ finance_fiscal_year('gl_lines.posting_date') }} as fiscal_year,
        {{ finance_fiscal_quarter('gl_lines.posting_date') }} as fiscal_quarter,
        gl_lines.load_id,
        gl_lines.loaded_at

    from gl_lines
    left join account_matches
        on
            gl_lines.journal_id = account_matches.journal_id
            and gl_lines.line_number = account_matches.line_number
            and account_matches.match_rank = 1

)

select * from categorised
