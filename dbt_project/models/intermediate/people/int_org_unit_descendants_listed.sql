{#- The org tree closure at every HR snapshot: for every unit, itself (levels_below 0) and every unit below
    it at any depth, so a unit's figures can include all units below it. The depth guard stops a
    cycle (which the contract forbids) from recursing forever; the levels_below test then fails loudly. -#}
with recursive

org_units as (

    select * from {{ ref('int_org_units_aligned_to_snapshots') }}

),

descendants as (

    select
        snapshot_date,
        org_unit_id,
        org_unit_id as descendant_org_unit_id,
        0 as levels_below

    from org_units

    union all

    select
        descendants.snapshot_date,
        descendants.org_unit_id,
        org_units.org_unit_id as descendant_org_unit_id,
        descendants.levels_below + 1 as levels_below

    from descendants
    inner join org_units
        on
            descendants.snapshot_date = org_units.snapshot_date
            and descendants.descendant_org_unit_id = org_units.parent_org_unit_id
    where descendants.levels_below < 32

)

select * from descendants
