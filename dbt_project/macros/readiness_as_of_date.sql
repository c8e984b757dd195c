{#- The run's as-of date: the DAG's logical date, which the marts are computed against (the forecast's
    quarter, the months of training progress). It comes from the environment (READINESS_AS_OF_DATE, set by
    readiness.transform for every dbt invocation) rather than from a dbt var: a var that changes every night
    makes dbt re-parse the whole project on every run, an environment variable only the files that read it.
    Unit tests set it with `overrides: env_vars:`. -#}
{% macro readiness_as_of_date() -%}
    {%- set as_of_date = env_var('READINESS_AS_OF_DATE', '') -%}
    {%- if execute and not as_of_date -%}
        {{ exceptions.raise_compiler_error(
            "READINESS_AS_OF_DATE is not set: run dbt through `readiness` or the nightly DAG, which set it to "
            ~ "the run's as-of date, or set it yourself (YYYY-MM-DD).") }}
    {%- endif -%}
    cast('{{ as_of_date }}' as date)
{%- endmacro %}
