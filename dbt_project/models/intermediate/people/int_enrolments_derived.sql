{#- One row per worker and catalogue item the worker has a counting statement about (docs/marts.md LMS
    rule): enrolled at the first non-voided statement about the item, completed at the first
    completed, passed or cmi5 satisfied, passed at the first passed (by statement timestamp). -#}
with

statements as (

    select * from {{ ref('int_statements_voids_removed') }}

),

enrolments as (

    select
        worker_id,
        item_uid,
        min(occurred_at) as enrolled_at,
        min(
            case when verb in ('completed', 'passed', 'satisfied') then occurred_at end
        ) as completed_at,
        min(case when verb = 'passed' then occurred_at end) as passed_at,
        count(*) as statement_count

    from statements
    where item_uid is not null
    group by worker_id, item_uid

),

timed as (

    select
        worker_id,
        item_uid,
        enrolled_at,
        completed_at,
        passed_at,
        statement_count,
        -- calendar days (UTC) between the two dates
        cast(completed_at as date) - cast(enrolled_at as date) as days_to_complete,
        completed_at is not null as is_completed,
        passed_at is not null as is_passed

    from enrolments

)

select * from timed
