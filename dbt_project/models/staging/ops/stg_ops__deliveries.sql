{#- One row per file received by a run: loaded, rejected or waiting for validation (ops.load_manifest), or
    the same bytes delivered again (ops.duplicate_deliveries, status unchanged, no rows). File names are
    left out: the extract says enough for the health of the pipeline. -#}
with

manifest as (

    select * from {{ source('ops', 'load_manifest') }}

),

duplicates as (

    select * from {{ source('ops', 'duplicate_deliveries') }}

),

loaded as (

    select
        run_id,
        source as source_name,
        extract as extract_name,
        status,
        as_of_date,
        rows_read,
        rows_loaded,
        rows_quarantined,
        received_at
    from manifest

),

unchanged as (

    select
        run_id,
        source as source_name,
        extract as extract_name,
        'unchanged' as status,
        as_of_date,
        0 as rows_read,
        0 as rows_loaded,
        0 as rows_quarantined,
        received_at
    from duplicates

),

unioned as (

    select * from loaded
    union all
    select * from unchanged

)

select * from unioned
