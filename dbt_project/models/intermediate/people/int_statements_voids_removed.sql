{#- The statements that count: matched to a worker, not voided, and not themselves voiding
    statements. A statement with verb `voided` voids the statement whose id is its object_id (whoever
    its actor is); the voiding statement does not count either. Each statement is matched to the
    current catalogue by object_id = item url (trailing slash and case ignored); item_uid is null
    for activities outside the catalogue. -#}
with

statements as (

    select * from {{ ref('int_statements_actors_resolved') }}

),

catalog_items as (

    select * from {{ ref('stg_lms__catalog_items') }}

),

voided_statement_ids as (

    select distinct object_id as statement_id
    from statements
    where verb = 'voided'

),

not_voided as (

    select statements.*
    from statements
    left join voided_statement_ids
        on statements.statement_id = voided_statement_ids.statement_id
    where
        statements.verb != 'voided'
        and voided_statement_ids.statement_id is null

),

matched_to_items as (

    select
        not_voided.statement_id,
        not_voided.worker_id,
        catalog_items.item_uid,
        not_voided.verb,
        not_voided.object_id,
        not_voided.is_complete,
        not_voided.is_success,
        not_voided.score_scaled,
        not_voided.duration_seconds,
        not_voided.occurred_at,
        not_voided.stored_at

    from not_voided
    left join catalog_items
        on lower(rtrim(not_voided.object_id, '/')) = lower(rtrim(catalog_items.item_url, '/'))
    where not_voided.is_actor_matched

)

select * from matched_to_items
