{#- Every deduplicated xAPI statement with the worker its actor is (null where the actor matches no
    worker). An actor is matched, by the identifier the statement carries:
    account name = a worker_id of any HR snapshot; mbox e-mail = the work e-mail of any HR snapshot;
    mbox_sha1sum = sha1('mailto:' || work e-mail). An e-mail that belonged to different workers over
    time resolves to the worker holding it in the latest snapshot. E-mail addresses stop here:
    unmatched actors leave this model only as a keyed pseudonym (actor_key). -#}
with

statements as (

    select * from {{ ref('stg_lms__statements') }}

),

workers as (

    select * from {{ ref('stg_hr__workers') }}

),

worker_ids as (

    select distinct worker_id
    from workers

),

worker_emails_ranked as (

    select
        work_email,
        worker_id,
        row_number() over (
            partition by work_email
            order by delivery_as_of_date desc, worker_id asc
        ) as holder_rank

    from workers

),

worker_emails as (

    select
        work_email,
        worker_id,
        {{ people_sha1("'mailto:' || work_email") }} as mbox_sha1sum

    from worker_emails_ranked
    where holder_rank = 1

),

identified as (

    select
        statements.*,
        case
            when statements.actor_account_name is not null then 'account'
            when statements.actor_email is not null then 'mbox'
            when statements.actor_mbox_sha1sum is not null then 'mbox_sha1sum'
            else 'unknown'
        end as actor_type

    from statements

),

resolved as (

    select
        identified.statement_id,
        identified.actor_type,
        identified.verb,
        identified.verb_id,
        identified.object_id,
        identified.object_type,
        identified.is_complete,
        identified.is_success,
        identified.score_scaled,
        identified.result_duration,
        identified.duration_seconds,
        identified.occurred_at,
        identified.stored_at,
        identified.loaded_at,
        case identified.actor_type
            when 'account' then account_workers.worker_id
            when 'mbox' then email_workers.worker_id
            when 'mbox_sha1sum' then sha1_workers.worker_id
        end as worker_id,
        case identified.actor_type
            when 'account'
                then identified.actor_account_home_page || '|' || identified.actor_account_name
            when 'mbox' then {{ people_sha1("'mailto:' || identified.actor_email") }}
            when 'mbox_sha1sum' then identified.actor_mbox_sha1sum
        end as actor_identifier

    from identified
    left join worker_ids as account_workers
        on identified.actor_account_name = account_workers.worker_id
    left join worker_emails as email_workers
        on identified.actor_email = email_workers.work_email
    left join worker_emails as sha1_workers
        on identified.actor_mbox_sha1sum = sha1_workers.mbox_sha1sum

),

keyed as (

    select
        statement_id,
        worker_id,
        actor_type,
        -- a keyed pseudonym of the unmatched actor, so operators can count distinct actors
        case when worker_id is null then {{ pseudonymise('actor_identifier') }} end as actor_key,
        worker_id is not null as is_actor_matched,
        verb,
        verb_id,
        object_id,
        object_type,
        is_complete,
        is_success,
        score_scaled,
        result_duration,
        duration_seconds,
        occurred_at,
        stored_at,
        loaded_at

    from resolved

)

select * from keyed
