"""Fixtures of the encryption tests (``test_crypto*``) and of the audit anchor's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.selec.encryption import KEY_A


@pytest.fixture
def keyring_a(settings):
    """Key "old" (A) first: everything written from here is encrypted under it. The test
    environment's own keys stay behind it so that rows written before the test (demo data, if
    any) still read and rotate like any other."""
    settings.FIELD_ENCRYPTION_KEYS = {"old": KEY_A, **settings.FIELD_ENCRYPTION_KEYS}
    return settings


@pytest.fixture
def anchor(settings, tmp_path: Path) -> Path:
    settings.AUDIT_ANCHOR_PATH = tmp_path / "anchor.log"
    return settings.AUDIT_ANCHOR_PATH
