{#- Every month start from `start_month` to `end_month` (both month starts, inclusive), one row each,
    as a lateral table expression: `cross join lateral {{ people_month_spine(...) }} as months(month_start)`.
    generate_series over timestamps exists in DuckDB and Postgres alike. -#}
{% macro people_month_spine(start_month, end_month) -%}
    generate_series(
        cast({{ start_month }} as timestamp),
        cast({{ end_month }} as timestamp),
        interval '1 month'
    )
{%- endmacro %}
