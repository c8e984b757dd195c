{#- Learning objects that match no item of the catalogue (neither its url nor an LMS course id of the
    lms_course_items seed), with what refers to them: counting xAPI statements (matched actor, not voided)
    and course activities of matched learners. Counted here for the planners, who map them in the seed;
    excluded from the marts, never silently dropped (`readiness summary` says how many). -#}
with

statements as (

    select * from {{ ref('int_statements_voids_removed') }}

),

course_activities as (

    select * from {{ ref('int_course_activities_resolved') }}

),

references_unmatched as (

    select
        'xapi_statement' as referred_by,
        object_id,
        worker_id,
        occurred_at

    from statements
    where item_uid is null

    union all

    select
        'course_activity' as referred_by,
        object_id,
        worker_id,
        coalesce(completed_at, started_at, assigned_at) as occurred_at

    from course_activities
    where is_learner_matched and item_uid is null

),

counted as (

    select
        referred_by,
        object_id,
        count(*) as reference_count,
        count(distinct worker_id) as learner_count,
        min(occurred_at) as first_occurred_at,
        max(occurred_at) as last_occurred_at

    from references_unmatched
    group by referred_by, object_id

)

select * from counted
