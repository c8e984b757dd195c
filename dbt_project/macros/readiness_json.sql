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

{#- round(value, digits) of a double, as DuckDB rounds it: the double times 10^digits, half away from zero.
    Postgres has no round(double, digits), and rounding the numeric of the double would round its 15-digit
    text, not the double (44.249999999999993 would become 44.3 there, 44.2 on DuckDB). -#}
{% macro readiness_round(expression, digits) -%}
    {{ return(adapter.dispatch('readiness_round', 'readiness')(expression, digits)) }}
{%- endmacro %}

{% macro default__readiness_round(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro postgres__readiness_round(expression, digits) -%}
    {%- set scale = 'cast(' ~ (10 ** digits) ~ ' as double precision)' -%}
    {%- set scaled = 'abs(cast(' ~ expression ~ ' as double precision) * ' ~ scale ~ ')' -%}
    (
        sign(cast({{ expression }} as double precision))
        * (floor({{ scaled }}) + case when {{ scaled }} - floor({{ scaled }}) >= 0.5 then 1 else 0 end)
        / {{ scale }}
    )
{%- endmacro %}
