{#- AI adoption budget against spend per fiscal quarter, cost centre and category (docs/marts.md,
    marts.budget_vs_spend; the rules are documented in _finance__docs.md). -#}
-- Depends on int_finance_lines_without_fx_rate so that its test finance_lines_have_an_fx_rate runs first:
-- a line without an FX rate fails dbt build and the mart is skipped, never built without that line.
-- depends_on: {{ ref('int_finance_lines_without_fx_rate') }}
with

finance_quarters as (

    select * from {{ ref('int_finance_year_to_date') }}
    where has_budget_or_spend

),

dated as (

    select
        *,
        {{ finance_fiscal_quarter_start_date('fiscal_year', 'fiscal_quarter') }} as fiscal_quarter_start_date, -- noqa: LT05
        {{ finance_fiscal_quarter_end_date('fiscal_year', 'fiscal_quarter') }} as fiscal_quarter_end_date, -- noqa: LT05
        {{ readiness_as_of_date() }} as as_of_date

    from finance_quarters

),

phased as (

    select
        *,
        case
            when fiscal_quarter_end_date < as_of_date then 'closed'
            when fiscal_quarter_start_date > as_of_date then 'future'
            else 'current'
        end as quarter_state,
        {{ dbt.datediff('fiscal_quarter_start_date', 'fiscal_quarter_end_date', 'day') }} + 1 as days_in_quarter, -- noqa: LT05
        {{ dbt.datediff('fiscal_quarter_start_date', 'as_of_date', 'day') }} + 1 as elapsed_days -- noqa: LT05

    from dated

),

measured as (

    select
        *,
        budget_amount - actual_amount as variance_amount,
        case
            when quarter_state = 'current'
                then {{ readiness_round(
                    readiness_ratio('actual_amount * days_in_quarter', 'elapsed_days'), 2
                ) }}
            else actual_amount
        end as forecast_amount

    from phased

),

assessed as (

    select
        *,
        case
            when budget_amount = 0 then null
            else {{ readiness_round(readiness_ratio('variance_amount', 'budget_amount'), 4) }}
        end as variance_pct,
        case
            when budget_amount = 0 and actual_amount > 0 then 'unbudgeted'
            when actual_amount > budget_amount then 'over_budget'
            when forecast_amount > budget_amount then 'at_risk'
            else 'on_track'
        end as status,
        {{ finance_threshold_reached('actual_amount', 'budget_amount') }} as threshold_reached

    from measured

),

final as (

    select
        cast(fiscal_year as integer) as fiscal_year,
        cast(fiscal_quarter as integer) as fiscal_quarter,
        cast(cost_center_id as varchar) as cost_center_id,
        cast(category as varchar) as category,
        cast(budget_amount as decimal(18, 2)) as budget_amount,
        cast(actual_amount as decimal(18, 2)) as actual_amount,
        cast(variance_amount as decimal(18, 2)) as variance_amount,
        cast(variance_pct as decimal(18, 4)) as variance_pct,
        cast(ytd_budget_amount as decimal(18, 2)) as ytd_budget_amount,
        cast(ytd_actual_amount as decimal(18, 2)) as ytd_actual_amount,
        cast(forecast_amount as decimal(18, 2)) as forecast_amount,
        cast(status as varchar) as status,
        cast(threshold_reached as decimal(6, 4)) as threshold_reached,
        cast(fiscal_quarter_start_date as date) as fiscal_quarter_start_date,
        cast(fiscal_quarter_end_date as date) as fiscal_quarter_end_date,
        cast(quarter_state as varchar) as quarter_state,
        cast(budget_version as varchar) as budget_version,
        cast('{{ var("reporting_currency") }}' as varchar) as currency,
        cast(as_of_date as date) as as_of_date

    from assessed

)

select * from final
