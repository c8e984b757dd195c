{#- One row per survey response and Likert question: the answer columns of the export (the extract contract's
    Likert columns, listed in the seed survey_questions) turned into rows, so that every question is counted
    the same way. The seed's relationships test fails if it lists a question this list does not unpivot. -#}
{%- set questions = ['confidence', 'job_impact_concern', 'training_interest', 'output_trust'] -%}
with

responses as (

    select * from {{ ref('stg_survey__pulse_responses') }}

),

unpivoted as (

    {% for question in questions %}
        select
            response_id,
            wave_month,
            org_unit_id,
            audience,
            concern_category,
            '{{ question }}' as question_id,
            {{ question }} as answer

        from responses
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unpivoted
