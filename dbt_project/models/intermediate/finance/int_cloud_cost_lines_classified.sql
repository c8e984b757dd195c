{#- Every cloud cost line with the first cloud cost rule (seed cloud_cost_rules, lowest priority number first)
    that matches it: a rule matches when each of its non-empty conditions holds (service_category,
    service_name, tag key and value; compared trimmed and case-insensitively). The rule says whether the
    line is AI adoption spend (is_in_scope) and its category; a line no rule matches is out of scope.
    In-scope lines without a category or a cost centre tag get `unallocated`. Nothing is dropped: out-of-scope
    lines stay here with is_in_scope false and are counted in int_cloud_cost_lines_out_of_scope_counted.
    Incremental (macros/readiness_incremental.sql): a night classifies the lines of the billing accounts and
    periods its new loads restated, and replaces those partitions. A change of the rules seed needs
    `--full-refresh`. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['billing_account_id', 'billing_period_start_at'],
) }}
with

cloud_costs as (

    select *
    from {{ readiness_changed_rows(
        ref('stg_finance__cloud_costs'), ['billing_account_id', 'billing_period_start_at']
    ) }}

),

cloud_cost_tags as (

    select * from {{ ref('int_cloud_cost_tags_unpacked') }}

),

cloud_cost_rules as (

    select * from {{ ref('cloud_cost_rules') }}

),

rules as (

    select
        priority,
        lower(trim(coalesce(service_category, ''))) as service_category_match,
        lower(trim(coalesce(service_name, ''))) as service_name_match,
        {{ finance_normalise_tag_key("coalesce(tag_key, '')") }} as tag_key_match,
        lower(trim(coalesce(tag_value, ''))) as tag_value_match,
        nullif(lower(trim(category)), '') as category,
        coalesce(is_in_scope, false) as is_in_scope

    from cloud_cost_rules

),

rule_matches as (

    select
        cloud_costs.cloud_cost_line_id,
        rules.priority,
        rules.category,
        rules.is_in_scope

    from cloud_costs
    inner join rules
        on
            (
                rules.service_category_match = ''
                or rules.service_category_match = lower(trim(cloud_costs.service_category))
            )
            and (
                rules.service_name_match = ''
                or rules.service_name_match = lower(trim(cloud_costs.service_name))
            )
    left join cloud_cost_tags
        on
            rules.tag_key_match <> ''
            and cloud_costs.cloud_cost_line_id = cloud_cost_tags.cloud_cost_line_id
            and rules.tag_key_match = cloud_cost_tags.tag_key_normalised
            and (rules.tag_value_match = '' or rules.tag_value_match = cloud_cost_tags.tag_value_normalised)
    where rules.tag_key_match = '' or cloud_cost_tags.cloud_cost_line_id is not null

),

first_matches as (

    select
        cloud_cost_line_id,
        priority,
        category,
        is_in_scope,
        row_number() over (partition by cloud_cost_line_id order by priority) as match_rank

    from rule_matches

),

classified as (

    select
        cloud_costs.cloud_cost_line_id,
        cloud_costs.billing_account_id,
        cloud_costs.sub_account_id,
        cloud_costs.resource_id,
        coalesce(cloud_costs.cost_center_id, 'unallocated') as cost_center_id,
        case
            when coalesce(first_matches.is_in_scope, false)
                then coalesce(first_matches.category, 'unallocated')
        end as category,
        cloud_costs.billing_currency,
        cloud_costs.provider_name,
        cloud_costs.service_category,
        cloud_costs.service_name,
        cloud_costs.charge_category,
        cloud_costs.billed_cost,
        cloud_costs.effective_cost,
        first_matches.priority as matched_rule_priority,
        coalesce(first_matches.is_in_scope, false) as is_in_scope,
        cloud_costs.cost_center_id is not null as has_cost_center_tag,
        cloud_costs.charge_date,
        {{ finance_fiscal_year('cloud_costs.charge_date') }} as fiscal_year,
        {{ finance_fiscal_quarter('cloud_costs.charge_date') }} as fiscal_quarter,
        cloud_costs.billing_period_start_at,
        cloud_costs.charge_period_start_at,
        cloud_costs.load_id,
        cloud_costs.loaded_at

    from cloud_costs
    left join first_matches
        on
            cloud_costs.cloud_cost_line_id = first_matches.cloud_cost_line_id
            and first_matches.match_rank = 1

)

select * from classified
