{#- What people think of generative AI, per survey wave, org unit (rolled up the tree) and audience, and
    Likert question (docs/marts.md, sentiment_by_team; the rules are in _readiness__docs.md): the responses,
    the distribution of the answers, their mean and its change since the previous wave. The org tree is that
    of the latest HR snapshot; a response naming a unit the tree does not know counts under that unit id
    alone. Suppression is decided on the group's responses, the population the row describes. -#}
with

answers as (

    select * from {{ ref('int_survey_answers_unpivoted') }}

),

questions as (

    select * from {{ ref('survey_questions') }}

),

latest_snapshot as (

    select max(snapshot_date) as snapshot_date
    from {{ ref('int_org_units_aligned_to_snapshots') }}

),

org_unit_descendants as (

    select descendants.*
    from {{ ref('int_org_unit_descendants_listed') }} as descendants
    inner join latest_snapshot
        on descendants.snapshot_date = latest_snapshot.snapshot_date

),

org_units as (

    select units.*
    from {{ ref('int_org_units_aligned_to_snapshots') }} as units
    inner join latest_snapshot
        on units.snapshot_date = latest_snapshot.snapshot_date

),

unit_map as (

    -- each unit a response may name, and every unit whose figures include it
    select
        descendant_org_unit_id as response_org_unit_id,
        org_unit_id

    from org_unit_descendants

    union all

    select distinct
        answers.org_unit_id as response_org_unit_id,
        answers.org_unit_id

    from answers
    where answers.org_unit_id not in (
        select org_unit_descendants.descendant_org_unit_id from org_unit_descendants
    )

),

rolled_up as (

    select
        answers.wave_month,
        unit_map.org_unit_id,
        answers.audience,
        answers.question_id,
        answers.response_id,
        answers.answer,
        answers.concern_category

    from answers
    inner join unit_map
        on answers.org_unit_id = unit_map.response_org_unit_id

),

counted as (

    select
        wave_month,
        org_unit_id,
        audience,
        question_id,
        count(*) as response_count,
        count(*) filter (where answer = 1) as answer_1_count,
        count(*) filter (where answer = 2) as answer_2_count,
        count(*) filter (where answer = 3) as answer_3_count,
        count(*) filter (where answer = 4) as answer_4_count,
        count(*) filter (where answer = 5) as answer_5_count,
        avg(cast(answer as double precision)) as mean_score

    from rolled_up
    group by wave_month, org_unit_id, audience, question_id

),

concerns as (

    -- the concern named by most responses of the group (ties: alphabetical), the same for every question
    select
        wave_month,
        org_unit_id,
        audience,
        concern_category as top_concern_category,
        row_number() over (
            partition by wave_month, org_unit_id, audience
            order by count(*) desc, concern_category
        ) as concern_rank

    from (
        select distinct
            wave_month,
            org_unit_id,
            audience,
            response_id,
            concern_category
        from rolled_up
        where concern_category is not null
    ) as response_concerns
    group by wave_month, org_unit_id, audience, concern_category

),

measured as (

    select
        counted.*,
        {{ people_is_suppressed('counted.response_count') }} as is_suppressed,
        lag(counted.wave_month) over (
            partition by counted.org_unit_id, counted.audience, counted.question_id
            order by counted.wave_month
        ) as previous_wave_month

    from counted

),

compared as (

    select
        measured.*,
        case
            when not measured.is_suppressed and not previous.is_suppressed
                then measured.mean_score - previous.mean_score
        end as mean_score_change

    from measured
    left join measured as previous
        on
            measured.org_unit_id = previous.org_unit_id
            and measured.audience = previous.audience
            and measured.question_id = previous.question_id
            and measured.previous_wave_month = previous.wave_month

),

final as (

    select
        cast(compared.wave_month as date) as wave_month,
        cast(compared.org_unit_id as varchar) as org_unit_id,
        cast(org_units.org_unit_name as varchar) as org_unit_name,
        cast(compared.audience as varchar) as audience,
        cast(compared.question_id as varchar) as question_id,
        cast(questions.question_text as varchar) as question_text,
        cast(questions.agreement_is_favourable as boolean) as agreement_is_favourable,
        cast(
            {{ people_suppressed('compared.response_count', 'compared.response_count') }} as integer
        ) as response_count,
        cast(
            {{ people_suppressed('compared.answer_1_count', 'compared.response_count') }} as integer
        ) as answer_1_count,
        cast(
            {{ people_suppressed('compared.answer_2_count', 'compared.response_count') }} as integer
        ) as answer_2_count,
        cast(
            {{ people_suppressed('compared.answer_3_count', 'compared.response_count') }} as integer
        ) as answer_3_count,
        cast(
            {{ people_suppressed('compared.answer_4_count', 'compared.response_count') }} as integer
        ) as answer_4_count,
        cast(
            {{ people_suppressed('compared.answer_5_count', 'compared.response_count') }} as integer
        ) as answer_5_count,
        cast({{ people_suppressed(
            readiness_round('compared.mean_score', 2), 'compared.response_count'
        ) }} as float8) as mean_score,
        cast({{ people_suppressed(
            readiness_ratio('compared.answer_4_count + compared.answer_5_count', 'compared.response_count'),
            'compared.response_count'
        ) }} as float8) as agree_pct,
        cast({{ readiness_round('compared.mean_score_change', 2) }} as float8) as mean_score_change,
        cast(case when not compared.is_suppressed then concerns.top_concern_category end as varchar)
            as top_concern_category,
        cast(compared.previous_wave_month as date) as previous_wave_month,
        cast(compared.is_suppressed as boolean) as is_suppressed,
        coalesce(org_units.is_root, false) as is_root

    from compared
    left join org_units
        on compared.org_unit_id = org_units.org_unit_id
    left join questions
        on compared.question_id = questions.question_id
    left join concerns
        on
            compared.wave_month = concerns.wave_month
            and compared.org_unit_id = concerns.org_unit_id
            and compared.audience = concerns.audience
            and concerns.concern_rank = 1

)

select * from final
