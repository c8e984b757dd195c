{#- The fiscal calendar of the finance models (docs/marts.md, "Fiscal year"): the year starts in the month of
    var('fiscal_year_start_month'), is named by the calendar year in which it ends, and has quarters 1-4
    counted from its start. Plain SQL (extract, mod, dbt.dateadd) so it runs on every adapter. -#}

{% macro finance_fiscal_start_month() -%}
    {%- set start_month = var('fiscal_year_start_month') | int -%}
    {%- if start_month < 1 or start_month > 12 -%}
        {{ exceptions.raise_compiler_error(
            "var fiscal_year_start_month must be a month number 1-12, got " ~ var('fiscal_year_start_month')) }}
    {%- endif -%}
    {{ return(start_month) }}
{%- endmacro %}

{% macro finance_fiscal_year(date_expr) -%}
    {%- set start_month = finance_fiscal_start_month() -%}
    {%- if start_month == 1 -%}
        cast(extract(year from {{ date_expr }}) as integer)
    {%- else -%}
        (cast(extract(year from {{ date_expr }}) as integer)
            + case when extract(month from {{ date_expr }}) >= {{ start_month }} then 1 else 0 end)
    {%- endif -%}
{%- endmacro %}

{% macro finance_fiscal_quarter(date_expr) -%}
    {%- set start_month = finance_fiscal_start_month() -%}
    (cast(floor(mod(cast(extract(month from {{ date_expr }}) as integer) + {{ 12 - start_month }}, 12) / 3) as integer)
        + 1)
{%- endmacro %}

{#- First day of a fiscal quarter, counted in months from 1970-01-01 so that no date constructor is needed. -#}
{% macro finance_fiscal_quarter_start_date(fiscal_year, fiscal_quarter) -%}
    {%- set start_month = finance_fiscal_start_month() -%}
    {%- set first_calendar_year = 1970 + (1 if start_month > 1 else 0) -%}
    {%- set months = "(" ~ fiscal_year ~ " - " ~ first_calendar_year ~ ") * 12 + " ~ (start_month - 1)
        ~ " + (" ~ fiscal_quarter ~ " - 1) * 3" -%}
    cast({{ dbt.dateadd('month', months, "cast('1970-01-01' as date)") }} as date)
{%- endmacro %}

{% macro finance_fiscal_quarter_end_date(fiscal_year, fiscal_quarter) -%}
    {%- set next_quarter_start = dbt.dateadd(
        'month', 3, finance_fiscal_quarter_start_date(fiscal_year, fiscal_quarter)) -%}
    cast({{ dbt.dateadd('day', -1, next_quarter_start) }} as date)
{%- endmacro %}
