{#- One row per run and extract it received files of, and per run and mart it published: files and rows
    read, loaded and quarantined per extract; rows published per mart (from ops.pipeline_runs.row_counts). -#}
with

runs as (

    select * from {{ ref('stg_ops__pipeline_runs') }}

),

deliveries as (

    select * from {{ ref('stg_ops__deliveries') }}

),

per_extract as (

    select
        run_id,
        'extract' as object_type,
        source_name || '/' || extract_name as object_name,
        count(*) as files_received,
        count(*) filter (where status = 'rejected') as files_rejected,
        sum(rows_read)::bigint as rows_read,
        sum(rows_loaded)::bigint as rows_loaded,
        sum(rows_quarantined)::bigint as rows_quarantined,
        null::bigint as rows_published
    from deliveries
    where run_id is not null
    group by run_id, source_name, extract_name

),

mart_names as (

    select
        run_id,
        mart_row_counts_json,
        {{ readiness_json_keys('mart_row_counts_json') }} as mart_name
    from runs
    where mart_row_counts_json is not null

),

per_mart as (

    select
        run_id,
        'mart' as object_type,
        mart_name as object_name,
        null::bigint as files_received,
        null::bigint as files_rejected,
        null::bigint as rows_read,
        null::bigint as rows_loaded,
        null::bigint as rows_quarantined,
        {{ readiness_json_field('mart_row_counts_json', 'mart_name') }}::bigint as rows_published
    from mart_names

),

unioned as (

    select * from per_extract
    union all
    select * from per_mart

)

select * from unioned
