{#- FOCUS `Tags` is a JSON object of key/value pairs as the provider exports it. Keys arrive with stray spaces
    and in any case (the real FOCUS sample has both "org" and " org"), values in any case: keys are matched
    trimmed and case-insensitively, identifying values (cost centres) are trimmed and upper-cased.
    Reading JSON is adapter-specific: DuckDB and Postgres are implemented, other adapters need their own
    version. (The loader quarantines a Tags value that is not a JSON object, so raw holds objects or null.) -#}

{#- An identifier as the finance models compare it: trimmed, upper case, null when empty. -#}
{% macro finance_normalise_code(expression) -%}
    nullif(upper(trim({{ expression }})), '')
{%- endmacro %}

{#- A tag key as rules and cost-centre keys compare it: trimmed, lower case. -#}
{% macro finance_normalise_tag_key(expression) -%}
    lower(trim({{ expression }}))
{%- endmacro %}

{#- The tags of a line as a list of {key, value} entries in document order; null when the text is not a JSON
    object (then the line has no usable tag, and staging flags it). -#}
{% macro finance_tag_entries(tags) -%}
    {{ return(adapter.dispatch('finance_tag_entries', 'readiness')(tags)) }}
{%- endmacro %}

{% macro duckdb__finance_tag_entries(tags) -%}
    map_entries(try_cast(try_cast({{ tags }} as json) as map (varchar, varchar)))
{%- endmacro %}

{#- Postgres: an array of json {key, value} objects; json (not jsonb) keeps document order and repeated keys. -#}
{% macro postgres__finance_tag_entries(tags) -%}
    case when {{ postgres__finance_tags_object(tags) }} is not null then array(
        select json_build_object('key', tag.key, 'value', tag.value)
        from json_each_text({{ postgres__finance_tags_object(tags) }}) with ordinality as tag (key, value, position)
        order by tag.position
    ) end
{%- endmacro %}

{#- The tags as json where they are a JSON object, else null. readiness_try_json (created with the raw
    tables by readiness.pg) is a cast that gives null instead of an error: Postgres 15 has no safe cast. -#}
{% macro postgres__finance_tags_object(tags) -%}
    (case when json_typeof(readiness_try_json({{ tags }})) = 'object' then readiness_try_json({{ tags }}) end)
{%- endmacro %}

{% macro default__finance_tag_entries(tags) -%}
    {{ exceptions.raise_compiler_error(
        "finance_tag_entries (reading FOCUS Tags JSON) has no implementation for adapter " ~ adapter.type()
        ~ ": add " ~ adapter.type() ~ "__finance_tag_entries in macros/finance_cloud_tags.sql") }}
{%- endmacro %}

{#- The cost centre of a line: the first key of var('cost_center_tag_keys'), in that order of preference, that
    the line carries with a non-empty value (the first such entry in the document where a key appears twice
    after trimming), trimmed and upper-cased; null when none. -#}
{% macro finance_cost_center_from_tags(tags) -%}
    {{ return(adapter.dispatch('finance_cost_center_from_tags', 'readiness')(tags)) }}
{%- endmacro %}

{% macro duckdb__finance_cost_center_from_tags(tags) -%}
    {%- set keys = var('cost_center_tag_keys') -%}
    {%- if keys is string -%}{%- set keys = keys.split(',') -%}{%- endif -%}
    coalesce(
        {%- for key in keys %}
        {{ finance_normalise_code(
            "struct_extract(list_filter(" ~ finance_tag_entries(tags) ~ ", lambda tag: "
            ~ finance_normalise_tag_key("struct_extract(tag, 'key')") ~ " = '"
            ~ (key | trim | lower | replace("'", "''"))
            ~ "' and trim(struct_extract(tag, 'value')) <> '')[1], 'value')") }},
        {%- endfor %}
        null
    )
{%- endmacro %}

{% macro postgres__finance_cost_center_from_tags(tags) -%}
    {%- set keys = var('cost_center_tag_keys') -%}
    {%- if keys is string -%}{%- set keys = keys.split(',') -%}{%- endif -%}
    coalesce(
        {%- for key in keys %}
        (
            select {{ finance_normalise_code('tag.value') }}
            from json_each_text({{ postgres__finance_tags_object(tags) }}) with ordinality as tag (key, value, position)
            where {{ finance_normalise_tag_key('tag.key') }} = '{{ key | trim | lower | replace("'", "''") }}'
                and trim(tag.value) <> ''
            order by tag.position
            limit 1
        ),
        {%- endfor %}
        null
    )
{%- endmacro %}

{% macro default__finance_cost_center_from_tags(tags) -%}
    {{ exceptions.raise_compiler_error(
        "finance_cost_center_from_tags has no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{#- One field ('key' or 'value') of an entry of finance_tag_entries. -#}
{% macro finance_tag_field(tag, field) -%}
    {{ return(adapter.dispatch('finance_tag_field', 'readiness')(tag, field)) }}
{%- endmacro %}

{% macro default__finance_tag_field(tag, field) -%}
    struct_extract({{ tag }}, '{{ field }}')
{%- endmacro %}

{% macro postgres__finance_tag_field(tag, field) -%}
    ({{ tag }} ->> '{{ field }}')
{%- endmacro %}
