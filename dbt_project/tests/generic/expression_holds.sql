{#- Fails with the rows where the boolean SQL expression is not true: an invariant every row must keep. -#}
{% test expression_holds(model, expression) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
