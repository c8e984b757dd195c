{#- Fails with the model's rows when it has any: for models that list what must never happen (finance lines
    that cannot be converted to the reporting currency, ...). Give the test a name that says what is wrong. -#}
{% test finance_has_no_rows(model) %}

select * from {{ model }}

{% endtest %}
