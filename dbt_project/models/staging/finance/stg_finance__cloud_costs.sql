-- FOCUS cost lines. Providers restate costs (restated: the latest load of a billing account and billing
-- period replaces every line of the earlier loads of that partition). FOCUS names become snake_case; the
-- cost centre is read from the tags (see macros/finance_cloud_tags.sql) and the tags are kept whole for the
-- cost rules.
-- FOCUS columns keep their PascalCase names in raw: quoted, so that adapters that fold case find them.
-- Incremental (macros/readiness_incremental.sql): a night replaces the partitions its new loads delivered.
-- noqa: disable=RF06
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['billing_account_id', 'billing_period_start_at'],
) }}
with

source as (

    {{ deliveries_in_force('finance', 'finance__cloud_costs', incremental=true) }}

),

renamed as (

    select
        -- ids
        load_id || ':' || cast(source_line_number as varchar) as cloud_cost_line_id,
        "BillingAccountId" as billing_account_id,
        "SubAccountId" as sub_account_id,
        "ResourceId" as resource_id,
        "RegionId" as region_id,
        {{ finance_cost_center_from_tags('"Tags"') }} as cost_center_id,
        upper(trim("BillingCurrency")) as billing_currency,

        -- strings
        "BillingAccountName" as billing_account_name,
        "SubAccountName" as sub_account_name,
        "ProviderName" as provider_name,
        "ServiceCategory" as service_category,
        "ServiceName" as service_name,
        "ChargeCategory" as charge_category,
        "ChargeClass" as charge_class,
        "ChargeDescription" as charge_description,
        "Tags" as tags,

        -- numerics
        "BilledCost" as billed_cost,
        "EffectiveCost" as effective_cost,
        "ListCost" as list_cost,

        -- booleans
        (
            "Tags" is not null and {{ finance_tag_entries('"Tags"') }} is null
        ) as has_unreadable_tags,

        -- dates: ChargePeriodStart is stored in UTC, so its date is the UTC date of the charge
        cast("ChargePeriodStart" as date) as charge_date,

        -- timestamps (UTC)
        "BillingPeriodStart" as billing_period_start_at,
        "BillingPeriodEnd" as billing_period_end_at,
        "ChargePeriodStart" as charge_period_start_at,
        "ChargePeriodEnd" as charge_period_end_at,

        -- load metadata
        {{ delivery_metadata_columns() }}

    from source

)

select * from renamed
-- noqa: enable=RF06
