"""The directory admin maintains the directory in the Django admin, through the services."""

from __future__ import annotations

import pytest

from partners.models import AccessConfirmation, Agency, ContentAccess, Officer, Party, PartyStatus
from partners.models_lifecycle import Invitation
from partners.services.access_confirmations import officer_access_confirm_by_operator
from selec.core.models import AuditEvent, OutboxMessage
from taskforces.models import TaskForce

pytestmark = pytest.mark.django_db


def test_adding_an_agency_creates_its_group_and_audits_it(login, directory_admin: Officer) -> None:
    client = login(directory_admin)
    serbia = Party.objects.get(code="RS")
    response = client.post(
        "/admin/partners/agency/add/",
        {"party": serbia.pk, "name": "Serbian Border Police", "kind": "border"},
    )
    assert response.status_code == 302, response.content.decode()[-6000:]
    agency = Agency.objects.get(name="Serbian Border Police")
    assert agency.group.name == "agency:RS:Serbian Border Police"
    event = AuditEvent.objects.latest("id")
    assert (event.actor, event.reason) == (directory_admin, "agency created")


def test_adding_an_officer_invites_them_and_puts_them_in_their_agency_group(
    login, directory_admin: Officer
) -> None:
    client = login(directory_admin)
    agency = Agency.objects.get(name="Hungarian Police")
    response = client.post(
        "/admin/partners/officer/add/",
        {
            "username": "lo.hu",
            "first_name": "Zoltán",
            "last_name": "Nagy",
            "email": "lo.hu@example.org",
            "agency": agency.pk,
            "role": "liaison_officer",
            "posted_at": "hq",
            # A password given here is not taken: the officer sets one through the invitation.
            "password1": "Budapest-liaison-2026",
            "password2": "Budapest-liaison-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[-6000:]
    officer = Officer.objects.get(username="lo.hu")
    assert not officer.has_usable_password()
    assert Invitation.objects.filter(officer=officer, used_at__isnull=True).exists()
    assert OutboxMessage.objects.filter(to=officer.email).exists()
    # The account exists, but reaches no content until Hungary's side confirms it.
    assert officer.content_access == ContentAccess.PENDING
    assert not officer.groups.exists()
    confirmation = AccessConfirmation.objects.get(officer=officer)
    assert (confirmation.status, confirmation.requested_by, confirmation.agency) == (
        "pending",
        directory_admin,
        agency,
    )
    officer_access_confirm_by_operator(officer=officer, note="first officer of Hungary")
    assert list(officer.groups.all()) == [agency.group]


def test_changing_a_party_status_in_the_admin_records_the_history(
    login, directory_admin: Officer
) -> None:
    client = login(directory_admin)
    georgia = Party.objects.get(code="GE")
    response = client.post(
        f"/admin/partners/party/{georgia.pk}/change/",
        {
            "name": "Georgia",
            "status": "member",
            "status_since": "2026-03-01",
            "status_note": "Accession",
            "status_history-TOTAL_FORMS": 0,
            "status_history-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[-6000:]
    georgia.refresh_from_db()
    assert georgia.status == PartyStatus.MEMBER
    latest = georgia.status_history.first()
    assert latest is not None
    assert latest.note == "Accession"


def test_editing_a_task_force_is_audited(login, directory_admin: Officer) -> None:
    client = login(directory_admin)
    task_force = TaskForce.objects.get(code="environment")
    response = client.post(
        f"/admin/taskforces/taskforce/{task_force.pk}/change/",
        {
            "code": "environment",
            "name": "Environment and Nature-Related Crimes",
            "position": 7,
            "crime_areas": list(task_force.crime_areas.values_list("pk", flat=True)),
            "sub_task_forces-TOTAL_FORMS": 0,
            "sub_task_forces-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.latest("id")
    assert event.reason == "task force updated in the admin"
    assert event.details == {"fields": ["name"]}


def test_a_directory_admin_cannot_delete_parties_or_officers(
    login, directory_admin: Officer
) -> None:
    client = login(directory_admin)
    romania = Party.objects.get(code="RO")
    assert client.get(f"/admin/partners/party/{romania.pk}/delete/").status_code == 403
    lo_ro = Officer.objects.get(username="lo.ro")
    assert client.get(f"/admin/partners/officer/{lo_ro.pk}/delete/").status_code == 403


def test_the_admin_does_not_show_the_audit_log_or_exchange_content(
    login, directory_admin: Officer
) -> None:
    content = login(directory_admin).get("/admin/").content.decode()
    assert "Audit" not in content


def test_an_officer_s_agency_is_chosen_by_typing_its_name(login, directory_admin: Officer) -> None:
    response = login(directory_admin).get(
        "/admin/autocomplete/",
        {"app_label": "partners", "model_name": "officer", "field_name": "agency", "term": "Hung"},
    )
    assert response.status_code == 200
    names = [result["text"] for result in response.json()["results"]]
    assert "Hungarian Police" in names
    assert all("Hung" in name for name in names)
