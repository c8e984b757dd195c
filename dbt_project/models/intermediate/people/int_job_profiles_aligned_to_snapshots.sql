{#- The job profiles extract's state on every HR snapshot date: its latest delivery on or before the
    date (int_hr_snapshot_dates_mapped). -#}
with

snapshot_dates as (

    select * from {{ ref('int_hr_snapshot_dates_mapped') }}

),

job_profiles as (

    select * from {{ ref('stg_hr__job_profiles') }}

),

aligned as (

    select
        snapshot_dates.snapshot_date,
        job_profiles.job_profile_id,
        job_profiles.job_title,
        job_profiles.job_family,
        job_profiles.management_level,
        job_profiles.snapshot_date as delivered_as_of_date

    from snapshot_dates
    inner join job_profiles
        on snapshot_dates.job_profiles_as_of_date = job_profiles.snapshot_date

)

select * from aligned
