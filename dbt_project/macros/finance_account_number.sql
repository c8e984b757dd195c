{#- A GL account as a whole number for the range lookup of gl_account_categories; null when the account is not
    a whole number (such a line is `unallocated`, never an error that stops the run). -#}
{% macro finance_account_number(expression) -%}
    {{ return(adapter.dispatch('finance_account_number', 'readiness')(expression)) }}
{%- endmacro %}

{% macro duckdb__finance_account_number(expression) -%}
    try_cast(trim({{ expression }}) as bigint)
{%- endmacro %}

{% macro default__finance_account_number(expression) -%}
    case
        when trim({{ expression }}) ~ '^[0-9]{1,18}$' then cast(trim({{ expression }}) as bigint)
    end
{%- endmacro %}
