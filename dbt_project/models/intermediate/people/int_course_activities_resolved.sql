{#- Every course activity (Microsoft Graph learningCourseActivity, Viva Learning) with the worker its
    learner is and the learning item its content is (int_learning_objects_resolved). A learner is matched,
    like an xAPI actor, by the identifier the LMS gives: learnerUserId = a worker_id of any HR snapshot,
    else = the work e-mail of any HR snapshot (an LMS that knows learners by e-mail only; the e-mail held
    in the latest snapshot wins). E-mail addresses stop here: an unmatched learner leaves this model only
    as a keyed pseudonym (learner_key). -#}
with

course_activities as (

    select * from {{ ref('stg_lms__course_activities') }}

),

workers as (

    select * from {{ ref('stg_hr__workers') }}

),

objects as (

    select * from {{ ref('int_learning_objects_resolved') }}

),

worker_ids as (

    select distinct worker_id
    from workers

),

worker_emails as (

    select
        work_email,
        worker_id

    from (
        select
            work_email,
            worker_id,
            row_number() over (
                partition by work_email
                order by delivery_as_of_date desc, worker_id asc
            ) as holder_rank
        from workers
    ) as ranked
    where holder_rank = 1

),

resolved as (

    select
        coalesce(id_workers.worker_id, email_workers.worker_id) as worker_id,
        case
            when id_workers.worker_id is null and email_workers.worker_id is null
                then {{ pseudonymise('course_activities.learner_id') }}
        end as learner_key,
        coalesce(id_workers.worker_id, email_workers.worker_id) is not null as is_learner_matched,
        course_activities.object_id,
        objects.item_uid,
        course_activities.activity_status,
        course_activities.completion_pct,
        course_activities.assigned_at,
        course_activities.started_at,
        course_activities.completed_at,
        course_activities.delivery_as_of_date

    from course_activities
    left join worker_ids as id_workers
        on course_activities.learner_id = id_workers.worker_id
    left join worker_emails as email_workers
        on lower(course_activities.learner_id) = email_workers.work_email
    left join objects
        on course_activities.object_id = objects.object_id

)

select * from resolved
