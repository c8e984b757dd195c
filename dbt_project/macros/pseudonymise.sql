{#- Keyed pseudonym of a worker id (HMAC-SHA256, hex). The key is configuration, never in the repo, and
    never in compiled SQL (target/, logs), whatever the adapter:
    - DuckDB: the readiness.dbt_plugin registers pseudonymise() with the installation's key in Python.
    - Postgres: pgcrypto's hmac() reads the key from the session setting readiness.pseudonym_key, which
      the connection sets at start-up from the environment: PGOPTIONS="-c readiness.pseudonym_key=<key>"
      (readiness.config.postgres_session_options). The compiled SQL names the setting, not its value. -#}
{% macro pseudonymise(column) -%}
    {{ return(adapter.dispatch('pseudonymise', 'readiness')(column)) }}
{%- endmacro %}

{% macro default__pseudonymise(column) -%}
    pseudonymise({{ column }})
{%- endmacro %}

{% macro postgres__pseudonymise(column) -%}
    encode(hmac({{ column }}::text, current_setting('readiness.pseudonym_key'), 'sha256'), 'hex')
{%- endmacro %}
