{#- Incremental models: what a night must recompute, decided from the load metadata of the rows.

    Every incremental model keeps the load_id and loaded_at of the rows it holds (the raw rows' _load_id and
    _loaded_at, carried through staging). A load is new to the model when it is not older than the latest load
    the model holds and the model holds none of its rows. The model recomputes, from its whole input, every key
    or partition such a load delivered, and replaces them (delete+insert on that key, a strategy dbt-duckdb and
    dbt-postgres share). So a night costs the keys it touched, and a re-run (or a run after a failed one) finds
    the same loads new, or none: the result is the one a full build gives (tests/test_incremental.py).

    A full build from the raw tables is `dbt build --full-refresh` (README: Incremental builds). It is needed
    when history is rewritten rather than added to: the readiness seeds or the SQL of an incremental model
    changed, or rows were removed from raw (an erasure removes the build state, which forces it). -#}

{#- True for a row of load `load_id` (loaded at `loaded_at`) that the model being built does not hold yet. -#}
{% macro readiness_new_loads(load_id, loaded_at) -%}
    {{ loaded_at }} >= coalesce(
        (select max(built_watermark.loaded_at) from {{ this }} as built_watermark),
        cast('1900-01-01' as timestamp)
    )
    and not exists (
        select 1
        from {{ this }} as built_loads
        where built_loads.load_id = {{ load_id }}
    )
{%- endmacro %}

{#- True for a row `target` (an alias, or the model itself) whose `columns` (a key or partition) a new load
    of `relation` delivered: what an incremental night recomputes, and what it deletes first. -#}
{% macro readiness_delivered_anew(relation, columns, target) -%}
    exists (
        select 1
        from {{ relation }} as arrived
        where
            {{ readiness_new_loads('arrived.load_id', 'arrived.loaded_at') }}
            {%- for column in columns %}
            and arrived.{{ column }} = {{ target }}.{{ column }}
            {%- endfor %}
    )
{%- endmacro %}

{#- `relation` in a from clause, in an incremental run only its rows whose `columns` (a key or partition) a
    new load delivered: the rows an incremental model built from `relation` recomputes. In a full build (or
    when the model does not exist yet) every row. -#}
{% macro readiness_changed_rows(relation, columns) -%}
    {{ relation }}
    {%- if is_incremental() %} as changed_rows
    where {{ readiness_delivered_anew(relation, columns, 'changed_rows') }}
    {%- endif %}
{%- endmacro %}

{#- A pre-hook: delete the rows of the model whose `columns` (a partition) a new load of `relation` delivered,
    for a model that holds no row for some of its input (one row per tag: a line without tags has none), where
    delete+insert would leave the rows of a partition restated without tags behind. -#}
{% macro readiness_delete_changed(relation, columns) -%}
    {%- if is_incremental() %}
    delete from {{ this }}
    where {{ readiness_delivered_anew(relation, columns, this) }}
    {%- endif %}
{%- endmacro %}
