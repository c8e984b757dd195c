{#- The rows of a raw extract that are in force, by the delivery semantics of its Extract in
    include/readiness/contracts.py (docs/extracts.md). `readiness dbt-sources` writes them, with the key and
    partition, into the source YAML's `meta` and into macros/_delivery_semantics.sql, which this macro reads.
    Every staging model selects its rows through this macro, so one definition decides which deliveries count:

    snapshot_series   every as-of date is kept; an as-of date delivered twice is replaced, whole, by its later load
    full_replacement  only the latest delivery counts (latest as-of date, then latest load), whole
    events            a key delivered again counts once: its first load
    upsert            the latest load of a key wins
    versioned         the same, the version being part of the key (which version is in force is decided later)
    restated          the latest load of a partition replaces, whole, every earlier row of that partition

    The result has the extract's columns as delivered, or as `normalise` (column -> SQL expression) rewrites
    them: keys are compared after it, so a cost centre code written two ways is one key. The load metadata
    gets one naming scheme, listed by delivery_metadata_columns().

    `incremental=true` (an incremental staging model, in an incremental run): only the keys (events, upsert,
    versioned) or partitions (restated) that a load not yet in the model delivered are ranked, over every
    delivery of those keys, so each is decided exactly as a full build decides it; the model replaces them
    with delete+insert on the same key (readiness_incremental_config). Which loads are new comes from the
    raw rows' load metadata (readiness_new_loads), so re-running a night changes nothing.

    A source this installation does not have (var `enabled_sources`, from READINESS_SOURCES; every source
    when unset) has no rows in force, whatever its raw table holds from before it was switched off: its raw
    tables exist (the loader creates every contract's table), so nothing fails, and its marts come out
    empty, which the audit and marts.publication call unavailable. -#}
{% macro deliveries_in_force(source_name, table_name, normalise={}, incremental=false) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set delivery = readiness_delivery_semantics().get(source_name ~ '.' ~ table_name) -%}
    {%- if delivery is none -%}
        {{ exceptions.raise_compiler_error(
            "source " ~ source_name ~ "." ~ table_name ~ " has no delivery semantics in"
            ~ " macros/_delivery_semantics.sql: define its Extract in include/readiness/contracts.py and run"
            ~ " `readiness dbt-sources`"
        ) }}
    {%- endif -%}
    {%- set key = [] -%}
    {%- for column in delivery['key'] -%}
        {%- do key.append(readiness_quote_column(column)) -%}
    {%- endfor -%}
    {%- set partition = [] -%}
    {%- for column in delivery['partition'] -%}
        {%- do partition.append(readiness_quote_column(column)) -%}
    {%- endfor -%}
    {%- set semantics = delivery['semantics'] -%}
    {%- set latest_load = "_loaded_at desc, _load_id desc" -%}
    {%- if semantics == 'snapshot_series' -%}
        {%- set ranking = "dense_rank() over (partition by _as_of_date order by " ~ latest_load ~ ")" -%}
    {%- elif semantics == 'full_replacement' -%}
        {%- set ranking = "dense_rank() over (order by _as_of_date desc, " ~ latest_load ~ ")" -%}
    {%- elif semantics == 'events' and key -%}
        {%- set ranking = "row_number() over (partition by " ~ key | join(', ')
            ~ " order by _loaded_at asc, _load_id asc, _line_number asc)" -%}
    {%- elif semantics in ('upsert', 'versioned') and key -%}
        {%- set ranking = "row_number() over (partition by " ~ key | join(', ')
            ~ " order by " ~ latest_load ~ ", _line_number desc)" -%}
    {%- elif semantics == 'restated' and partition -%}
        {%- set ranking = "dense_rank() over (partition by " ~ partition | join(', ')
            ~ " order by " ~ latest_load ~ ")" -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "source " ~ source_name ~ "." ~ table_name ~ " declares delivery semantics " ~ semantics
            ~ " with key " ~ key ~ " and partition " ~ partition ~ ", which deliveries_in_force does not"
            ~ " know: fix its Extract in include/readiness/contracts.py and run `readiness dbt-sources`"
        ) }}
    {%- endif %}
    {%- if incremental and semantics not in ('events', 'upsert', 'versioned', 'restated') -%}
        {{ exceptions.raise_compiler_error(
            "source " ~ source_name ~ "." ~ table_name ~ " combines as " ~ semantics ~ ": a delivery replaces"
            ~ " the whole extract (or a whole as-of date), so its staging model cannot be incremental"
        ) }}
    {%- endif %}
    select
        {%- for column in delivery['columns'] %}
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
                {%- for column in delivery['columns'] %}
                {{ normalise.get(column, readiness_quote_column(column)) }} as {{ readiness_quote_column(column) }},
                {%- endfor %}
                _load_id,
                _source_file,
                _line_number,
                _as_of_date,
                _loaded_at
            from {{ relation }}
            {%- if not readiness_source_enabled(source_name) %}
            where 1 = 0  -- source not configured (var enabled_sources)
            {%- endif %}
        ) as delivered
        {%- if incremental and is_incremental() %}
        where exists (
            select 1
            from (
                select
                    {%- for column in (delivery['key'] or delivery['partition']) %}
                    {{ normalise.get(column, readiness_quote_column(column)) }} as {{ readiness_quote_column(column) }},
                    {%- endfor %}
                    _load_id,
                    _loaded_at
                from {{ relation }}
            ) as arrived
            where
                {{ readiness_new_loads('arrived._load_id', 'arrived._loaded_at') }}
                {%- for column in (key or partition) %}
                and arrived.{{ column }} = delivered.{{ column }}
                {%- endfor %}
        )
        {%- endif %}
    ) as ranked
    where delivery_rank = 1
{%- endmacro %}

{#- The load metadata every staging model carries, named as deliveries_in_force names it. -#}
{% macro delivery_metadata_columns() -%}
    {%- for column in ['load_id', 'source_file', 'source_line_number', 'delivery_as_of_date', 'loaded_at'] -%}
        {{ column }}{{ ',' if not loop.last }}
    {% endfor -%}
{%- endmacro %}

{#- A raw column name quoted as delivered: FOCUS and Viva Learning names are mixed case. -#}
{% macro readiness_quote_column(name) -%}
    {{ adapter.quote(name) }}
{%- endmacro %}

{#- Whether this installation has the source (var `enabled_sources`, a list; every source when unset). A unit
    test's fixture rows always count: it tests the model's rules, whichever sources this installation has. -#}
{% macro readiness_source_enabled(source_name) -%}
    {%- set enabled = var('enabled_sources', none) -%}
    {{- return(enabled is none or source_name in enabled or model.resource_type == 'unit_test') -}}
{%- endmacro %}
