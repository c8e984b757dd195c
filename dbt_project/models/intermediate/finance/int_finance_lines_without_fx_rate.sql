{#- Finance lines in a foreign currency for which no rate to the reporting currency exists on their date or
    in the var('fx_max_staleness_days') days before (docs/marts.md: such a row is quarantined with the reason
    "no FX rate"). Must be empty: its test fails the build, and budget_vs_spend depends on it, so the mart is
    not rebuilt with the line missing. Fix by delivering the rates (fx_rates extract) and re-running. -#}
with

finance_lines as (

    select * from {{ ref('int_finance_lines_converted') }}

),

without_rate as (

    select
        line_kind,
        line_id,
        fiscal_year,
        fiscal_quarter,
        cost_center_id,
        category,
        budget_version,
        currency,
        conversion_date,
        amount,
        'no FX rate: no ' || currency || ' to {{ var("reporting_currency") }} rate on '
        || cast(conversion_date as varchar) || ' or the {{ var("fx_max_staleness_days") }} days before'
            as reason

    from finance_lines
    where fx_rate is null

)

select * from without_rate
