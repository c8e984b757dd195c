"""Real FOCUS data: the 1,000-row FOCUS 1.0 sample loads with every row accounted for.

The sample is `FOCUS-1.0/focus_sample.csv` of FinOps-Open-Cost-and-Usage-Spec/FOCUS-Sample-Data
(commit adbdd17), CC BY 4.0, copied unchanged with its licence into tests/fixtures/focus-1.0-sample/.
Expected figures are computed from the file with Python's csv module and Decimal, not by the loader.
"""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal

from readiness import focus, ops
from readiness.config import Settings
from readiness.contracts import CLOUD_COSTS
from readiness.ingest import load_extract
from readiness.validate import validate_extract
from tests.conftest import REPO_ROOT

SAMPLE = REPO_ROOT / "tests" / "fixtures" / "focus-1.0-sample" / "focus_sample.csv"
AI = "AI and Machine Learning"


def _ai_spend_from_the_file() -> tuple[int, Decimal]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["ServiceCategory"] == AI]
    return len(rows), sum((Decimal(r["EffectiveCost"]) for r in rows), Decimal(0))


def test_the_real_sample_loads_every_row_and_its_ai_spend_matches_the_file(settings: Settings) -> None:
    folder = settings.landing_dir / "finance" / "cloud_costs"
    folder.mkdir(parents=True)
    shutil.copyfile(SAMPLE, folder / "cloud_costs_2024-09-30.csv")

    report = load_extract(settings, CLOUD_COSTS)
    validate_extract(settings, CLOUD_COSTS)

    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        data_rows = sum(1 for _ in csv.DictReader(handle))
    outcome = report.files[0]
    assert data_rows == 1000
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (1000, 1000, 0)
    # Only the sample's own `Id` column is neither FOCUS 1.0-1.2 nor an x_ extension.
    assert outcome.message == "unknown columns ignored: Id"
    ai_rows, ai_spend = _ai_spend_from_the_file()
    with ops.connect(settings.ingest_db, read_only=True) as con:
        loaded = con.execute(
            'select count(*), sum("EffectiveCost") from raw.finance__cloud_costs where "ServiceCategory" = ?', [AI]
        ).fetchone()
        nulls = con.execute(
            "select count(*) from raw.finance__cloud_costs where \"ChargeClass\" = 'NULL' or \"Tags\" = 'NULL'"
        ).fetchone()
        status = con.execute("select status from ops.load_manifest").fetchone()
    assert ai_rows == 9
    assert loaded == (ai_rows, ai_spend)
    assert nulls == (0,), "the literal NULL is read as null"
    assert status == ("loaded",)


def test_standard_focus_columns_of_every_version_and_x_columns_are_expected() -> None:
    header = SAMPLE.read_text(encoding="utf-8").split("\n", 1)[0].replace('"', "").split(",")
    assert [h for h in header if not focus.is_expected_column(h)] == ["Id"]
    for name in ("ServiceSubcategory", "SkuMeter", "BillingAccountType", "InvoiceId", "x_CostCenter", " tags "):
        assert focus.is_expected_column(name)
    assert not focus.is_expected_column("CostCentre")


def test_tags_without_braces_become_a_json_object_and_other_text_is_left_for_quarantine() -> None:
    assert focus.normalise_tags('"CostCenter": "1234","env": "prod"') == '{"CostCenter": "1234","env": "prod"}'
    assert focus.normalise_tags('{" org": "ai"}') == '{" org": "ai"}'
    assert focus.normalise_tags("CostCenter=1234") == "CostCenter=1234"
    assert focus.normalise_tags(None) is None
