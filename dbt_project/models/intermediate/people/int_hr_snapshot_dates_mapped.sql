{#- Every HR snapshot date, with the delivery of each HR extract in force on it. A snapshot date is the
    as-of date of any HR delivery. The loader skips a file whose bytes were already loaded (same
    content), so an extract that did not change since its previous delivery (job profiles, org units)
    has no rows for the later date: its state on a snapshot date is its latest delivery on or before
    that date. -#}
with

workers as (

    select * from {{ ref('stg_hr__workers') }}

),

job_profiles as (

    select * from {{ ref('stg_hr__job_profiles') }}

),

org_units as (

    select * from {{ ref('stg_hr__org_units') }}

),

worker_skills as (

    select * from {{ ref('stg_hr__worker_skills') }}

),

deliveries as (

    select distinct
        'workers' as extract_name,
        snapshot_date
    from workers

    union all

    select distinct
        'job_profiles' as extract_name,
        snapshot_date
    from job_profiles

    union all

    select distinct
        'org_units' as extract_name,
        snapshot_date
    from org_units

    union all

    select distinct
        'worker_skills' as extract_name,
        snapshot_date
    from worker_skills

),

snapshot_dates as (

    select distinct snapshot_date
    from deliveries

),

mapped as (

    select
        snapshot_dates.snapshot_date,
        max(case when deliveries.extract_name = 'workers' then deliveries.snapshot_date end)
            as workers_as_of_date,
        max(case when deliveries.extract_name = 'job_profiles' then deliveries.snapshot_date end)
            as job_profiles_as_of_date,
        max(case when deliveries.extract_name = 'org_units' then deliveries.snapshot_date end)
            as org_units_as_of_date,
        max(case when deliveries.extract_name = 'worker_skills' then deliveries.snapshot_date end)
            as worker_skills_as_of_date

    from snapshot_dates
    inner join deliveries
        on snapshot_dates.snapshot_date >= deliveries.snapshot_date
    group by snapshot_dates.snapshot_date

)

select * from mapped
