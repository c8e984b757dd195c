{#- The workforce at every HR snapshot, with the worker's job family and audience.
    In the workforce (docs/marts.md): status Active or Leave, hired on or before the snapshot date and no
    termination date on or before it; terminated workers count nowhere.
    Audience (audience_rules seed), in this order: a management_level rule first (leadership), then a
    job_family rule (tech_specialist), otherwise end_user. -#}
with

workers as (

    select * from {{ ref('int_workers_aligned_to_snapshots') }}

),

job_profiles as (

    select * from {{ ref('int_job_profiles_aligned_to_snapshots') }}

),

audience_rules as (

    select * from {{ ref('audience_rules') }}

),

in_workforce as (

    select *
    from workers
    where
        worker_status in ('Active', 'Leave')
        and hired_date <= snapshot_date
        and (terminated_date is null or terminated_date > snapshot_date)

),

classified as (

    select
        in_workforce.snapshot_date,
        in_workforce.worker_id,
        in_workforce.org_unit_id,
        in_workforce.cost_center_id,
        in_workforce.job_profile_id,
        job_profiles.job_family,
        job_profiles.management_level,
        in_workforce.worker_status,
        in_workforce.fte,
        in_workforce.hired_date,
        coalesce(level_rules.audience, family_rules.audience, 'end_user') as audience,
        in_workforce.worker_status = 'Leave' as is_on_leave

    from in_workforce
    left join job_profiles
        on
            in_workforce.snapshot_date = job_profiles.snapshot_date
            and in_workforce.job_profile_id = job_profiles.job_profile_id
    left join audience_rules as level_rules
        on
            level_rules.match_column = 'management_level'
            and job_profiles.management_level = level_rules.match_value
    left join audience_rules as family_rules
        on
            family_rules.match_column = 'job_family'
            and job_profiles.job_family = family_rules.match_value

)

select * from classified
