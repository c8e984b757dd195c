{#- Small-cell suppression of one figure: null where the population the row describes is under the
    threshold (var small_cell_threshold). `population` is the size of that population, never a count
    inside it ("1 of 7 completed" is shown, a team of 3 is not). -#}
{% macro people_suppressed(value, population) -%}
    case when {{ people_is_suppressed(population) }} then null else {{ value }} end
{%- endmacro %}

{% macro people_is_suppressed(population) -%}
    coalesce({{ population }}, 0) < {{ var('small_cell_threshold') }}
{%- endmacro %}
