{#- Generated from include/readiness/contracts.py by `readiness dbt-sources`: do not edit by hand.
    How the deliveries of every raw table combine (docs/extracts.md), by `source.table`: the values the source
    YAML carries in `meta`, and the contract's columns, for the macro deliveries_in_force (dbt's graph, where
    the source YAML is, is empty inside unit tests). -#}
{% macro readiness_delivery_semantics() -%}
    {{ return({
        "hr.hr__org_units": {"semantics": "snapshot_series", "key": ["org_unit_id"], "partition": [], "columns": ["org_unit_id", "org_unit_name", "parent_org_unit_id", "org_unit_type", "cost_center_id", "is_ai_ccoe"]},
        "hr.hr__job_profiles": {"semantics": "snapshot_series", "key": ["job_profile_id"], "partition": [], "columns": ["job_profile_id", "job_title", "job_family", "management_level"]},
        "hr.hr__workers": {"semantics": "snapshot_series", "key": ["worker_id"], "partition": [], "columns": ["worker_id", "first_name", "last_name", "work_email", "job_profile_id", "org_unit_id", "cost_center_id", "manager_worker_id", "country_code", "hire_date", "termination_date", "worker_status", "fte"]},
        "hr.hr__worker_skills": {"semantics": "snapshot_series", "key": ["worker_id", "skill_id"], "partition": [], "columns": ["worker_id", "skill_id", "proficiency", "evidence", "assessed_date", "expires_date"]},
        "lms.lms__catalog": {"semantics": "full_replacement", "key": ["uid"], "partition": [], "columns": ["uid", "item_type", "title", "summary", "levels", "roles", "products", "modules", "duration_in_minutes", "url"]},
        "lms.lms__statements": {"semantics": "events", "key": ["id"], "partition": [], "columns": ["id", "actor_mbox", "actor_mbox_sha1sum", "actor_account_home_page", "actor_account_name", "verb_id", "object_id", "object_type", "result_completion", "result_success", "result_score_scaled", "result_duration", "timestamp", "stored"]},
        "lms.lms__course_activity": {"semantics": "full_replacement", "key": ["learnerUserId", "learningContentId"], "partition": [], "columns": ["learnerUserId", "learningContentId", "completionPercentage", "assignedDateTime", "startedDateTime", "completedDateTime", "status"]},
        "finance.finance__budget": {"semantics": "versioned", "key": ["budget_version", "fiscal_year", "fiscal_quarter", "cost_center_id", "category"], "partition": [], "columns": ["budget_version", "fiscal_year", "fiscal_quarter", "cost_center_id", "category", "amount", "currency", "approved_date"]},
        "finance.finance__gl_actuals": {"semantics": "upsert", "key": ["journal_id", "line_number"], "partition": [], "columns": ["journal_id", "line_number", "posting_date", "cost_center_id", "gl_account", "vendor_name", "description", "amount", "currency", "project_code"]},
        "finance.finance__cloud_costs": {"semantics": "restated", "key": [], "partition": ["BillingAccountId", "BillingPeriodStart"], "columns": ["BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ChargeClass", "ChargeDescription", "BilledCost", "EffectiveCost", "ListCost", "ServiceCategory", "ServiceName", "ProviderName", "SubAccountId", "SubAccountName", "ResourceId", "RegionId", "Tags"]},
        "finance.finance__fx_rates": {"semantics": "upsert", "key": ["rate_date", "from_currency", "to_currency"], "partition": [], "columns": ["rate_date", "from_currency", "to_currency", "rate"]},
        "survey.survey__pulse_responses": {"semantics": "events", "key": ["response_id"], "partition": [], "columns": ["response_id", "submitted_date", "org_unit_id", "audience", "confidence", "job_impact_concern", "training_interest", "output_trust", "concern_category"]},
    }) }}
{%- endmacro %}
