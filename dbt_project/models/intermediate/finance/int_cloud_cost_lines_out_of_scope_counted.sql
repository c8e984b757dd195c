{#- Cloud cost lines that the cost rules leave out of scope (not AI adoption spend), counted and summed in
    their billing currency by fiscal quarter and service, so that what the marts leave out is shown, never
    silently dropped. -#}
with

cloud_cost_lines as (

    select * from {{ ref('int_cloud_cost_lines_classified') }}

),

out_of_scope as (

    select
        fiscal_year,
        fiscal_quarter,
        billing_currency,
        provider_name,
        service_category,
        service_name,
        count(*) as line_count,
        sum(effective_cost) as effective_cost,
        sum(billed_cost) as billed_cost,
        min(charge_date) as first_charge_date,
        max(charge_date) as last_charge_date

    from cloud_cost_lines
    where not is_in_scope
    group by
        fiscal_year,
        fiscal_quarter,
        billing_currency,
        provider_name,
        service_category,
        service_name

)

select * from out_of_scope
