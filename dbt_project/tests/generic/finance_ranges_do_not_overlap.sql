{#- Inclusive ranges [lower_column, upper_column] are well formed (lower <= upper) and no two rows overlap, so
    every value maps to at most one row (a GL account to one category). -#}
{% test finance_ranges_do_not_overlap(model, lower_column, upper_column) %}

with

ranges as (

    select
        {{ lower_column }} as range_from,
        {{ upper_column }} as range_to

    from {{ model }}

),

numbered as (

    select
        range_from,
        range_to,
        row_number() over (order by range_from, range_to) as range_number

    from ranges

),

problems as (

    select
        range_from,
        range_to,
        'lower bound above upper bound' as problem

    from numbered
    where range_from > range_to

    union all

    select
        this_range.range_from,
        this_range.range_to,
        'overlaps the range ' || cast(other_range.range_from as varchar)
        || '-' || cast(other_range.range_to as varchar) as problem

    from numbered as this_range
    inner join numbered as other_range
        on
            this_range.range_number < other_range.range_number
            and this_range.range_from <= other_range.range_to
            and other_range.range_from <= this_range.range_to

)

select * from problems

{% endtest %}
