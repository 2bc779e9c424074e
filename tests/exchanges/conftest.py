from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture
def no_throttle_carry_over() -> None:
    """The per-officer API rate is counted in the cache: one test's calls do not count for the
    next."""
    cache.clear()
