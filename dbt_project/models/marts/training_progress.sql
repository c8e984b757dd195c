{#- Monthly training progress per org unit (rolled up through the tree), audience and catalogue item,
    from the month of the first enrolment of each (unit, audience, item) to the as-of month, months
    without activity included so that cumulative rates are continuous.
    A learner belongs to the unit and audience of their latest HR snapshot; a learner who is not in the
    workforce in that snapshot (terminated) counts nowhere. Activity after the as-of date is ignored.
    Suppression is decided on the population the row describes: the workers in the workforce of the
    unit (and the units below it) and audience, in the latest HR snapshot on or before the month end
    (or the latest snapshot where none is). -#}
{%- set as_of_date = readiness_as_of_date() %}
with

enrolments as (

    select * from {{ ref('int_enrolments_derived') }}

),

statements as (

    select * from {{ ref('int_statements_voids_removed') }}

),

workers as (

    select * from {{ ref('int_workers_aligned_to_snapshots') }}

),

workforce_rolled_up as (

    select * from {{ ref('int_workforce_rolled_up') }}

),

populations as (

    select * from {{ ref('int_org_unit_populations') }}

),

org_units as (

    select * from {{ ref('int_org_units_aligned_to_snapshots') }}

),

catalog_items as (

    select * from {{ ref('stg_lms__catalog_items') }}

),

latest_worker_snapshots as (

    select
        worker_id,
        max(snapshot_date) as snapshot_date

    from workers
    group by worker_id

),

learner_units as (

    -- each learner counts in the unit of their latest snapshot and every unit above it
    select
        workforce_rolled_up.worker_id,
        workforce_rolled_up.audience,
        workforce_rolled_up.org_unit_id

    from workforce_rolled_up
    inner join latest_worker_snapshots
        on
            workforce_rolled_up.worker_id = latest_worker_snapshots.worker_id
            and workforce_rolled_up.snapshot_date = latest_worker_snapshots.snapshot_date

),

learner_events as (

    select
        worker_id,
        item_uid,
        {{ dbt.date_trunc('month', 'enrolled_at') }} as month_start,
        1 as enrolled,
        0 as completed,
        0 as passed,
        cast(null as integer) as days_to_complete,
        cast(0 as float8) as duration_seconds

    from enrolments
    where cast(enrolled_at as date) <= {{ as_of_date }}

    union all

    select
        worker_id,
        item_uid,
        {{ dbt.date_trunc('month', 'completed_at') }} as month_start,
        0 as enrolled,
        1 as completed,
        0 as passed,
        days_to_complete,
        0 as duration_seconds

    from enrolments
    where cast(completed_at as date) <= {{ as_of_date }}

    union all

    select
        worker_id,
        item_uid,
        {{ dbt.date_trunc('month', 'passed_at') }} as month_start,
        0 as enrolled,
        0 as completed,
        1 as passed,
        null as days_to_complete,
        0 as duration_seconds

    from enrolments
    where cast(passed_at as date) <= {{ as_of_date }}

    union all

    select
        worker_id,
        item_uid,
        {{ dbt.date_trunc('month', 'occurred_at') }} as month_start,
        0 as enrolled,
        0 as completed,
        0 as passed,
        null as days_to_complete,
        duration_seconds

    from statements
    where
        item_uid is not null
        and duration_seconds is not null
        and cast(occurred_at as date) <= {{ as_of_date }}

),

monthly_activity as (

    select
        cast(learner_events.month_start as date) as month_start,
        learner_units.org_unit_id,
        learner_units.audience,
        learner_events.item_uid,
        sum(learner_events.enrolled) as enrolled_count,
        sum(learner_events.completed) as completed_count,
        sum(learner_events.passed) as passed_count,
        percentile_cont(0.5) within group (
            order by learner_events.days_to_complete
        ) as median_days_to_complete,
        sum(learner_events.duration_seconds) / 3600.0 as learning_hours

    from learner_events
    inner join learner_units
        on learner_events.worker_id = learner_units.worker_id
    group by
        cast(learner_events.month_start as date),
        learner_units.org_unit_id,
        learner_units.audience,
        learner_events.item_uid

),

series as (

    select
        org_unit_id,
        audience,
        item_uid,
        min(month_start) as first_month_start

    from monthly_activity
    where enrolled_count > 0
    group by org_unit_id, audience, item_uid

),

series_months as (

    select
        series.org_unit_id,
        series.audience,
        series.item_uid,
        cast(months.month_start as date) as month_start

    from series
    cross join lateral {{ people_month_spine(
        'series.first_month_start',
        dbt.date_trunc('month', as_of_date)
    ) }} as months (month_start)

),

snapshot_dates as (

    select distinct snapshot_date
    from workers

),

month_snapshots as (

    select
        months.month_start,
        coalesce(
            max(
                case
                    when snapshot_dates.snapshot_date <= {{ dbt.last_day('months.month_start', 'month') }}
                        then snapshot_dates.snapshot_date
                end
            ),
            max(snapshot_dates.snapshot_date)
        ) as population_snapshot_date

    from (select distinct month_start from series_months) as months
    cross join snapshot_dates
    group by months.month_start

),

latest_org_snapshot as (

    select max(snapshot_date) as snapshot_date
    from org_units

),

latest_root_units as (

    -- the month grain has no snapshot: the root is the root of the latest HR snapshot's org tree
    select org_units.org_unit_id
    from org_units
    inner join latest_org_snapshot
        on org_units.snapshot_date = latest_org_snapshot.snapshot_date
    where org_units.is_root

),

cumulated as (

    select
        series_months.month_start,
        series_months.org_unit_id,
        series_months.audience,
        series_months.item_uid,
        coalesce(populations.headcount, 0) as headcount,
        coalesce(monthly_activity.enrolled_count, 0) as enrolled_count,
        coalesce(monthly_activity.completed_count, 0) as completed_count,
        coalesce(monthly_activity.passed_count, 0) as passed_count,
        monthly_activity.median_days_to_complete,
        coalesce(monthly_activity.learning_hours, 0) as learning_hours,
        sum(coalesce(monthly_activity.enrolled_count, 0)) over (
            partition by series_months.org_unit_id, series_months.audience, series_months.item_uid
            order by series_months.month_start
            rows between unbounded preceding and current row
        ) as cumulative_enrolled_count,
        sum(coalesce(monthly_activity.completed_count, 0)) over (
            partition by series_months.org_unit_id, series_months.audience, series_months.item_uid
            order by series_months.month_start
            rows between unbounded preceding and current row
        ) as cumulative_completed_count

    from series_months
    inner join month_snapshots
        on series_months.month_start = month_snapshots.month_start
    left join populations
        on
            month_snapshots.population_snapshot_date = populations.snapshot_date
            and series_months.org_unit_id = populations.org_unit_id
            and series_months.audience = populations.audience
    left join monthly_activity
        on
            series_months.month_start = monthly_activity.month_start
            and series_months.org_unit_id = monthly_activity.org_unit_id
            and series_months.audience = monthly_activity.audience
            and series_months.item_uid = monthly_activity.item_uid

),

final as (

    select
        cumulated.month_start as month,  -- noqa: RF04
        cast(cumulated.org_unit_id as varchar) as org_unit_id,
        cast(cumulated.audience as varchar) as audience,
        cast(cumulated.item_uid as varchar) as item_uid,
        cast(catalog_items.item_title as varchar) as item_title,
        cast({{ people_suppressed('cumulated.headcount', 'cumulated.headcount') }} as integer) as headcount,
        cast({{ people_suppressed('cumulated.enrolled_count', 'cumulated.headcount') }} as integer)
            as enrolled_count,
        cast({{ people_suppressed('cumulated.completed_count', 'cumulated.headcount') }} as integer)
            as completed_count,
        cast({{ people_suppressed('cumulated.passed_count', 'cumulated.headcount') }} as integer)
            as passed_count,
        cast({{ people_suppressed(
            readiness_ratio('cumulated.cumulative_completed_count', 'cumulated.cumulative_enrolled_count'),
            'cumulated.headcount'
        ) }} as float8) as completion_rate,
        cast({{ people_suppressed('cumulated.median_days_to_complete', 'cumulated.headcount') }} as float8)
            as median_days_to_complete,
        cast({{ people_suppressed(
            readiness_round('cumulated.learning_hours', 2), 'cumulated.headcount'
        ) }} as float8)
            as learning_hours,
        {{ people_is_suppressed('cumulated.headcount') }} as is_suppressed,
        latest_root_units.org_unit_id is not null as is_root

    from cumulated
    left join catalog_items
        on cumulated.item_uid = catalog_items.item_uid
    left join latest_root_units
        on cumulated.org_unit_id = latest_root_units.org_unit_id

)

select * from final
