{#- Every amount the budget mart adds up, in its own currency, on one grain: the budget lines of the version
    in force (converted at their approved_date), every GL line (at its posting_date) and the in-scope cloud
    cost lines (EffectiveCost, at the UTC date of ChargePeriodStart). -#}
with

budget_lines as (

    select * from {{ ref('int_budget_lines_in_force') }}

),

gl_lines as (

    select * from {{ ref('int_gl_lines_categorised') }}

),

cloud_cost_lines as (

    select * from {{ ref('int_cloud_cost_lines_classified') }}

),

budget_amounts as (

    select
        'budget' as line_kind,
        budget_version || '|' || cast(fiscal_year as varchar) || '|' || cast(fiscal_quarter as varchar)
        || '|' || cost_center_id || '|' || category as line_id,
        fiscal_year,
        fiscal_quarter,
        cost_center_id,
        category,
        budget_version,
        currency,
        approved_date as conversion_date,
        budget_amount as amount

    from budget_lines

),

gl_amounts as (

    select
        'gl' as line_kind,
        journal_id || '|' || cast(line_number as varchar) as line_id,
        fiscal_year,
        fiscal_quarter,
        cost_center_id,
        category,
        cast(null as varchar) as budget_version,
        currency,
        posting_date as conversion_date,
        amount

    from gl_lines

),

cloud_amounts as (

    select
        'cloud' as line_kind,
        cloud_cost_line_id as line_id,
        fiscal_year,
        fiscal_quarter,
        cost_center_id,
        category,
        cast(null as varchar) as budget_version,
        billing_currency as currency,
        charge_date as conversion_date,
        effective_cost as amount

    from cloud_cost_lines
    where is_in_scope

),

unioned as (

    select * from budget_amounts
    union all
    select * from gl_amounts
    union all
    select * from cloud_amounts

)

select * from unioned
