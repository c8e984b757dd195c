{#- The running sum of `measure` from the first quarter of the fiscal year through the row's quarter, per cost
    centre and category (int_finance_year_to_date: one row per quarter). -#}
{% macro finance_year_to_date_sum(measure) -%}
    sum({{ measure }}) over (
        partition by fiscal_year, cost_center_id, category
        order by fiscal_quarter
        rows between unbounded preceding and current row
    )
{%- endmacro %}
