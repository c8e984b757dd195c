{#- One row per xAPI statement id (events: statements accumulate across deliveries and the same id
    delivered again counts once, its first load). Voiding is applied downstream, where statements are
    resolved to workers. The actor's e-mail is personal data: it goes no further than the
    intermediate model that resolves actors to workers.
    Incremental (macros/readiness_incremental.sql): a night ranks only the ids its new loads delivered. -#}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='statement_id') }}
with

source as (

    {{ deliveries_in_force('lms', 'lms__statements', incremental=true) }}

),

renamed as (

    select
        -- ids
        id as statement_id,
        object_id,

        -- strings
        lower(trim(replace(actor_mbox, 'mailto:', ''))) as actor_email,
        lower(trim(actor_mbox_sha1sum)) as actor_mbox_sha1sum,
        actor_account_home_page,
        actor_account_name,
        verb_id,
        -- short verb name: the last path segment of the verb IRI (completed, passed, satisfied, voided, ...)
        {{ people_iri_last_segment('verb_id') }} as verb,
        object_type,
        result_duration,

        -- numerics
        result_score_scaled as score_scaled,
        {{ people_iso8601_duration_seconds('result_duration') }} as duration_seconds,

        -- booleans
        result_completion as is_complete,
        result_success as is_success,

        -- timestamps
        "timestamp" as occurred_at,  -- noqa: RF06
        stored as stored_at,

        -- load metadata
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
