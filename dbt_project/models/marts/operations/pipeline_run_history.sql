{#- One row per pipeline run: status, duration and the rows it received and published, for a BI view of the
    pipeline's health. The run being published is in it as running (its own outcome and mart rows are
    known only once it is published: marts.publication has them, and the next night's history). -#}
with

runs as (

    select * from {{ ref('stg_ops__pipeline_runs') }}

),

volumes as (

    select * from {{ ref('pipeline_run_volumes') }}

),

received_per_run as (

    select
        run_id,
        sum(files_received)::bigint as files_received,
        sum(files_rejected)::bigint as files_rejected,
        sum(rows_read)::bigint as rows_read,
        sum(rows_loaded)::bigint as rows_loaded,
        sum(rows_quarantined)::bigint as rows_quarantined,
        sum(rows_published)::bigint as rows_published
    from volumes
    group by run_id

),

joined as (

    select
        runs.run_id,
        runs.as_of_date,
        runs.started_at,
        runs.finished_at,
        runs.status,
        runs.is_published,
        runs.failed_task,
        -- dbt's cross-database datediff (date_diff on DuckDB, epoch arithmetic on Postgres)
        cast({{ dbt.datediff('runs.started_at', 'runs.finished_at', 'second') }} as bigint) as duration_seconds,  -- noqa: LT05
        coalesce(received_per_run.files_received, 0) as files_received,
        coalesce(received_per_run.files_rejected, 0) as files_rejected,
        coalesce(received_per_run.rows_read, 0) as rows_read,
        coalesce(received_per_run.rows_loaded, 0) as rows_loaded,
        coalesce(received_per_run.rows_quarantined, 0) as rows_quarantined,
        received_per_run.rows_published
    from runs
    left join received_per_run on runs.run_id = received_per_run.run_id

)

select * from joined
