{#- One row per tag of a cloud cost line, for the cost rules: the key and value as delivered, and both
    trimmed and lower-cased for matching. Lines without tags, or whose tags are not a JSON object, have no
    rows here (stg_finance__cloud_costs flags the unreadable ones). -#}
with

cloud_costs as (

    select * from {{ ref('stg_finance__cloud_costs') }}

),

tag_entries as (

    select
        cloud_cost_line_id,
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
        lower(trim({{ finance_tag_field('tag', 'value') }})) as tag_value_normalised

    from tag_entries

)

select * from unpacked
