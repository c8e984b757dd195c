{#- Each finance line converted to the reporting currency (docs/marts.md, Money): at the rate of its
    conversion date, else at the latest earlier rate at most var('fx_max_staleness_days') days before it (a weekend
    charge takes Friday's rate). Reporting-currency amounts convert at 1. Only rates quoted to the reporting
    currency are used. A line with no usable rate keeps a null fx_rate and reporting_amount; it is listed in
    int_finance_lines_without_fx_rate, whose test stops the build. -#}
with

finance_lines as (

    select * from {{ ref('int_finance_lines_unioned') }}

),

fx_rates as (

    select * from {{ ref('stg_finance__fx_rates') }}

),

rates_to_reporting_currency as (

    select
        from_currency,
        rate_date,
        fx_rate

    from fx_rates
    where to_currency = '{{ var("reporting_currency") }}'

),

foreign_lines as (

    select
        line_kind,
        line_id,
        currency,
        conversion_date,
        cast(
            {{ dbt.dateadd('day', -1 * var('fx_max_staleness_days') | int, 'conversion_date') }} as date
        ) as earliest_rate_date

    from finance_lines
    where currency <> '{{ var("reporting_currency") }}'

),

candidate_rates as (

    select
        foreign_lines.line_kind,
        foreign_lines.line_id,
        rates_to_reporting_currency.fx_rate,
        rates_to_reporting_currency.rate_date,
        row_number() over (
            partition by foreign_lines.line_kind, foreign_lines.line_id
            order by rates_to_reporting_currency.rate_date desc
        ) as rate_recency

    from foreign_lines
    inner join rates_to_reporting_currency
        on
            foreign_lines.currency = rates_to_reporting_currency.from_currency
            and foreign_lines.conversion_date >= rates_to_reporting_currency.rate_date
            and foreign_lines.earliest_rate_date <= rates_to_reporting_currency.rate_date

),

converted as (

    select
        finance_lines.line_kind,
        finance_lines.line_id,
        finance_lines.fiscal_year,
        finance_lines.fiscal_quarter,
        finance_lines.cost_center_id,
        finance_lines.category,
        finance_lines.budget_version,
        finance_lines.currency,
        finance_lines.conversion_date,
        finance_lines.amount,
        case
            when finance_lines.currency = '{{ var("reporting_currency") }}' then cast(1 as decimal(18, 6))
            else candidate_rates.fx_rate
        end as fx_rate,
        case
            when finance_lines.currency = '{{ var("reporting_currency") }}' then finance_lines.conversion_date
            else candidate_rates.rate_date
        end as fx_rate_date,
        finance_lines.amount * case
            when finance_lines.currency = '{{ var("reporting_currency") }}' then cast(1 as decimal(18, 6))
            else candidate_rates.fx_rate
        end as reporting_amount

    from finance_lines
    left join candidate_rates
        on
            finance_lines.line_kind = candidate_rates.line_kind
            and finance_lines.line_id = candidate_rates.line_id
            and candidate_rates.rate_recency = 1

)

select * from converted
