{#- Course activity in the shape of Microsoft Graph learningCourseActivity (Viva Learning) as of its latest
    delivery (full_replacement: each delivery is every learner's progress at that date, so the latest one
    holds the current state, and an activity Viva deleted - an assignment withdrawn - is gone from it).
    The Graph names keep their camelCase in raw: quoted, so that adapters that fold case find them.
    learner_id may be a work e-mail (an LMS that knows learners by e-mail only): it goes no further than
    int_course_activities_resolved, which resolves it to a worker. -#}
-- noqa: disable=RF06
with

source as (

    {{ deliveries_in_force('lms', 'lms__course_activity') }}

),

renamed as (

    select
        -- ids
        trim("learnerUserId") as learner_id,
        trim("learningContentId") as object_id,

        -- strings
        status as activity_status,

        -- numerics
        cast("completionPercentage" as integer) as completion_pct,

        -- timestamps
        "assignedDateTime" as assigned_at,
        "startedDateTime" as started_at,
        "completedDateTime" as completed_at,

        -- load metadata
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
-- noqa: enable=RF06
