{#- Budget and spend year to date: one row per fiscal year, fiscal quarter (all four), cost centre and
    category with a budget line in force or spend in that fiscal year. The year-to-date figures of every mart
    come from here (docs/marts.md, money rules): a quarter's figure runs from the first quarter of the fiscal
    year through that quarter. The rounded running sums add up the quarters as budget_vs_spend publishes them
    (rounded to cents, see int_finance_quarters_aggregated), so that a year-to-date figure is the sum of the
    quarters shown; the unrounded ones are for sums over several cost centres, rounded once by the reader.
    Quarters without budget or spend carry the running sums forward (has_budget_or_spend false). -#}
with

finance_quarters as (

    select * from {{ ref('int_finance_quarters_aggregated') }}

),

fiscal_quarters as (

    select 1 as fiscal_quarter
    union all
    select 2 as fiscal_quarter
    union all
    select 3 as fiscal_quarter
    union all
    select 4 as fiscal_quarter

),

fiscal_year_rows as (

    select distinct
        fiscal_year,
        cost_center_id,
        category

    from finance_quarters

),

spine as (

    select
        fiscal_year_rows.fiscal_year,
        fiscal_quarters.fiscal_quarter,
        fiscal_year_rows.cost_center_id,
        fiscal_year_rows.category

    from fiscal_year_rows
    cross join fiscal_quarters

),

quarters as (

    select
        spine.fiscal_year,
        spine.fiscal_quarter,
        spine.cost_center_id,
        spine.category,
        finance_quarters.budget_version,
        finance_quarters.fiscal_year is not null as has_budget_or_spend,
        coalesce(finance_quarters.budget_amount, 0) as budget_amount,
        coalesce(finance_quarters.actual_amount, 0) as actual_amount,
        coalesce(finance_quarters.budget_amount_unrounded, 0) as budget_amount_unrounded,
        coalesce(finance_quarters.actual_amount_unrounded, 0) as actual_amount_unrounded

    from spine
    left join finance_quarters
        on
            spine.fiscal_year = finance_quarters.fiscal_year
            and spine.fiscal_quarter = finance_quarters.fiscal_quarter
            and spine.cost_center_id = finance_quarters.cost_center_id
            and spine.category = finance_quarters.category

),

year_to_date as (

    select
        *,
        {{ finance_year_to_date_sum('budget_amount') }} as ytd_budget_amount,
        {{ finance_year_to_date_sum('actual_amount') }} as ytd_actual_amount,
        {{ finance_year_to_date_sum('budget_amount_unrounded') }} as ytd_budget_amount_unrounded,
        {{ finance_year_to_date_sum('actual_amount_unrounded') }} as ytd_actual_amount_unrounded

    from quarters

)

select * from year_to_date
