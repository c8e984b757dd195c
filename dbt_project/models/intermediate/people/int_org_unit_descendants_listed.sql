{#- The org tree closure at every HR snapshot: for every unit, itself (depth 0) and every unit below
    it at any depth, so a unit's figures can include all units below it. The depth guard stops a
    cycle (which the contract forbids) from recursing forever; the depth test then fails loudly. -#}
with recursive

org_units as (

    select * from {{ ref('stg_hr__org_units') }}

),

descendants as (

    select
        snapshot_date,
        org_unit_id,
        org_unit_id as descendant_org_unit_id,
        0 as depth

    from org_units

    union all

    select
        descendants.snapshot_date,
        descendants.org_unit_id,
        org_units.org_unit_id as descendant_org_unit_id,
        descendants.depth + 1 as depth

    from descendants
    inner join org_units
        on
            descendants.snapshot_date = org_units.snapshot_date
            and descendants.descendant_org_unit_id = org_units.parent_org_unit_id
    where descendants.depth < 32

)

select * from descendants
