"""The exchange forms as the officer sees them: every label names its own control and every box
sits inside its own label, so that the box drawn beside a handling code is that code's box."""

from __future__ import annotations

import pytest

from partners.models import Officer
from tests.exchanges.scenario import send
from tests.form_labels import control_labelled, label_problems
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/exchanges/new/", "/exchanges/", "/hits/search/"])
def test_the_compose_inbox_and_search_forms_have_no_label_beside_the_wrong_control(
    login, lo_ro: Officer, path: str
) -> None:
    response = login(lo_ro).get(path)
    assert response.status_code == 200
    assert label_problems(response.content.decode()) == []


@pytest.mark.parametrize(
    ("path", "persona"),
    [
        ("reply/", "lo_bg"),
        ("forward/", "lo_bg"),
        ("dissemination/", "lo_bg"),
        ("restrictions/", "lo_ro"),
    ],
)
def test_the_thread_forms_have_no_label_beside_the_wrong_control(
    request, login, lo_ro: Officer, path: str, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    officer = request.getfixturevalue(persona)
    purpose_given(officer, exchange)
    response = login(officer).get(f"/exchanges/{exchange.reference}/{path}")
    assert response.status_code == 200
    assert label_problems(response.content.decode()) == []


def test_the_handling_boxes_of_compose_are_their_own_codes(login, lo_ro: Officer) -> None:
    html = login(lo_ro).get("/exchanges/new/").content.decode()
    for label, name in {
        "H1:": "h1",
        "H2:": "h2",
        "H3:": "h3",
        "Contains personal": "personal_data",
    }.items():
        box = control_labelled(html, label)
        assert (box["type"], box["name"]) == ("checkbox", name), label
