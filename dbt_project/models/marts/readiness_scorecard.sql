{#- One row per HR snapshot and org unit (rolled up through the tree) with at least one worker in the
    workforce: skills coverage overall and per audience, training completion, AI spend and budget of the
    unit's cost centres, the spend per skill gap closed and the readiness score with its change against
    the previous snapshot. The rules and the score formula are in _people__docs.md (readiness_scorecard).
    Suppression is decided on the unit's workforce (the population the row describes); an audience's
    coverage also on that audience's workers in the unit, the population that figure describes. -#}
-- The finance lines are used only after int_finance_lines_without_fx_rate's test passed, as budget_vs_spend.
-- depends_on: {{ ref('int_finance_lines_without_fx_rate') }}
{#- Without an LMS (READINESS_SOURCES) there is no training to weigh: the score is coverage alone, rather
    than coverage scaled down by a completion rate nobody could have. Without finance the money is unknown,
    not zero: its columns are null. -#}
{%- set coverage_weight = var('readiness_coverage_weight') if readiness_source_enabled('lms') else 1 %}
{%- set finance = readiness_source_enabled('finance') %}
{%- set ai_spend_ytd = 'scored.ai_spend_ytd' if finance else 'null' %}
{%- set budget_ytd = 'scored.budget_ytd' if finance else 'null' %}
{%- set spend_per_gap = 'scored.spend_per_skill_gap_closed' if finance else 'null' %}
with

snapshot_dates as (

    select * from {{ ref('int_hr_snapshot_dates_mapped') }}

),

workforce_rolled_up as (

    select * from {{ ref('int_workforce_rolled_up') }}

),

audience_populations as (

    select * from {{ ref('int_org_unit_populations') }}

),

requirements as (

    select * from {{ ref('int_skill_requirements_assessed') }}

),

org_unit_descendants as (

    select * from {{ ref('int_org_unit_descendants_listed') }}

),

org_units as (

    select * from {{ ref('int_org_units_aligned_to_snapshots') }}

),

enrolments as (

    select * from {{ ref('int_enrolments_derived') }}

),

finance_lines as (

    select * from {{ ref('int_finance_lines_converted') }}

),

finance_year_to_date as (

    select * from {{ ref('int_finance_year_to_date') }}

),

snapshots as (

    select
        snapshot_date,
        lag(snapshot_date) over (order by snapshot_date) as previous_snapshot_date,
        {{ finance_fiscal_year('snapshot_date') }} as fiscal_year,
        {{ finance_fiscal_quarter('snapshot_date') }} as fiscal_quarter

    from snapshot_dates

),

fiscal_snapshots as (

    select
        *,
        {{ finance_fiscal_quarter_start_date('fiscal_year', 'fiscal_quarter') }} as fiscal_quarter_start_date

    from snapshots

),

populations as (

    -- a worker has one audience per snapshot: the unit's headcount is the sum over its audiences
    select
        snapshot_date,
        org_unit_id,
        sum(headcount) as headcount,
        coalesce(sum(case when audience = 'leadership' then headcount end), 0) as leadership_headcount,
        coalesce(sum(case when audience = 'tech_specialist' then headcount end), 0)
            as tech_specialist_headcount,
        coalesce(sum(case when audience = 'end_user' then headcount end), 0) as end_user_headcount

    from audience_populations
    group by snapshot_date, org_unit_id

),

coverage as (

    select
        workforce_rolled_up.snapshot_date,
        workforce_rolled_up.org_unit_id,
        count(*) as required_pairs,
        count(case when requirements.is_met then 1 end) as met_pairs,
        count(case when requirements.audience = 'leadership' then 1 end) as leadership_required_pairs,
        count(case when requirements.audience = 'leadership' and requirements.is_met then 1 end)
            as leadership_met_pairs,
        count(case when requirements.audience = 'tech_specialist' then 1 end) as tech_required_pairs,
        count(case when requirements.audience = 'tech_specialist' and requirements.is_met then 1 end)
            as tech_met_pairs,
        count(case when requirements.audience = 'end_user' then 1 end) as end_user_required_pairs,
        count(case when requirements.audience = 'end_user' and requirements.is_met then 1 end)
            as end_user_met_pairs

    from requirements
    inner join workforce_rolled_up
        on
            requirements.snapshot_date = workforce_rolled_up.snapshot_date
            and requirements.worker_id = workforce_rolled_up.worker_id
    group by workforce_rolled_up.snapshot_date, workforce_rolled_up.org_unit_id

),

training as (

    -- (worker, item) pairs of the unit's workforce enrolled, and completed, on or before the snapshot date;
    -- a pair withdrawn (without completing) by then is no longer in the denominator
    select
        workforce_rolled_up.snapshot_date,
        workforce_rolled_up.org_unit_id,
        count(
            case
                when
                    enrolments.withdrawn_at is null
                    or cast(enrolments.withdrawn_at as date) > workforce_rolled_up.snapshot_date
                    then 1
            end
        ) as enrolled_pairs,
        count(case when cast(enrolments.completed_at as date) <= workforce_rolled_up.snapshot_date then 1 end)
            as completed_pairs

    from workforce_rolled_up
    inner join enrolments
        on
            workforce_rolled_up.worker_id = enrolments.worker_id
            and cast(enrolments.enrolled_at as date) <= workforce_rolled_up.snapshot_date
    group by workforce_rolled_up.snapshot_date, workforce_rolled_up.org_unit_id

),

gaps_closed as (

    -- requirements of a worker not met at the previous snapshot and met at this one
    select
        fiscal_snapshots.snapshot_date,
        workforce_rolled_up.org_unit_id,
        count(*) as skill_gaps_closed

    from fiscal_snapshots
    inner join requirements
        on fiscal_snapshots.snapshot_date = requirements.snapshot_date
    inner join requirements as previous_requirements
        on
            fiscal_snapshots.previous_snapshot_date = previous_requirements.snapshot_date
            and requirements.worker_id = previous_requirements.worker_id
            and requirements.skill_id = previous_requirements.skill_id
    inner join workforce_rolled_up
        on
            requirements.snapshot_date = workforce_rolled_up.snapshot_date
            and requirements.worker_id = workforce_rolled_up.worker_id
    where requirements.is_met and not previous_requirements.is_met
    group by fiscal_snapshots.snapshot_date, workforce_rolled_up.org_unit_id

),

unit_cost_centers as (

    -- the cost centres of a unit and of the units below it, each once, normalised as finance codes are
    select distinct
        org_unit_descendants.snapshot_date,
        org_unit_descendants.org_unit_id,
        {{ finance_normalise_code('org_units.cost_center_id') }} as cost_center_id

    from org_unit_descendants
    inner join org_units
        on
            org_unit_descendants.snapshot_date = org_units.snapshot_date
            and org_unit_descendants.descendant_org_unit_id = org_units.org_unit_id

),

unit_snapshots as (

    -- the unit's cost centres with the snapshot's fiscal period, for the money figures below
    select
        unit_cost_centers.org_unit_id,
        unit_cost_centers.cost_center_id,
        fiscal_snapshots.*

    from unit_cost_centers
    inner join fiscal_snapshots
        on unit_cost_centers.snapshot_date = fiscal_snapshots.snapshot_date

),

year_to_date as (

    -- budget and spend year to date at the snapshot's fiscal quarter (int_finance_year_to_date); the spend
    -- of the quarters before it, as that quarter's own spend is counted to the snapshot date only
    select
        unit_snapshots.snapshot_date,
        unit_snapshots.org_unit_id,
        sum(finance_year_to_date.ytd_budget_amount_unrounded) as budget_ytd,
        sum(
            finance_year_to_date.ytd_actual_amount_unrounded - finance_year_to_date.actual_amount_unrounded
        ) as ai_spend_before_quarter

    from unit_snapshots
    inner join finance_year_to_date
        on
            unit_snapshots.cost_center_id = finance_year_to_date.cost_center_id
            and unit_snapshots.fiscal_year = finance_year_to_date.fiscal_year
            and unit_snapshots.fiscal_quarter = finance_year_to_date.fiscal_quarter
    group by unit_snapshots.snapshot_date, unit_snapshots.org_unit_id

),

recent_spend as (

    -- spend of the snapshot's quarter up to the snapshot date, and since the previous snapshot
    select
        unit_snapshots.snapshot_date,
        unit_snapshots.org_unit_id,
        sum(
            case
                when finance_lines.conversion_date >= unit_snapshots.fiscal_quarter_start_date
                    then finance_lines.reporting_amount
            end
        ) as ai_spend_quarter_to_date,
        sum(
            case
                when finance_lines.conversion_date > unit_snapshots.previous_snapshot_date
                    then finance_lines.reporting_amount
            end
        ) as ai_spend_since_previous_snapshot

    from unit_snapshots
    inner join finance_lines
        on
            unit_snapshots.cost_center_id = finance_lines.cost_center_id
            and unit_snapshots.snapshot_date >= finance_lines.conversion_date
    where finance_lines.line_kind in ('gl', 'cloud')
    group by unit_snapshots.snapshot_date, unit_snapshots.org_unit_id

),

measured as (

    select
        populations.snapshot_date,
        fiscal_snapshots.previous_snapshot_date,
        populations.org_unit_id,
        populations.headcount,
        {{ people_is_suppressed('populations.headcount') }} as is_suppressed,
        {{ readiness_ratio('coverage.met_pairs', 'coverage.required_pairs') }} as coverage_pct,
        case
            when not {{ people_is_suppressed('populations.leadership_headcount') }}
                then {{ readiness_ratio(
                    'coverage.leadership_met_pairs', 'coverage.leadership_required_pairs'
                ) }}
        end as leadership_coverage_pct,
        case
            when not {{ people_is_suppressed('populations.tech_specialist_headcount') }}
                then {{ readiness_ratio('coverage.tech_met_pairs', 'coverage.tech_required_pairs') }}
        end as tech_specialist_coverage_pct,
        case
            when not {{ people_is_suppressed('populations.end_user_headcount') }}
                then {{ readiness_ratio('coverage.end_user_met_pairs', 'coverage.end_user_required_pairs') }}
        end as end_user_coverage_pct,
        {{ readiness_ratio('training.completed_pairs', 'training.enrolled_pairs') }}
            as training_completion_rate,
        round(
            coalesce(year_to_date.ai_spend_before_quarter, 0)
            + coalesce(recent_spend.ai_spend_quarter_to_date, 0),
            2
        ) as ai_spend_ytd,
        round(coalesce(year_to_date.budget_ytd, 0), 2) as budget_ytd,
        case
            when fiscal_snapshots.previous_snapshot_date is not null
                then coalesce(gaps_closed.skill_gaps_closed, 0)
        end as skill_gaps_closed,
        {{ readiness_round(readiness_ratio(
            'coalesce(recent_spend.ai_spend_since_previous_snapshot, 0)', 'gaps_closed.skill_gaps_closed'
        ), 2) }} as spend_per_skill_gap_closed

    from populations
    inner join fiscal_snapshots
        on populations.snapshot_date = fiscal_snapshots.snapshot_date
    left join coverage
        on
            populations.snapshot_date = coverage.snapshot_date
            and populations.org_unit_id = coverage.org_unit_id
    left join training
        on
            populations.snapshot_date = training.snapshot_date
            and populations.org_unit_id = training.org_unit_id
    left join gaps_closed
        on
            populations.snapshot_date = gaps_closed.snapshot_date
            and populations.org_unit_id = gaps_closed.org_unit_id
    left join year_to_date
        on
            populations.snapshot_date = year_to_date.snapshot_date
            and populations.org_unit_id = year_to_date.org_unit_id
    left join recent_spend
        on
            populations.snapshot_date = recent_spend.snapshot_date
            and populations.org_unit_id = recent_spend.org_unit_id

),

scored as (

    select
        *,
        case
            when not is_suppressed
                then {{ readiness_round(
                    "100 * (" ~ coverage_weight ~ " * coverage_pct + (1 - "
                    ~ coverage_weight ~ ") * coalesce(training_completion_rate, 0))",
                    1
                ) }}
        end as readiness_score

    from measured

),

final as (

    select
        scored.snapshot_date,
        cast(scored.org_unit_id as varchar) as org_unit_id,
        cast(org_units.org_unit_name as varchar) as org_unit_name,
        cast({{ people_suppressed('scored.headcount', 'scored.headcount') }} as integer) as headcount,
        cast({{ people_suppressed('scored.coverage_pct', 'scored.headcount') }} as float8) as coverage_pct,
        cast({{ people_suppressed('scored.leadership_coverage_pct', 'scored.headcount') }} as float8)
            as leadership_coverage_pct,
        cast({{ people_suppressed('scored.tech_specialist_coverage_pct', 'scored.headcount') }} as float8)
            as tech_specialist_coverage_pct,
        cast({{ people_suppressed('scored.end_user_coverage_pct', 'scored.headcount') }} as float8)
            as end_user_coverage_pct,
        cast({{ people_suppressed('scored.training_completion_rate', 'scored.headcount') }} as float8)
            as training_completion_rate,
        cast({{ people_suppressed(ai_spend_ytd, 'scored.headcount') }} as decimal(18, 2))
            as ai_spend_ytd,
        cast({{ people_suppressed(budget_ytd, 'scored.headcount') }} as decimal(18, 2))
            as budget_ytd,
        cast({{ people_suppressed('scored.skill_gaps_closed', 'scored.headcount') }} as integer)
            as skill_gaps_closed,
        cast(
            {{ people_suppressed(spend_per_gap, 'scored.headcount') }} as decimal(18, 2)
        ) as spend_per_skill_gap_closed,
        cast(scored.readiness_score as float8) as readiness_score,
        cast({{ readiness_round('scored.readiness_score - previous_scores.readiness_score', 1) }} as float8)
            as readiness_score_change,
        scored.is_suppressed,
        scored.previous_snapshot_date,
        cast('{{ var("reporting_currency") }}' as varchar) as currency,
        coalesce(org_units.is_root, false) as is_root

    from scored
    left join scored as previous_scores
        on
            scored.previous_snapshot_date = previous_scores.snapshot_date
            and scored.org_unit_id = previous_scores.org_unit_id
    left join org_units
        on
            scored.snapshot_date = org_units.snapshot_date
            and scored.org_unit_id = org_units.org_unit_id

)

select * from final
