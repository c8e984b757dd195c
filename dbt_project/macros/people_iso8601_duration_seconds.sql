{#- Seconds in an ISO 8601 duration (xAPI result.duration), e.g. 'PT1H30M' -> 5400, 'P1DT2.5S' -> 86402.5.
    The date part (before 'T') holds years, months, weeks and days; the time part holds hours, minutes
    and seconds. A year counts as 365 days and a month as 30 days: learning durations never use them in
    practice, but the standard allows them. Null stays null; a missing component counts 0. -#}
{% macro people_iso8601_duration_seconds(column) -%}
    {{ return(adapter.dispatch('people_iso8601_duration_seconds', 'readiness')(column)) }}
{%- endmacro %}

{% macro people__duration_part(text, designator) -%}
    coalesce(cast(nullif(regexp_extract({{ text }}, '([0-9]+(\.[0-9]+)?){{ designator }}', 1), '') as double), 0)
{%- endmacro %}

{% macro default__people_iso8601_duration_seconds(column) -%}
    case
        when {{ column }} is not null
            then
                {{ people__duration_part("split_part(" ~ column ~ ", 'T', 1)", 'Y') }} * 31536000
                + {{ people__duration_part("split_part(" ~ column ~ ", 'T', 1)", 'M') }} * 2592000
                + {{ people__duration_part("split_part(" ~ column ~ ", 'T', 1)", 'W') }} * 604800
                + {{ people__duration_part("split_part(" ~ column ~ ", 'T', 1)", 'D') }} * 86400
                + {{ people__duration_part("split_part(" ~ column ~ ", 'T', 2)", 'H') }} * 3600
                + {{ people__duration_part("split_part(" ~ column ~ ", 'T', 2)", 'M') }} * 60
                + {{ people__duration_part("split_part(" ~ column ~ ", 'T', 2)", 'S') }}
    end
{%- endmacro %}

{% macro postgres__people_iso8601_duration_seconds(column) -%}
    case
        when {{ column }} is not null
            then
                {%- for part, designator, seconds in [(1, 'Y', 31536000), (1, 'M', 2592000), (1, 'W', 604800),
                                                      (1, 'D', 86400), (2, 'H', 3600), (2, 'M', 60), (2, 'S', 1)] %}
                {% if not loop.first %}+ {% endif -%}
                coalesce(cast(substring(split_part({{ column }}, 'T', {{ part }})
                    from '([0-9]+(?:\.[0-9]+)?){{ designator }}') as double precision), 0) * {{ seconds }}
                {%- endfor %}
    end
{%- endmacro %}
