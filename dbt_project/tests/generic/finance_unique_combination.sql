{#- The columns together identify a row: no combination of their values appears twice (nulls compare equal,
    so a null in a key column does not hide a duplicate). -#}
{% test finance_unique_combination(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(',\n    ') }},
    count(*) as row_count

from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
