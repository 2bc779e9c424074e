"""Cases in the admin: never for directory administrators, and never their content."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site

from cases.models import Case, OperationalMeeting, Result
from partners.models import Officer

pytestmark = pytest.mark.django_db

CONTENT = {"description", "decisions", "minutes", "content", "filename"}


def test_a_directory_admin_sees_no_case_in_the_admin(login, directory_admin: Officer) -> None:  # type: ignore[no-untyped-def]
    client = login(directory_admin)
    index = client.get("/admin/").content.decode()
    assert "/admin/cases/" not in index
    assert client.get("/admin/cases/case/").status_code == 403


def test_the_case_admin_shows_metadata_only_and_changes_nothing() -> None:
    for model in (Case, OperationalMeeting, Result):
        model_admin = site._registry[model]
        assert not CONTENT & set(model_admin.fields), model
        assert model_admin.list_select_related
        assert model_admin.raw_id_fields
        assert not model_admin.has_add_permission(None)  # type: ignore[arg-type]
        assert not model_admin.has_change_permission(None)  # type: ignore[arg-type]
        assert not model_admin.has_delete_permission(None)  # type: ignore[arg-type]
