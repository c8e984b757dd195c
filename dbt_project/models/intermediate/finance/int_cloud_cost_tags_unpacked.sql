{#- One row per tag of a cloud cost line, for the cost rules: the key and value as delivered, and both
    trimmed and lower-cased for matching. Lines without tags, or whose tags are not a JSON object, have no
    rows here (stg_finance__cloud_costs flags the unreadable ones).
    Incremental (macros/readiness_incremental.sql) by billing account and period: a night deletes the tags of
    the partitions its new loads restated and appends theirs (a restated partition may have no tags left). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ readiness_delete_changed(
        ref('stg_finance__cloud_costs'), ['billing_account_id', 'billing_period_start_at']
    ) }}",
) }}
with

cloud_costs as (

    select *
    from {{ readiness_changed_rows(
        ref('stg_finance__cloud_costs'), ['billing_account_id', 'billing_period_start_at']
    ) }}

),

tag_entries as (

    select
        cloud_cost_line_id,
        billing_account_id,
        billing_period_start_at,
        load_id,
        loaded_at,
        unnest({{ finance_tag_entries('tags') }}) as tag

    from cloud_costs
    where tags is not null

),

unpacked as (

    select
        cloud_cost_line_id,
        {{ finance_tag_field('tag', 'key') }} as tag_key,
        {{ finance_tag_field('tag', 'value') }} as tag_value,
        {{ finance_normalise_tag_key(finance_tag_field('tag', 'key')) }} as tag_key_normalised,
        lower(trim({{ finance_tag_field('tag', 'value') }})) as tag_value_normalised,
        billing_account_id,
        billing_period_start_at,
        load_id,
        loaded_at

    from tag_entries

)

select * from unpacked
