{#- Keyed pseudonym of a worker id (HMAC-SHA256, hex). The key is configuration, never in the repo:
    on DuckDB the readiness.dbt_plugin registers the function with the key of the installation;
    on Postgres, pgcrypto's hmac() reads it from the READINESS_PSEUDONYM_KEY environment variable. -#}
{% macro pseudonymise(column) -%}
    {{ return(adapter.dispatch('pseudonymise', 'readiness')(column)) }}
{%- endmacro %}

{% macro default__pseudonymise(column) -%}
    pseudonymise({{ column }})
{%- endmacro %}

{% macro postgres__pseudonymise(column) -%}
    encode(hmac({{ column }}::text, '{{ env_var("READINESS_PSEUDONYM_KEY") }}', 'sha256'), 'hex')
{%- endmacro %}
