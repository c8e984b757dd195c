{#- The workers extract's state on every HR snapshot date: its latest delivery on or before the
    date (int_hr_snapshot_dates_mapped). Personal data (names, e-mail) is left in staging. -#}
with

snapshot_dates as (

    select * from {{ ref('int_hr_snapshot_dates_mapped') }}

),

workers as (

    select * from {{ ref('stg_hr__workers') }}

),

aligned as (

    select
        snapshot_dates.snapshot_date,
        workers.worker_id,
        workers.worker_key,
        workers.job_profile_id,
        workers.org_unit_id,
        workers.cost_center_id,
        workers.manager_worker_id,
        workers.worker_status,
        workers.fte,
        workers.hired_date,
        workers.terminated_date,
        workers.snapshot_date as delivered_as_of_date

    from snapshot_dates
    inner join workers
        on snapshot_dates.workers_as_of_date = workers.snapshot_date

)

select * from aligned
