"""The case forms as the officer sees them: each label names its own control, and each box is
drawn beside its own label (the stylesheet pairs a bare box with the label that follows it, so
a box rendered after its label would sit beside the next field's)."""

from __future__ import annotations

import pytest

from cases.models import Case
from partners.models import Officer
from tests.cases.scenario import open_case
from tests.form_labels import control_labelled, label_problems

pytestmark = pytest.mark.django_db

# The case form's boxes, by the start of their visible label.
BOXES = {
    "Carries personal data": "personal_data",
    "H1: not to be disclosed in judicial proceedings": "h1",
    "H2: not to be disseminated": "h2",
}


def test_each_label_of_the_case_form_is_for_its_own_input(login, lo_ro: Officer) -> None:
    html = login(lo_ro).get("/cases/new/").content.decode()
    for label, name in {
        **BOXES,
        "Name": "name",
        "Starts on": "started_on",
        "H3: other restrictions": "h3_text",
    }.items():
        control = control_labelled(html, label)
        assert control["name"] == name, label
        assert control["id"] == f"id_{name}", label


def test_each_box_of_the_case_form_is_inside_its_own_label(login, lo_ro: Officer) -> None:
    html = login(lo_ro).get("/cases/new/").content.decode()
    assert label_problems(html) == []
    for label, name in BOXES.items():
        box = control_labelled(html, label)
        assert (box["type"], box["name"]) == ("checkbox", name), label
    # The help text stays tied to its box for screen readers.
    assert 'aria-describedby="id_personal_data_helptext"' in html
    assert 'id="id_personal_data_helptext"' in html


def test_the_edit_form_shows_the_stored_restrictions_on_their_own_boxes(
    login, lo_ro: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police", personal=True)
    Case.objects.filter(pk=case.pk).update(restrict_evidence=False, restrict_dissemination=True)
    html = login(lo_ro).get(f"/cases/{case.reference}/edit/").content.decode()
    assert label_problems(html) == []
    assert "checked" in control_labelled(html, "Carries personal data")
    assert "checked" not in control_labelled(html, "H1: not to be disclosed")
    assert "checked" in control_labelled(html, "H2: not to be disseminated")


def test_a_box_refused_with_an_error_stays_inside_its_label(login, lo_ro: Officer) -> None:
    # The form shown again after an error renders the boxes the same way.
    response = login(lo_ro).post(
        "/cases/new/",
        {"kind": "joint_investigation", "name": "", "status": "planned", "h1": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert label_problems(html) == []
    assert "checked" in control_labelled(html, "H1: not to be disclosed")
    assert "checked" not in control_labelled(html, "Carries personal data")


@pytest.mark.parametrize("path", ["status/", "invite/", "meetings/new/", "results/new/"])
def test_the_other_case_forms_have_no_label_beside_the_wrong_control(
    login, lo_ro: Officer, path: str
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    response = login(lo_ro).get(f"/cases/{case.reference}/{path}")
    assert response.status_code == 200
    assert label_problems(response.content.decode()) == []
