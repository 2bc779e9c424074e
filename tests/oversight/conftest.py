from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from partners.models import Officer
from tests.oversight.scenario import Logged, log_scenario


@pytest.fixture
def logged(lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, outsider: Officer) -> Logged:
    # The refusal counter lives in the cache: a fresh one, so the refusal is recorded.
    cache.clear()
    return log_scenario(lo_ro=lo_ro, lo_bg=lo_bg, lo_tr=lo_tr, outsider=outsider, client=Client())
