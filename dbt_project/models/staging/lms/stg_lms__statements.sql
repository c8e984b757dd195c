{#- One row per xAPI statement id: statements accumulate across deliveries and the same id delivered
    again counts once (its first load is kept). Voiding is applied downstream, where statements are
    resolved to workers. The actor's e-mail is personal data: it goes no further than the
    intermediate model that resolves actors to workers. -#}
with

source as (

    select * from {{ source('lms', 'lms__statements') }}

),

ranked_loads as (

    select
        *,
        row_number() over (
            partition by id
            order by _loaded_at asc, _load_id asc, _line_number asc
        ) as load_rank
    from source

),

first_delivery_per_id as (

    select *
    from ranked_loads
    where load_rank = 1

),

renamed as (

    select
        -- ids
        id as statement_id,
        object_id,
        _load_id as load_id,

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
        _loaded_at as loaded_at

    from first_delivery_per_id

)

select * from renamed
