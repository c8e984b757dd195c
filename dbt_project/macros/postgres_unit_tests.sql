{#- dbt compares a unit test's actual and expected rows as text. On Postgres a computed numeric has no declared
    scale, so 1000.00 computed and 1000.0 written in the YAML differ as text though equal as numbers (DuckDB
    gives every decimal a fixed scale). Numeric columns are compared without trailing zeros (trim_scale) on
    both sides; otherwise this is dbt's default__get_unit_test_sql. -#}
{% macro postgres__get_unit_test_sql(main_sql, expected_fixture_sql, expected_column_names) -%}
{%- set numeric_columns = [] -%}
{%- for column in get_column_schema_from_query(main_sql) -%}
    {%- if column.dtype | lower in ('numeric', 'decimal') -%}
        {%- do numeric_columns.append(column.name | lower) -%}
    {%- endif -%}
{%- endfor -%}
{%- set compared = [] -%}
{%- for name in expected_column_names -%}
    {%- if name | replace('"', '') | lower in numeric_columns -%}
        {%- do compared.append('trim_scale(' ~ name ~ ') as ' ~ name) -%}
    {%- else -%}
        {%- do compared.append(name) -%}
    {%- endif -%}
{%- endfor -%}
with dbt_internal_unit_test_actual as (
  select
    {{ compared | join(', ') }}, {{ dbt.string_literal("actual") }} as {{ adapter.quote("actual_or_expected") }}
  from (
    {{ main_sql }}
  ) _dbt_internal_unit_test_actual
),
dbt_internal_unit_test_expected as (
  select
    {{ compared | join(', ') }}, {{ dbt.string_literal("expected") }} as {{ adapter.quote("actual_or_expected") }}
  from (
    {{ expected_fixture_sql }}
  ) _dbt_internal_unit_test_expected
)
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
{%- endmacro %}
