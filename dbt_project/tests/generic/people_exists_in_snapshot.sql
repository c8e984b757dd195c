{#- Every (snapshot_date, column) of the model exists as (snapshot_date, field) in `to`: a
    relationships test for HR snapshots, where a key is only valid within its own snapshot. -#}
{% test people_exists_in_snapshot(model, column_name, to, field, snapshot_column='snapshot_date') %}

with

children as (

    select distinct
        {{ snapshot_column }} as snapshot_date,
        {{ column_name }} as key_value
    from {{ model }}
    where {{ column_name }} is not null

),

parents as (

    select distinct
        {{ snapshot_column }} as snapshot_date,
        {{ field }} as key_value
    from {{ to }}

)

select children.*
from children
left join parents
    on
        children.snapshot_date = parents.snapshot_date
        and children.key_value = parents.key_value
where parents.key_value is null

{% endtest %}
