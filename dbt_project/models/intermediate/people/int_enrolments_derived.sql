{#- One row per worker and catalogue item the worker is enrolled in, from either LMS shape (docs/marts.md,
    LMS rules):
    - xAPI statements: enrolled at the first counting statement about the item, completed at the first
      completed, passed or cmi5 satisfied, passed at the first passed (by statement timestamp); withdrawn
      at an `unregistered` statement (TinCan registry, http://id.tincanapi.com/verb/unregistered) that is
      the latest statement about the item, unless the item was completed (a completion is never undone).
    - Course activity (Graph learningCourseActivity, Viva Learning): enrolled at assignedDateTime, else
      startedDateTime, else completedDateTime, else the as-of date of the delivery that lists it; completed
      at completedDateTime (else that as-of date) where status = completed. Viva has no withdrawn status: an
      assignment withdrawn is deleted and is gone from the next delivery (full_replacement).
    When both shapes speak of the same worker and item, the statements decide, alone: xAPI carries voids,
    pass/fail and durations, course activity is a progress summary of the same learning, so adding both
    would count one enrolment twice. Course activity counts for the pairs no counting statement covers. -#}
with

statements as (

    select * from {{ ref('int_statements_voids_removed') }}

),

course_activities as (

    select * from {{ ref('int_course_activities_resolved') }}

),

statements_ranked as (

    select
        worker_id,
        item_uid,
        verb,
        occurred_at,
        row_number() over (
            partition by worker_id, item_uid
            order by occurred_at desc, statement_id desc
        ) as recency_rank

    from statements
    where item_uid is not null

),

latest_statements as (

    select
        worker_id,
        item_uid,
        verb as latest_verb,
        occurred_at as latest_occurred_at

    from statements_ranked
    where recency_rank = 1

),

xapi_enrolments as (

    select
        statements.worker_id,
        statements.item_uid,
        min(statements.occurred_at) as enrolled_at,
        min(
            case when statements.verb in ('completed', 'passed', 'satisfied') then statements.occurred_at end
        ) as completed_at,
        min(case when statements.verb = 'passed' then statements.occurred_at end) as passed_at,
        count(*) as statement_count

    from statements
    where statements.item_uid is not null
    group by statements.worker_id, statements.item_uid

),

xapi_withdrawals as (

    select
        xapi_enrolments.worker_id,
        xapi_enrolments.item_uid,
        xapi_enrolments.enrolled_at,
        xapi_enrolments.completed_at,
        xapi_enrolments.passed_at,
        case
            when latest_statements.latest_verb = 'unregistered' and xapi_enrolments.completed_at is null
                then latest_statements.latest_occurred_at
        end as withdrawn_at,
        xapi_enrolments.statement_count,
        'xapi' as evidence

    from xapi_enrolments
    inner join latest_statements
        on
            xapi_enrolments.worker_id = latest_statements.worker_id
            and xapi_enrolments.item_uid = latest_statements.item_uid

),

activity_enrolments as (

    -- several LMS course ids may map to one item: its earliest dates count
    select
        course_activities.worker_id,
        course_activities.item_uid,
        min(
            coalesce(
                course_activities.assigned_at,
                course_activities.started_at,
                course_activities.completed_at,
                cast(course_activities.delivery_as_of_date as timestamp)
            )
        ) as enrolled_at,
        min(
            case
                when course_activities.activity_status = 'completed'
                    then coalesce(
                        course_activities.completed_at,
                        cast(course_activities.delivery_as_of_date as timestamp)
                    )
            end
        ) as completed_at,
        cast(null as timestamp) as passed_at,
        cast(null as timestamp) as withdrawn_at,
        0 as statement_count,
        'course_activity' as evidence

    from course_activities
    left join xapi_enrolments
        on
            course_activities.worker_id = xapi_enrolments.worker_id
            and course_activities.item_uid = xapi_enrolments.item_uid
    where
        course_activities.is_learner_matched
        and course_activities.item_uid is not null
        and xapi_enrolments.worker_id is null
    group by course_activities.worker_id, course_activities.item_uid

),

enrolments as (

    select * from xapi_withdrawals

    union all

    select * from activity_enrolments

),

timed as (

    select
        worker_id,
        item_uid,
        enrolled_at,
        completed_at,
        passed_at,
        withdrawn_at,
        statement_count,
        evidence,
        -- calendar days (UTC) between the two dates
        cast(completed_at as date) - cast(enrolled_at as date) as days_to_complete,
        completed_at is not null as is_completed,
        passed_at is not null as is_passed,
        withdrawn_at is not null as is_withdrawn

    from enrolments

)

select * from timed
