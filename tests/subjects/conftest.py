"""The data subject request tests' common fixture: the man two providers hold."""

from __future__ import annotations

import pytest

from partners.models import Officer
from tests.subjects.scenario import Holdings, two_providers_hold_one_man


@pytest.fixture
def holdings(lo_ro: Officer, lo_bg: Officer, lo_tr: Officer) -> Holdings:
    return two_providers_hold_one_man(lo_ro, lo_bg, lo_tr)
