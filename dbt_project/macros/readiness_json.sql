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

{#- A fraction of two counts, as a double (null where the denominator is 0). DuckDB divided `1.0 * a / b` in
    doubles; Postgres would divide in numeric and then round half-way values differently. -#}
{% macro readiness_ratio(numerator, denominator) -%}
    cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- round(value, digits) of a computed double, half away from zero on its decimal value, the same on every
    adapter. Rounding the double itself depends on the engine: DuckDB rounds its binary value (0.435 is
    0.43499999999999999778, so 0.43), Postgres has no round(double, digits) and converts to numeric at 15
    significant digits (0.435, so 0.44). Both convert to a decimal of 9 places first, then round: 0.44. -#}
{% macro readiness_round(expression, digits) -%}
    round(cast({{ expression }} as decimal(38, 9)), {{ digits }})
{%- endmacro %}
