{#- What closing the open skill gaps would cost, per fiscal quarter and cost centre, beside the training
    budget left for the fiscal year (docs/marts.md, gap_closure_plan; the rules are in _readiness__docs.md).
    The gaps are those of skill_gaps on the latest HR snapshot of the quarter, so the recommendation is
    skill_gaps' own (one definition); a worker's gaps count on the cost centre of the worker's org unit, as
    the scorecard counts money. Suppression is decided on the cost centre's workforce, the population the
    row describes. -#}
-- The finance lines are used only after int_finance_lines_without_fx_rate's test passed, as budget_vs_spend.
-- depends_on: {{ ref('int_finance_lines_without_fx_rate') }}
with

skill_gaps as (

    select * from {{ ref('skill_gaps') }}

),

workforce as (

    select * from {{ ref('int_workers_in_workforce') }}

),

org_units as (

    select * from {{ ref('int_org_units_aligned_to_snapshots') }}

),

catalog_items as (

    select * from {{ ref('stg_lms__catalog_items') }}

),

hourly_costs as (

    select * from {{ ref('audience_hourly_costs') }}

),

item_prices as (

    select * from {{ ref('learning_item_prices') }}

),

finance_year_to_date as (

    select * from {{ ref('int_finance_year_to_date') }}
    where category = '{{ var("gap_closure_budget_category") }}'

),

unit_cost_centers as (

    select
        snapshot_date,
        org_unit_id,
        {{ finance_normalise_code('cost_center_id') }} as cost_center_id

    from org_units

),

snapshots as (

    select distinct
        snapshot_date,
        {{ finance_fiscal_year('snapshot_date') }} as fiscal_year,
        {{ finance_fiscal_quarter('snapshot_date') }} as fiscal_quarter

    from workforce

),

quarter_snapshots as (

    -- the gaps of a quarter are those still open on its latest HR snapshot
    select
        fiscal_year,
        fiscal_quarter,
        max(snapshot_date) as snapshot_date

    from snapshots
    group by fiscal_year, fiscal_quarter

),

populations as (

    select
        quarter_snapshots.fiscal_year,
        quarter_snapshots.fiscal_quarter,
        quarter_snapshots.snapshot_date,
        unit_cost_centers.cost_center_id,
        count(*) as headcount

    from quarter_snapshots
    inner join workforce
        on quarter_snapshots.snapshot_date = workforce.snapshot_date
    inner join unit_cost_centers
        on
            workforce.snapshot_date = unit_cost_centers.snapshot_date
            and workforce.org_unit_id = unit_cost_centers.org_unit_id
    where unit_cost_centers.cost_center_id is not null
    group by
        quarter_snapshots.fiscal_year,
        quarter_snapshots.fiscal_quarter,
        quarter_snapshots.snapshot_date,
        unit_cost_centers.cost_center_id

),

open_gaps as (

    select
        skill_gaps.snapshot_date,
        skill_gaps.worker_key,
        skill_gaps.audience,
        skill_gaps.recommended_item_uid,
        unit_cost_centers.cost_center_id

    from skill_gaps
    inner join quarter_snapshots
        on skill_gaps.snapshot_date = quarter_snapshots.snapshot_date
    inner join unit_cost_centers
        on
            skill_gaps.snapshot_date = unit_cost_centers.snapshot_date
            and skill_gaps.org_unit_id = unit_cost_centers.org_unit_id

),

gap_counts as (

    select
        snapshot_date,
        cost_center_id,
        count(*) as open_gap_count,
        count(recommended_item_uid) as planned_gap_count

    from open_gaps
    group by snapshot_date, cost_center_id

),

planned_enrolments as (

    -- one enrolment per worker and item: an item recommended for two of a worker's gaps is taken once
    select distinct
        snapshot_date,
        cost_center_id,
        worker_key,
        audience,
        recommended_item_uid as item_uid

    from open_gaps
    where recommended_item_uid is not null

),

priced_enrolments as (

    select
        planned_enrolments.snapshot_date,
        planned_enrolments.cost_center_id,
        cast(catalog_items.duration_in_minutes as double precision) / 60 as learning_hours,
        cast(catalog_items.duration_in_minutes as double precision) / 60
        * coalesce(hourly_costs.hourly_cost, 0) as time_cost_amount,
        coalesce(item_prices.licence_price, 0) as licence_cost_amount

    from planned_enrolments
    inner join catalog_items
        on planned_enrolments.item_uid = catalog_items.item_uid
    left join hourly_costs
        on planned_enrolments.audience = hourly_costs.audience
    left join item_prices
        on planned_enrolments.item_uid = item_prices.item_uid

),

plan_costs as (

    select
        snapshot_date,
        cost_center_id,
        count(*) as planned_enrolment_count,
        sum(learning_hours) as learning_hours,
        sum(time_cost_amount) as time_cost_amount,
        sum(licence_cost_amount) as licence_cost_amount

    from priced_enrolments
    group by snapshot_date, cost_center_id

),

budgets as (

    -- the budget in force for the whole fiscal year, and the spend of its quarters up to the snapshot's
    select
        populations.fiscal_year,
        populations.fiscal_quarter,
        populations.cost_center_id,
        sum(finance_year_to_date.budget_amount_unrounded) as training_budget_amount,
        sum(
            case
                when finance_year_to_date.fiscal_quarter <= populations.fiscal_quarter
                    then finance_year_to_date.actual_amount_unrounded
                else 0
            end
        ) as training_spent_amount

    from populations
    inner join finance_year_to_date
        on
            populations.cost_center_id = finance_year_to_date.cost_center_id
            and populations.fiscal_year = finance_year_to_date.fiscal_year
    group by populations.fiscal_year, populations.fiscal_quarter, populations.cost_center_id

),

measured as (

    select
        populations.fiscal_year,
        populations.fiscal_quarter,
        populations.cost_center_id,
        populations.snapshot_date,
        populations.headcount,
        {{ people_is_suppressed('populations.headcount') }} as is_suppressed,
        coalesce(gap_counts.open_gap_count, 0) as open_gap_count,
        coalesce(gap_counts.planned_gap_count, 0) as planned_gap_count,
        coalesce(gap_counts.open_gap_count, 0)
        - coalesce(gap_counts.planned_gap_count, 0) as unplanned_gap_count,
        coalesce(plan_costs.planned_enrolment_count, 0) as planned_enrolment_count,
        round(cast(coalesce(plan_costs.learning_hours, 0) as decimal(38, 9)), 2) as learning_hours,
        round(cast(coalesce(plan_costs.time_cost_amount, 0) as decimal(38, 9)), 2) as time_cost_amount,
        round(cast(coalesce(plan_costs.licence_cost_amount, 0) as decimal(38, 9)), 2) as licence_cost_amount,
        round(
            cast(coalesce(budgets.training_budget_amount, 0) as decimal(38, 9)), 2
        ) as training_budget_amount,
        round(cast(coalesce(budgets.training_spent_amount, 0) as decimal(38, 9)), 2) as training_spent_amount

    from populations
    left join gap_counts
        on
            populations.snapshot_date = gap_counts.snapshot_date
            and populations.cost_center_id = gap_counts.cost_center_id
    left join plan_costs
        on
            populations.snapshot_date = plan_costs.snapshot_date
            and populations.cost_center_id = plan_costs.cost_center_id
    left join budgets
        on
            populations.fiscal_year = budgets.fiscal_year
            and populations.fiscal_quarter = budgets.fiscal_quarter
            and populations.cost_center_id = budgets.cost_center_id

),

totalled as (

    select
        *,
        time_cost_amount + licence_cost_amount as plan_cost_amount,
        training_budget_amount - training_spent_amount as training_budget_left_amount

    from measured

),

final as (

    select
        cast(fiscal_year as integer) as fiscal_year,
        cast(fiscal_quarter as integer) as fiscal_quarter,
        cast(cost_center_id as varchar) as cost_center_id,
        cast(snapshot_date as date) as snapshot_date,
        cast({{ people_suppressed('headcount', 'headcount') }} as integer) as headcount,
        cast({{ people_suppressed('open_gap_count', 'headcount') }} as integer) as open_gap_count,
        cast({{ people_suppressed('planned_gap_count', 'headcount') }} as integer) as planned_gap_count,
        cast({{ people_suppressed('unplanned_gap_count', 'headcount') }} as integer) as unplanned_gap_count,
        cast(
            {{ people_suppressed('planned_enrolment_count', 'headcount') }} as integer
        ) as planned_enrolment_count,
        cast({{ people_suppressed('learning_hours', 'headcount') }} as decimal(18, 2)) as learning_hours,
        cast({{ people_suppressed('time_cost_amount', 'headcount') }} as decimal(18, 2)) as time_cost_amount,
        cast(
            {{ people_suppressed('licence_cost_amount', 'headcount') }} as decimal(18, 2)
        ) as licence_cost_amount,
        cast({{ people_suppressed('plan_cost_amount', 'headcount') }} as decimal(18, 2)) as plan_cost_amount,
        cast({{ people_suppressed('training_budget_amount', 'headcount') }} as decimal(18, 2))
            as training_budget_amount,
        cast({{ people_suppressed('training_spent_amount', 'headcount') }} as decimal(18, 2))
            as training_spent_amount,
        cast({{ people_suppressed('training_budget_left_amount', 'headcount') }} as decimal(18, 2))
            as training_budget_left_amount,
        cast(
            {{ people_suppressed('plan_cost_amount <= training_budget_left_amount', 'headcount') }} as boolean
        )
            as is_covered_by_budget,
        cast(is_suppressed as boolean) as is_suppressed,
        cast('{{ var("reporting_currency") }}' as varchar) as currency

    from totalled

)

select * from final
{#- The plan needs the LMS (the items and their hours) and finance (the budget left): without either
    the mart is published empty and named in marts.publication.unavailable_marts (meta
    readiness_sources), not half a plan. #}
{%- if not (readiness_source_enabled('lms') and readiness_source_enabled('finance')) %}
where 1 = 0
{%- endif %}
