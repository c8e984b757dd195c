{#- The workforce rolled up the org tree: one row per HR snapshot, org unit and worker of the workforce who
    counts in it, i.e. the worker's own unit and every unit above it. The marts count people over org units
    through this model only, so every mart rolls up the same way. -#}
with

workforce as (

    select * from {{ ref('int_workers_in_workforce') }}

),

org_unit_descendants as (

    select * from {{ ref('int_org_unit_descendants_listed') }}

),

rolled_up as (

    select
        workforce.snapshot_date,
        org_unit_descendants.org_unit_id,
        workforce.worker_id,
        workforce.audience,
        workforce.org_unit_id as worker_org_unit_id,
        org_unit_descendants.levels_below

    from workforce
    inner join org_unit_descendants
        on
            workforce.snapshot_date = org_unit_descendants.snapshot_date
            and workforce.org_unit_id = org_unit_descendants.descendant_org_unit_id

)

select * from rolled_up
