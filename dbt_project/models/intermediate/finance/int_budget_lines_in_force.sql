{#- The budget lines of the version in force, per fiscal quarter. The version in force for a
    (fiscal_year, fiscal_quarter) is the latest approved version that has rows for that quarter, and it is in
    force for the whole quarter: a cost centre and category that the version leaves out has no budget there,
    even if an earlier version had one (a reforecast restates the whole quarter). Ties on approved_date go to
    the version loaded last, then the greater version name. -#}
with

budget_lines as (

    select * from {{ ref('stg_finance__budget_lines') }}

),

quarter_versions as (

    select
        fiscal_year,
        fiscal_quarter,
        budget_version,
        max(approved_date) as approved_date,
        max(loaded_at) as loaded_at

    from budget_lines
    group by fiscal_year, fiscal_quarter, budget_version

),

ranked_versions as (

    select
        fiscal_year,
        fiscal_quarter,
        budget_version,
        row_number() over (
            partition by fiscal_year, fiscal_quarter
            order by approved_date desc, loaded_at desc, budget_version desc
        ) as version_rank

    from quarter_versions

),

versions_in_force as (

    select
        fiscal_year,
        fiscal_quarter,
        budget_version

    from ranked_versions
    where version_rank = 1

),

lines_in_force as (

    select
        budget_lines.budget_version,
        budget_lines.fiscal_year,
        budget_lines.fiscal_quarter,
        budget_lines.cost_center_id,
        budget_lines.category,
        budget_lines.currency,
        budget_lines.budget_amount,
        budget_lines.approved_date

    from budget_lines
    inner join versions_in_force
        on
            budget_lines.fiscal_year = versions_in_force.fiscal_year
            and budget_lines.fiscal_quarter = versions_in_force.fiscal_quarter
            and budget_lines.budget_version = versions_in_force.budget_version

)

select * from lines_in_force
