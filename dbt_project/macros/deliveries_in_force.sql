{#- The rows of a raw extract that are in force, by the delivery semantics its source YAML declares in
    `meta` (generated from the extract's definition in include/readiness/contracts.py; the rules are
    described in docs/extracts.md). Every staging model selects its rows through this macro, so that one
    definition decides which deliveries count:

    snapshot_series   every as-of date is kept; a re-delivered as-of date is replaced, whole, by its later load
    full_replacement  only the latest delivery counts (latest as-of date, then latest load), whole
    events            the same key delivered again counts once: its first load
    upsert, versioned the latest load of a key wins (for versioned the version is part of the key)
    restated          the latest load of a partition replaces, whole, every earlier row of that partition

    The result has the extract's columns as delivered (or as `normalise` rewrites them: key columns are
    compared after it, e.g. cost centre codes written two ways are one key) and the load metadata in one
    naming scheme, listed by delivery_metadata_columns(). -#}
{% macro deliveries_in_force(source_name, table_name, normalise={}) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {#- Parsing: the graph is not populated yet; the SQL is not run. -#}
        select * from {{ relation }}
    {%- else -%}
        {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', source_name)
            | selectattr('name', 'equalto', table_name) | first -%}
        {%- set meta = node.config.meta if node.config.meta else node.meta -%}
        {%- set columns = [] -%}
        {%- for column in node.columns.keys() if not column.startswith('_') -%}
            {%- do columns.append(column) -%}
        {%- endfor -%}
        {%- set semantics = meta.get('semantics') -%}
        {%- set key = [] -%}
        {%- for column in meta.get('key', []) -%}
            {%- do key.append(readiness_quote_column(column)) -%}
        {%- endfor -%}
        {%- set partition = [] -%}
        {%- for column in meta.get('partition', []) -%}
            {%- do partition.append(readiness_quote_column(column)) -%}
        {%- endfor -%}
        {%- if semantics == 'snapshot_series' -%}
            {%- set ranking = "dense_rank() over (partition by _as_of_date order by _loaded_at desc, _load_id desc)" -%}
        {%- elif semantics == 'full_replacement' -%}
            {%- set ranking = "dense_rank() over (order by _as_of_date desc, _loaded_at desc, _load_id desc)" -%}
        {%- elif semantics == 'events' and key -%}
            {%- set ranking = "row_number() over (partition by " ~ key | join(', ')
                ~ " order by _loaded_at asc, _load_id asc, _line_number asc)" -%}
        {%- elif semantics in ('upsert', 'versioned') and key -%}
            {%- set ranking = "row_number() over (partition by " ~ key | join(', ')
                ~ " order by _loaded_at desc, _load_id desc, _line_number desc)" -%}
        {%- elif semantics == 'restated' and partition -%}
            {%- set ranking = "dense_rank() over (partition by " ~ partition | join(', ')
                ~ " order by _loaded_at desc, _load_id desc)" -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error(
                "source " ~ source_name ~ "." ~ table_name ~ " declares delivery semantics " ~ semantics
                ~ " with key " ~ key ~ " and partition " ~ partition ~ ", which deliveries_in_force does not know:"
                ~ " fix the Extract in include/readiness/contracts.py and run `readiness dbt-sources`"
            ) }}
        {%- endif %}
    select
        {%- for column in columns %}
        {{ readiness_quote_column(column) }},
        {%- endfor %}
        _load_id as load_id,
        _source_file as source_file,
        _line_number as source_line_number,
        _as_of_date as delivery_as_of_date,
        _loaded_at as loaded_at
    from (
        select
            delivered.*,
            {{ ranking }} as delivery_rank
        from (
            select
                {%- for column in columns %}
                {{ normalise.get(column, readiness_quote_column(column)) }} as {{ readiness_quote_column(column) }},
                {%- endfor %}
                _load_id,
                _source_file,
                _line_number,
                _as_of_date,
                _loaded_at
            from {{ relation }}
        ) as delivered
    ) as ranked
    where delivery_rank = 1
    {%- endif %}
{%- endmacro %}

{#- The load metadata every staging model carries, named as deliveries_in_force names it. -#}
{% macro delivery_metadata_columns(relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- for column in ['load_id', 'source_file', 'source_line_number', 'delivery_as_of_date', 'loaded_at'] -%}
        {{ prefix ~ column }}{{ ',' if not loop.last }}
    {% endfor -%}
{%- endmacro %}

{#- A raw column name quoted as delivered: FOCUS and Viva Learning names are mixed case. -#}
{% macro readiness_quote_column(name) -%}
    {{ adapter.quote(name) }}
{%- endmacro %}
