"""One native Superset for the tests of this folder (installing and provisioning it takes minutes), on the
installation the security tests read (tests/security): two nights published by the pipeline's own
functions, the hand-written marts of tests/marts_data.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.conftest import installation
from tests.security.installation import Installation
from tests.superset.harness import NativeSuperset

__all__ = ["installation", "superset"]


@pytest.fixture(scope="session")
def superset(installation: Installation, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeSuperset]:
    with NativeSuperset(tmp_path_factory.mktemp("superset"), installation.settings.published_db) as running:
        yield running
