{#- The HR extracts delivered as a snapshot series. An HR snapshot date is the as-of date of any of their
    deliveries (int_hr_snapshot_dates_mapped maps each date to the delivery of each extract in force). -#}
{% macro people_hr_snapshot_extracts() -%}
    {{ return(['workers', 'job_profiles', 'org_units', 'worker_skills']) }}
{%- endmacro %}

{#- One HR extract's state on every HR snapshot date: the rows of its latest delivery on or before the
    date (stg_hr__<extract>, joined on int_hr_snapshot_dates_mapped.<extract>_as_of_date). `columns` are
    the staging columns carried; personal data is left out by not naming it. -#}
{% macro people_aligned_to_snapshots(extract_name, columns) -%}
with

snapshot_dates as (

    select * from {{ ref('int_hr_snapshot_dates_mapped') }}

),

deliveries as (

    select * from {{ ref('stg_hr__' ~ extract_name) }}

),

aligned as (

    select
        snapshot_dates.snapshot_date,
        {%- for column in columns %}
        deliveries.{{ column }},
        {%- endfor %}
        deliveries.delivery_as_of_date

    from snapshot_dates
    inner join deliveries
        on snapshot_dates.{{ extract_name }}_as_of_date = deliveries.delivery_as_of_date

)

select * from aligned
{%- endmacro %}
