{#- The org tree as BI tools and the report need it, at every HR snapshot: each unit with its parent, its
    depth (the root is level 0), its path of names from the root, its cost centre and CCoE flag, and the
    root marked, so nobody has to walk parent ids or guess the root. -#}
with

org_units as (

    select * from {{ ref('int_org_units_aligned_to_snapshots') }}

),

descendants as (

    select * from {{ ref('int_org_unit_descendants_listed') }}

),

ancestors as (

    select
        descendants.snapshot_date,
        descendants.descendant_org_unit_id as org_unit_id,
        descendants.levels_below,
        org_units.org_unit_name as ancestor_name

    from descendants
    inner join org_units
        on
            descendants.snapshot_date = org_units.snapshot_date
            and descendants.org_unit_id = org_units.org_unit_id

),

paths as (

    select
        snapshot_date,
        org_unit_id,
        max(levels_below) as org_unit_level,
        {{ listagg('ancestor_name', "' / '", 'order by levels_below desc') }} as org_unit_path

    from ancestors
    group by snapshot_date, org_unit_id

),

placed as (

    select
        org_units.snapshot_date,
        org_units.org_unit_id,
        org_units.parent_org_unit_id,
        -- as budget_vs_spend compares cost centres, so the two join
        {{ finance_normalise_code('org_units.cost_center_id') }} as cost_center_id,
        org_units.org_unit_name,
        paths.org_unit_path,
        paths.org_unit_level,
        org_units.is_ai_ccoe,
        coalesce(org_units.is_root, false) as is_root

    from org_units
    inner join paths
        on
            org_units.snapshot_date = paths.snapshot_date
            and org_units.org_unit_id = paths.org_unit_id

)

select * from placed
