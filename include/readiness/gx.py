"""Great Expectations plumbing shared by every stage that validates a frame: deliveries and marts.

One ephemeral context per process, one way to run a suite on a pandas frame, and one way to turn
GX's results into failures an operator can read. The suites themselves belong to their stages
(``validate`` derives them from the contracts, ``audit`` from the dbt manifest).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from readiness.config import disable_telemetry

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import great_expectations as gx
    import pandas as pd

#: Failing values quoted in a failure, enough to recognise the problem without flooding the log.
SAMPLE_SIZE = 5
#: Rows in one pandas frame for GX: a validation's memory is bounded by this, not by the delivery or the mart.
BATCH_ROWS = 200_000


@dataclass(frozen=True)
class Failure:
    expectation: str
    column: str
    unexpected_count: int | None
    sample: list[Any]

    def describe(self) -> str:
        count = f"{self.unexpected_count} unexpected value(s)" if self.unexpected_count is not None else "failed"
        where = f" on {self.column}" if self.column else ""
        sample = f", e.g. {self.sample}" if self.sample else ""
        return f"{self.expectation}{where}: {count}{sample}"


@functools.cache
def context() -> gx.data_context.EphemeralDataContext:
    """One ephemeral context per process: nothing is written to disk and nothing is sent anywhere."""
    disable_telemetry()
    # GX logs every API it registers at import; that is noise in a task log.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


def new_suite(name: str) -> tuple[gx.ExpectationSuite, Any]:
    """An empty suite and the module of expectation classes to fill it with."""
    context()  # GX builds suites inside an active context
    import great_expectations as gx

    return gx.ExpectationSuite(name=name), gx.expectations


def run_suite(datasource_name: str, suite: gx.ExpectationSuite, frame: pd.DataFrame) -> tuple[int, list[Failure]]:
    """Validate ``frame`` against ``suite``; returns (expectations run, failures)."""
    ctx = context()
    datasource = ctx.data_sources.add_or_update_pandas(datasource_name)
    asset = datasource.add_dataframe_asset(name=f"batch_{len(datasource.assets)}")
    batch = asset.add_batch_definition_whole_dataframe("frame").get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(ctx.suites.add_or_update(suite))
    return len(result.results), [_failure(outcome) for outcome in result.results if not outcome.success]


def added_up(results: list[tuple[int, list[Failure]]]) -> tuple[int, list[Failure]]:
    """One suite's results over several batches as one: counts summed, the first values kept as the sample."""
    merged: dict[tuple[str, str], Failure] = {}
    for _, failures in results:
        for failure in failures:
            key = (failure.expectation, failure.column)
            seen = merged.get(key)
            if seen is None:
                merged[key] = failure
                continue
            counts = [c for c in (seen.unexpected_count, failure.unexpected_count) if c is not None]
            sample = (seen.sample + [v for v in failure.sample if v not in seen.sample])[:SAMPLE_SIZE]
            merged[key] = Failure(failure.expectation, failure.column, sum(counts) if counts else None, sample)
    return (results[0][0] if results else 0), list(merged.values())


def run_suite_in_batches(
    datasource_name: str,
    suite: gx.ExpectationSuite,
    frames: Iterable[pd.DataFrame],
    empty: Callable[[], pd.DataFrame],
) -> tuple[int, int, list[Failure]]:
    """(rows, expectations run, failures) of a row-wise ``suite`` run on each frame and added up; on ``empty()``
    when there is no frame at all, so that the row-count expectation says so."""
    rows, results = 0, []
    for frame in frames:
        rows += len(frame)
        results.append(run_suite(datasource_name, suite, frame))
    if not results:
        results.append(run_suite(datasource_name, suite, empty()))
    count, failures = added_up(results)
    return rows, count, failures


def _failure(outcome: Any) -> Failure:
    kwargs = outcome.expectation_config.kwargs
    details = outcome.result or {}
    column = (
        kwargs.get("column")
        or ", ".join(kwargs.get("column_list") or [])
        or (f"{kwargs.get('column_A')} >= {kwargs.get('column_B')}" if "column_A" in kwargs else "")
    )
    info = outcome.exception_info
    exception = info.get("exception_message") if isinstance(info, dict) else None
    sample = [exception] if exception else list(details.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]
    return Failure(
        outcome.expectation_config.type, str(column), details.get("unexpected_count"), [plain(v) for v in sample]
    )


def plain(value: Any) -> Any:
    """Sample values as an operator reads them (no numpy or Timestamp reprs)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value
