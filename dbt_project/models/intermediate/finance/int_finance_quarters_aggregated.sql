{#- Budget and actual spend in the reporting currency per (fiscal_year, fiscal_quarter, cost_center_id,
    category) that has a budget line in force or spend, with the budget version in force for the quarter.
    Amounts are summed unrounded and rounded once, to cents. Actuals are rounded so that they add up to the
    rounded total of every spend line ("largest remainder": each quarter gets its amount rounded down to the
    cent, and the cents still missing from the total go to the quarters with the largest remainders), so that
    the mart reconciles with the GL and cloud lines to the cent; no quarter moves by more than one cent. -#}
with

finance_lines as (

    select * from {{ ref('int_finance_lines_converted') }}

),

budget_lines as (

    select * from {{ ref('int_budget_lines_in_force') }}

),

quarter_versions as (

    select distinct
        fiscal_year,
        fiscal_quarter,
        budget_version

    from budget_lines

),

budget_quarters as (

    select
        fiscal_year,
        fiscal_quarter,
        cost_center_id,
        category,
        sum(reporting_amount) as budget_amount_unrounded

    from finance_lines
    where line_kind = 'budget'
    group by fiscal_year, fiscal_quarter, cost_center_id, category

),

spend_quarters as (

    select
        fiscal_year,
        fiscal_quarter,
        cost_center_id,
        category,
        sum(reporting_amount) as actual_amount_unrounded,
        count(*) as spend_line_count

    from finance_lines
    where line_kind in ('gl', 'cloud')
    group by fiscal_year, fiscal_quarter, cost_center_id, category

),

quarters as (

    select
        coalesce(budget_quarters.fiscal_year, spend_quarters.fiscal_year) as fiscal_year,
        coalesce(budget_quarters.fiscal_quarter, spend_quarters.fiscal_quarter) as fiscal_quarter,
        coalesce(budget_quarters.cost_center_id, spend_quarters.cost_center_id) as cost_center_id,
        coalesce(budget_quarters.category, spend_quarters.category) as category,
        coalesce(budget_quarters.budget_amount_unrounded, 0) as budget_amount_unrounded,
        coalesce(spend_quarters.actual_amount_unrounded, 0) as actual_amount_unrounded,
        coalesce(spend_quarters.spend_line_count, 0) as spend_line_count

    from budget_quarters
    full outer join spend_quarters
        on
            budget_quarters.fiscal_year = spend_quarters.fiscal_year
            and budget_quarters.fiscal_quarter = spend_quarters.fiscal_quarter
            and budget_quarters.cost_center_id = spend_quarters.cost_center_id
            and budget_quarters.category = spend_quarters.category

),

floored as (

    select
        *,
        floor(actual_amount_unrounded * 100) / 100 as actual_amount_floor,
        actual_amount_unrounded * 100 - floor(actual_amount_unrounded * 100) as cent_remainder

    from quarters

),

missing_cents as (

    select
        cast(round((round(sum(actual_amount_unrounded), 2) - sum(actual_amount_floor)) * 100, 0) as integer)
            as cents_to_allocate

    from floored

),

ranked as (

    select
        floored.*,
        missing_cents.cents_to_allocate,
        row_number() over (
            order by
                floored.cent_remainder desc,
                floored.fiscal_year asc,
                floored.fiscal_quarter asc,
                floored.cost_center_id asc,
                floored.category asc
        ) as remainder_rank

    from floored
    cross join missing_cents

),

rounded as (

    select
        ranked.fiscal_year,
        ranked.fiscal_quarter,
        ranked.cost_center_id,
        ranked.category,
        quarter_versions.budget_version,
        cast(round(ranked.budget_amount_unrounded, 2) as decimal(18, 2)) as budget_amount,
        cast(
            ranked.actual_amount_floor
            + case when ranked.remainder_rank <= ranked.cents_to_allocate then 0.01 else 0 end
            as decimal(18, 2)
        ) as actual_amount,
        ranked.budget_amount_unrounded,
        ranked.actual_amount_unrounded,
        ranked.spend_line_count

    from ranked
    left join quarter_versions
        on
            ranked.fiscal_year = quarter_versions.fiscal_year
            and ranked.fiscal_quarter = quarter_versions.fiscal_quarter

)

select * from rounded
