{#- The pulse survey's responses, each once (docs/extracts.md: events; a form export is cumulative, so a
    response delivered again keeps its first load). Anonymous by contract: no column identifies the respondent
    (the loader rejects an export that carries one). The wave is the calendar month of submission. -#}
with

source as (

    {{ deliveries_in_force('survey', 'survey__pulse_responses', normalise={
        'org_unit_id': 'trim(org_unit_id)',
    }) }}

),

renamed as (

    select
        -- ids
        response_id,
        org_unit_id,

        -- strings
        audience,
        concern_category,

        -- numerics (Likert 1 strongly disagree .. 5 strongly agree)
        cast(confidence as integer) as confidence,
        cast(job_impact_concern as integer) as job_impact_concern,
        cast(training_interest as integer) as training_interest,
        cast(output_trust as integer) as output_trust,

        -- dates
        submitted_date,
        cast({{ dbt.date_trunc('month', 'submitted_date') }} as date) as wave_month,

        -- load metadata
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
