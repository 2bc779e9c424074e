"""Fixtures of the encryption tests (``test_crypto*``)."""

from __future__ import annotations

import pytest

from tests.selec.encryption import KEY_A


@pytest.fixture
def keyring_a(settings):
    """Key "old" (A) first: everything written from here is encrypted under it. The test
    environment's own keys stay behind it so that rows written before the test (demo data, if
    any) still read and rotate like any other."""
    settings.FIELD_ENCRYPTION_KEYS = {"old": KEY_A, **settings.FIELD_ENCRYPTION_KEYS}
    return settings
