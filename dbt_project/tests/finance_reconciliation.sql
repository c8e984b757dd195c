{#- Reconciliation of budget_vs_spend (docs/marts.md): the sum of actual_amount in the mart equals every GL
    line plus every in-scope cloud cost line, converted to the reporting currency, to the cent; no line is lost or counted
    twice on the way (line counts from staging), and no mart row is more than a cent (the rounding adjustment)
    from the lines it adds up. Returns one row per check that fails. -#}
{{ config(severity='error') }}

with

mart as (

    select * from {{ ref('budget_vs_spend') }}

),

gl_lines as (

    select * from {{ ref('stg_finance__gl_lines') }}

),

cloud_cost_lines as (

    select * from {{ ref('int_cloud_cost_lines_classified') }}

),

converted_lines as (

    select * from {{ ref('int_finance_lines_converted') }}

),

gl_inputs as (

    select
        count(*) as line_count,
        count(converted_lines.reporting_amount) as converted_line_count,
        sum(converted_lines.reporting_amount) as reporting_amount

    from gl_lines
    left join converted_lines
        on
            converted_lines.line_kind = 'gl'
            and gl_lines.journal_id || '|' || cast(gl_lines.line_number as varchar) = converted_lines.line_id

),

cloud_inputs as (

    select
        count(*) as line_count,
        count(converted_lines.reporting_amount) as converted_line_count,
        sum(converted_lines.reporting_amount) as reporting_amount

    from cloud_cost_lines
    left join converted_lines
        on
            converted_lines.line_kind = 'cloud'
            and cloud_cost_lines.cloud_cost_line_id = converted_lines.line_id
    where cloud_cost_lines.is_in_scope

),

spend_kinds as (

    select count(*) as line_count from converted_lines
    where line_kind in ('gl', 'cloud')

),

mart_total as (

    select
        coalesce(sum(actual_amount), 0) as actual_amount,
        count(*) as row_count

    from mart

),

row_inputs as (

    select
        fiscal_year,
        fiscal_quarter,
        cost_center_id,
        category,
        sum(reporting_amount) as reporting_amount

    from converted_lines
    where line_kind in ('gl', 'cloud')
    group by fiscal_year, fiscal_quarter, cost_center_id, category

),

checks as (

    select
        'mart total differs from GL + in-scope cloud lines' as check_name,
        cast(mart_total.actual_amount as varchar) as mart_value,
        cast(
            round(coalesce(gl_inputs.reporting_amount, 0) + coalesce(cloud_inputs.reporting_amount, 0), 2)
            as varchar
        ) as input_value,
        mart_total.actual_amount
        <> round(coalesce(gl_inputs.reporting_amount, 0) + coalesce(cloud_inputs.reporting_amount, 0), 2)
            as is_failing

    from mart_total
    cross join gl_inputs
    cross join cloud_inputs

    union all

    select
        'GL lines not converted once each' as check_name,
        cast(gl_inputs.converted_line_count as varchar) as mart_value,
        cast(gl_inputs.line_count as varchar) as input_value,
        gl_inputs.converted_line_count <> gl_inputs.line_count as is_failing

    from gl_inputs

    union all

    select
        'in-scope cloud lines not converted once each' as check_name,
        cast(cloud_inputs.converted_line_count as varchar) as mart_value,
        cast(cloud_inputs.line_count as varchar) as input_value,
        cloud_inputs.converted_line_count <> cloud_inputs.line_count as is_failing

    from cloud_inputs

    union all

    select
        'spend lines other than GL and in-scope cloud lines' as check_name,
        cast(spend_kinds.line_count as varchar) as mart_value,
        cast(gl_inputs.line_count + cloud_inputs.line_count as varchar) as input_value,
        spend_kinds.line_count <> gl_inputs.line_count + cloud_inputs.line_count as is_failing

    from spend_kinds
    cross join gl_inputs
    cross join cloud_inputs

    union all

    select
        'mart row more than a cent from its lines: '
        || coalesce(mart.cost_center_id, row_inputs.cost_center_id) || ' '
        || coalesce(mart.category, row_inputs.category) || ' '
        || cast(coalesce(mart.fiscal_year, row_inputs.fiscal_year) as varchar) || ' Q'
        || cast(coalesce(mart.fiscal_quarter, row_inputs.fiscal_quarter) as varchar) as check_name,
        cast(mart.actual_amount as varchar) as mart_value,
        cast(round(row_inputs.reporting_amount, 2) as varchar) as input_value,
        mart.actual_amount is null
        or abs(mart.actual_amount - coalesce(row_inputs.reporting_amount, 0)) > 0.01 as is_failing

    from mart
    full outer join row_inputs
        on
            mart.fiscal_year = row_inputs.fiscal_year
            and mart.fiscal_quarter = row_inputs.fiscal_quarter
            and mart.cost_center_id = row_inputs.cost_center_id
            and mart.category = row_inputs.category

)

select
    check_name,
    mart_value,
    input_value

from checks
where is_failing
