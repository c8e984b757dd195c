{#- Statements whose actor matches no worker (contractors, people missing from HR, unknown actors):
    counted here for operators, excluded from the marts, never silently dropped. -#}
with

statements as (

    select * from {{ ref('int_statements_actors_resolved') }}

),

unmatched as (

    select
        statement_id,
        actor_type,
        actor_key,
        verb,
        object_id,
        occurred_at,
        stored_at,
        loaded_at

    from statements
    where not is_actor_matched

)

select * from unmatched
