{#- Hex SHA-1 of a text: how xAPI identifies an actor by mbox_sha1sum (sha1 of 'mailto:<address>'). -#}
{% macro people_sha1(expression) -%}
    {{ return(adapter.dispatch('people_sha1', 'readiness')(expression)) }}
{%- endmacro %}

{% macro default__people_sha1(expression) -%}
    sha1({{ expression }})
{%- endmacro %}

{% macro postgres__people_sha1(expression) -%}
    encode(digest({{ expression }}, 'sha1'), 'hex')
{%- endmacro %}
