{#- Course activity (Viva Learning export shape) as of its latest delivery: each delivery is every
    learner's progress at that date, so the latest one holds the current state. -#}
with

source as (

    select * from {{ source('lms', 'lms__course_activity') }}

),

ranked_loads as (

    select
        *,
        dense_rank() over (
            order by _as_of_date desc, _loaded_at desc, _load_id desc
        ) as load_rank
    from source

),

latest_delivery as (

    select *
    from ranked_loads
    where load_rank = 1

),

renamed as (

    select
        -- ids
        learneruserid as worker_id,
        learningcontentid as item_url,
        _load_id as load_id,

        -- strings
        status as activity_status,

        -- numerics
        cast(completionpercentage as integer) as completion_pct,

        -- dates
        _as_of_date as activity_date,

        -- timestamps
        completeddatetime as completed_at,
        _loaded_at as loaded_at

    from latest_delivery

)

select * from renamed
