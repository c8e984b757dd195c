{#- Course activity (Viva Learning export shape) as of its latest delivery (full_replacement: each
    delivery is every learner's progress at that date, so the latest one holds the current state).
    The Viva Learning names keep their camelCase in raw: quoted, so that adapters that fold case find them. -#}
-- noqa: disable=RF06
with

source as (

    {{ deliveries_in_force('lms', 'lms__course_activity') }}

),

renamed as (

    select
        -- ids
        "learnerUserId" as worker_id,
        "learningContentId" as item_url,

        -- strings
        status as activity_status,

        -- numerics
        cast("completionPercentage" as integer) as completion_pct,

        -- timestamps
        "completedDateTime" as completed_at,

        -- load metadata
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
-- noqa: enable=RF06
