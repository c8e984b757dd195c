{#- Reading a JSON object held as text (ops.pipeline_runs.row_counts), portable across DuckDB and Postgres. -#}

{#- The keys of the object, one row each (a set-returning expression for a select list). -#}
{% macro readiness_json_keys(text) -%}
    {{ return(adapter.dispatch('readiness_json_keys', 'readiness')(text)) }}
{%- endmacro %}

{% macro default__readiness_json_keys(text) -%}
    unnest(json_keys({{ text }}))
{%- endmacro %}

{% macro postgres__readiness_json_keys(text) -%}
    json_object_keys(cast({{ text }} as json))
{%- endmacro %}

{#- The value under the key given by the SQL expression `key`, as text. -#}
{% macro readiness_json_field(text, key) -%}
    {{ return(adapter.dispatch('readiness_json_field', 'readiness')(text, key)) }}
{%- endmacro %}

{% macro default__readiness_json_field(text, key) -%}
    json_extract_string({{ text }}, '$."' || {{ key }} || '"')
{%- endmacro %}

{% macro postgres__readiness_json_field(text, key) -%}
    (cast({{ text }} as json) ->> {{ key }})
{%- endmacro %}

{#- round(value, digits) of a double: Postgres rounds only numeric, DuckDB rounds the double itself. -#}
{% macro readiness_round(expression, digits) -%}
    {{ return(adapter.dispatch('readiness_round', 'readiness')(expression, digits)) }}
{%- endmacro %}

{% macro default__readiness_round(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro postgres__readiness_round(expression, digits) -%}
    round(cast({{ expression }} as numeric), {{ digits }})
{%- endmacro %}
