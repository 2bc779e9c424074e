from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from partners.models import Officer
from tests.oversight.entity_scenario import EntityLogged, log_entity_scenario
from tests.oversight.scenario import Logged, log_scenario


@pytest.fixture
def logged(lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, outsider: Officer) -> Logged:
    # The refusal counter lives in the cache: a fresh one, so the refusal is recorded.
    cache.clear()
    return log_scenario(lo_ro=lo_ro, lo_bg=lo_bg, lo_tr=lo_tr, outsider=outsider, client=Client())


@pytest.fixture
def entity_logged(
    lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, lo_al: Officer, outsider: Officer
) -> EntityLogged:
    cache.clear()
    return log_entity_scenario(
        lo_ro=lo_ro, lo_bg=lo_bg, lo_tr=lo_tr, lo_al=lo_al, outsider=outsider
    )
