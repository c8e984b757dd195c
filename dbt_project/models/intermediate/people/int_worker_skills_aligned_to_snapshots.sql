{#- The worker skills extract's state on every HR snapshot date: its latest delivery on or before the
    date (int_hr_snapshot_dates_mapped). -#}
with

snapshot_dates as (

    select * from {{ ref('int_hr_snapshot_dates_mapped') }}

),

worker_skills as (

    select * from {{ ref('stg_hr__worker_skills') }}

),

aligned as (

    select
        snapshot_dates.snapshot_date,
        worker_skills.worker_id,
        worker_skills.skill_id,
        worker_skills.evidence,
        worker_skills.proficiency,
        worker_skills.assessed_date,
        worker_skills.expires_date,
        worker_skills.snapshot_date as delivered_as_of_date

    from snapshot_dates
    inner join worker_skills
        on snapshot_dates.worker_skills_as_of_date = worker_skills.snapshot_date

)

select * from aligned
