{#- The population of every org unit (rolled up through the tree) and audience at every HR snapshot: the
    workers of the workforce who count in it. Small-cell suppression is decided on these headcounts. -#}
with

workforce_rolled_up as (

    select * from {{ ref('int_workforce_rolled_up') }}

),

populations as (

    select
        snapshot_date,
        org_unit_id,
        audience,
        count(distinct worker_id) as headcount

    from workforce_rolled_up
    group by snapshot_date, org_unit_id, audience

)

select * from populations
