{#- A compound key is unique: no two rows share the same values of `combination_of_columns`
    (nulls count as a value, so an empty job_family is one key, not many). -#}
{% test people_unique_combination(model, combination_of_columns) %}

with

keyed as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}

)

select * from keyed
where row_count > 1

{% endtest %}
