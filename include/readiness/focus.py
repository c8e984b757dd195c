"""FinOps FOCUS: the standard columns of versions 1.0, 1.1 and 1.2, and the tag shapes exports write.

The cloud cost contract loads the columns the marts need; every other standard FOCUS column and every
provider extension (``x_`` prefix, e.g. Azure's ``x_CostCenter``) is expected in a delivery and ignored
without a warning. Only a column that is neither is reported as unknown: that is the sign of a wrong
file or a renamed column. Column lists from FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec
``specification/columns/*.md`` of each version.
"""

from __future__ import annotations

import json

FOCUS_1_0_COLUMNS = frozenset(
    {
        "AvailabilityZone",
        "BilledCost",
        "BillingAccountId",
        "BillingAccountName",
        "BillingCurrency",
        "BillingPeriodEnd",
        "BillingPeriodStart",
        "ChargeCategory",
        "ChargeClass",
        "ChargeDescription",
        "ChargeFrequency",
        "ChargePeriodEnd",
        "ChargePeriodStart",
        "CommitmentDiscountCategory",
        "CommitmentDiscountId",
        "CommitmentDiscountName",
        "CommitmentDiscountStatus",
        "CommitmentDiscountType",
        "ConsumedQuantity",
        "ConsumedUnit",
        "ContractedCost",
        "ContractedUnitPrice",
        "EffectiveCost",
        "InvoiceIssuerName",
        "ListCost",
        "ListUnitPrice",
        "PricingCategory",
        "PricingQuantity",
        "PricingUnit",
        "ProviderName",
        "PublisherName",
        "RegionId",
        "RegionName",
        "ResourceId",
        "ResourceName",
        "ResourceType",
        "ServiceCategory",
        "ServiceName",
        "SkuId",
        "SkuPriceId",
        "SubAccountId",
        "SubAccountName",
        "Tags",
    }
)
FOCUS_1_1_COLUMNS = FOCUS_1_0_COLUMNS | {
    "CapacityReservationId",
    "CapacityReservationStatus",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountUnit",
    "ServiceSubcategory",
    "SkuMeter",
    "SkuPriceDetails",
}
FOCUS_1_2_COLUMNS = FOCUS_1_1_COLUMNS | {
    "BillingAccountType",
    "InvoiceId",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
    "SubAccountType",
}
#: Every column any supported FOCUS version defines, lower-cased as headers are matched.
STANDARD_COLUMNS = frozenset(name.lower() for name in FOCUS_1_2_COLUMNS)


def is_expected_column(name: str) -> bool:
    """A standard FOCUS column (any supported version) or a provider extension column."""
    norm = name.strip().lower()
    return norm in STANDARD_COLUMNS or norm.startswith("x_")


def normalise_tags(value: str | None) -> str | None:
    """Tags as a JSON object; Azure EA exports write the members without the braces.

    Keys stay as delivered (``' org'`` with its space): trimming them is the staging model's job, where
    the rule is visible in SQL. A value that is not JSON either way is returned unchanged and the
    contract's json_object rule quarantines the row.
    """
    if value is None:
        return None
    text = value.strip()
    if text.startswith("{"):
        return value
    try:
        json.loads("{" + text + "}")
    except json.JSONDecodeError:
        return value
    return "{" + text + "}"
