{#- Every HR snapshot date, with the delivery of each HR extract in force on it. A snapshot date is the
    as-of date of any HR delivery. The loader skips a file whose bytes were already loaded (same
    content), so an extract that did not change since its previous delivery (job profiles, org units)
    has no rows for the later date: its state on a snapshot date is its latest delivery on or before
    that date. -#}
{%- set extracts = people_hr_snapshot_extracts() %}
with

deliveries as (

    {% for extract_name in extracts -%}
        select distinct
            '{{ extract_name }}' as extract_name,
            delivery_as_of_date
        from {{ ref('stg_hr__' ~ extract_name) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

snapshot_dates as (

    select distinct delivery_as_of_date as snapshot_date
    from deliveries

),

mapped as (

    select
        {% for extract_name in extracts -%}
            max(
                case
                    when deliveries.extract_name = '{{ extract_name }}' then deliveries.delivery_as_of_date
                end
            ) as {{ extract_name }}_as_of_date,
        {% endfor %}
        snapshot_dates.snapshot_date

    from snapshot_dates
    inner join deliveries
        on snapshot_dates.snapshot_date >= deliveries.delivery_as_of_date
    group by snapshot_dates.snapshot_date

)

select * from mapped
