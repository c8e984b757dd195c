"""One installation for the security tests: building it publishes twice (two audits), so it is built once."""

from __future__ import annotations

import os

import pytest

from tests.security.installation import Installation, build_installation


@pytest.fixture(scope="session")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Installation:
    """Built from the loosest umask, so every mode the tests see comes from the pipeline itself; the
    environment it was built in is restored before any test runs (tests use its ``settings``)."""
    previous = os.umask(0o000)
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            return build_installation(tmp_path_factory.mktemp("security") / "data", monkeypatch)
    finally:
        os.umask(previous)
