{#- One row per pipeline run. The failure reason is left out: it quotes the failing step's words, which
    can include delivered values; the failing task says where to look. -#}
with

source as (

    select * from {{ source('ops', 'pipeline_runs') }}

),

renamed as (

    select
        -- ids
        run_id,

        -- strings
        status,
        failed_task,
        row_counts::varchar as mart_row_counts_json,

        -- booleans
        published as is_published,

        -- dates
        as_of_date,

        -- timestamps
        started_at,
        finished_at

    from source

)

select * from renamed
