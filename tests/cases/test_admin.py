"""Cases in the admin: never for directory administrators, and never their content."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from cases.models import Case, OperationalMeeting, Result
from partners.models import Officer
from tests.cases.scenario import open_case

pytestmark = pytest.mark.django_db

# Every encrypted field of the cases' models.
CONTENT = {
    "name",
    "description",
    "restriction_text",
    "place",
    "decisions",
    "minutes",
    "content",
    "filename",
    "sha256",
}


def test_a_directory_admin_sees_no_case_in_the_admin(login, directory_admin: Officer) -> None:
    client = login(directory_admin)
    index = client.get("/admin/").content.decode()
    assert "/admin/cases/" not in index
    assert client.get("/admin/cases/case/").status_code == 403


def test_the_case_admin_shows_metadata_only_and_changes_nothing() -> None:
    request = RequestFactory().get("/admin/")
    for model in (Case, OperationalMeeting, Result):
        model_admin = site._registry[model]
        assert model_admin.fields is not None, model
        assert not CONTENT & set(model_admin.fields), model
        # Nor listed, searched or ordered by: a ciphertext does neither, and the admin would
        # have to decrypt the whole table.
        assert not CONTENT & set(model_admin.list_display), model
        assert not CONTENT & set(model_admin.search_fields), model
        assert not CONTENT & {f.lstrip("-") for f in model_admin.get_ordering(request) or ()}, model
        assert model_admin.list_select_related
        assert model_admin.raw_id_fields
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


def test_the_admin_finds_a_case_by_its_reference(rf, lo_ro: Officer) -> None:
    wanted = open_case(lo_ro, name="Mirage")
    open_case(lo_ro, name="Mirage")
    model_admin = site._registry[Case]

    found, _ = model_admin.get_search_results(rf.get("/"), Case.objects.all(), wanted.reference)

    assert list(found) == [wanted]
