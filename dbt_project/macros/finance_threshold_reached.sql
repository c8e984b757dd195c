{#- The highest budget alert threshold (var alert_thresholds, fractions of the budget, as Azure and AWS budget
    alerts use them) that `actual` has reached: actual >= threshold x budget. 0 when none is reached and when
    the budget is 0 or absent. -#}
{% macro finance_threshold_reached(actual, budget) -%}
    {%- set configured = var('alert_thresholds') -%}
    {%- if configured is string -%}{%- set configured = configured.split(',') -%}{%- endif -%}
    {%- set thresholds = configured | map('float') | sort(reverse=true) -%}
    case
        when coalesce({{ budget }}, 0) <= 0 then 0
        {%- for threshold in thresholds %}
        when {{ actual }} >= {{ budget }} * {{ threshold }} then {{ threshold }}
        {%- endfor %}
        else 0
    end
{%- endmacro %}
