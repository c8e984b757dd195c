"""The installation the security tests read (tests/security), for the Superset that reads it too."""

from tests.security.conftest import installation

__all__ = ["installation"]
