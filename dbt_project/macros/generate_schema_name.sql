{#- Custom schemas are used as named (staging, marts, ...), not prefixed with the target schema:
    BI tools query `marts.<mart>` whatever the target. On Postgres the build goes into schemas prefixed
    with the var `schema_prefix` (`candidate_`), which publishing renames in one transaction (readiness.pg). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ var('schema_prefix', '') ~ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
