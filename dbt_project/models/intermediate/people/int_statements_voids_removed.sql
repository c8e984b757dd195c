{#- The statements that count: matched to a worker, not voided, and not themselves voiding
    statements. A statement with verb `voided` voids the statement whose id is its object_id (whoever
    its actor is); the voiding statement does not count either. Each statement's object is resolved to
    an item of the current catalogue by int_learning_objects_resolved (its url, else the LMS course id
    of the lms_course_items seed); item_uid is null for activities outside the catalogue (listed in
    int_learning_objects_unmatched). -#}
with

statements as (

    select * from {{ ref('int_statements_actors_resolved') }}

),

objects as (

    select * from {{ ref('int_learning_objects_resolved') }}

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
        objects.item_uid,
        not_voided.verb,
        not_voided.object_id,
        not_voided.is_complete,
        not_voided.is_success,
        not_voided.score_scaled,
        not_voided.duration_seconds,
        not_voided.occurred_at,
        not_voided.stored_at

    from not_voided
    left join objects
        on not_voided.object_id = objects.object_id
    where not_voided.is_actor_matched

)

select * from matched_to_items
