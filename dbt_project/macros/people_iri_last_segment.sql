{#- The last path segment of an IRI, e.g. an xAPI verb id
    'http://adlnet.gov/expapi/verbs/completed' -> 'completed' (a trailing slash is ignored). -#}
{% macro people_iri_last_segment(column) -%}
    {{ return(adapter.dispatch('people_iri_last_segment', 'readiness')(column)) }}
{%- endmacro %}

{% macro default__people_iri_last_segment(column) -%}
    regexp_extract(rtrim({{ column }}, '/'), '[^/#]+$')
{%- endmacro %}

{% macro postgres__people_iri_last_segment(column) -%}
    substring(rtrim({{ column }}, '/') from '[^/#]+$')
{%- endmacro %}
