"""What the tests of the thread page and of its actions share: the scenario's message, who may
see an exchange from the Romanian Police to the Bulgarian Police, and the page's addresses."""

from __future__ import annotations

import pytest
from django.test import Client

from exchanges.models import Exchange
from partners.models import Officer

SUBJECT = "Cocaine shipment via Constanța"
BODY = "Container MSCU 123456-7 expected on 3 December."

# For an exchange from the Romanian Police to the Bulgarian Police: who may see it.
SEES = ["lo_ro", "lo_bg", "nfp_bg", "nfp_ro"]
DOES_NOT_SEE = ["obs_at", "outsider", "lo_al", "analyst"]


def _url(exchange: Exchange, action: str = "") -> str:
    return f"/exchanges/{exchange.reference}/" + (f"{action}/" if action else "")


def _as(request: pytest.FixtureRequest, login, persona: str) -> tuple[Officer, Client]:
    officer = request.getfixturevalue(persona)
    return officer, login(officer)
