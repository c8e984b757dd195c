{#- The org units extract's state on every HR snapshot date: its latest delivery on or before the
    date (int_hr_snapshot_dates_mapped). -#}
with

snapshot_dates as (

    select * from {{ ref('int_hr_snapshot_dates_mapped') }}

),

org_units as (

    select * from {{ ref('stg_hr__org_units') }}

),

aligned as (

    select
        snapshot_dates.snapshot_date,
        org_units.org_unit_id,
        org_units.parent_org_unit_id,
        org_units.cost_center_id,
        org_units.org_unit_name,
        org_units.org_unit_type,
        org_units.is_ai_ccoe,
        org_units.snapshot_date as delivered_as_of_date

    from snapshot_dates
    inner join org_units
        on snapshot_dates.org_units_as_of_date = org_units.snapshot_date

)

select * from aligned
