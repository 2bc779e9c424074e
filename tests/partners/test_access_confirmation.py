"""Separation of duties: a directory administrator never reaches exchange content.

An account an administrator creates, moves, gives another role or reactivates reaches content
only once the National Focal Point of its party confirms it (for a party whose NFP has no
officer with access: a colleague of the same agency who has access); administrators cannot
change their own assignment nor set someone else's password.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.http import Http404
from django.utils import timezone
from rest_framework.test import APIClient

from exchanges.selectors import exchanges_visible_to
from partners.models import (
    AccessConfirmation,
    Agency,
    ContentAccess,
    Officer,
    Posting,
    Role,
)
from partners.selectors import CONFIRMATIONS_PAGE, confirmations_to_decide
from partners.services.access_confirmations import (
    officer_access_confirm_by_operator,
    officer_access_decide,
)
from partners.services.officers import officer_create, officer_update_assignment
from selec.core.models import AuditAction, AuditEvent, Notification
from tests.exchanges.scenario import send
from tests.helpers import issued_token, purpose_given, verified_client

pytestmark = pytest.mark.django_db

PASSWORD = "Sofia-liaison-officer-2026"


def _new_bulgarian_officer(directory_admin: Officer, username: str = "lo.bg2") -> Officer:
    officer = officer_create(
        actor=directory_admin,
        username=username,
        password=PASSWORD,
        role=Role.LIAISON_OFFICER,
        agency=Agency.objects.get(name="Bulgarian Police"),
        email=f"{username}@example.org",
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=officer, name="default", confirmed=True)
    return officer


def _pending(officer: Officer) -> AccessConfirmation:
    return AccessConfirmation.objects.get(officer=officer, status="pending")


def test_an_account_an_admin_creates_reads_nothing_until_the_nfp_confirms(
    client, directory_admin: Officer, lo_ro: Officer, nfp_bg: Officer
) -> None:
    sent = send(lo_ro, "Bulgarian Police")
    newcomer = _new_bulgarian_officer(directory_admin)
    assert newcomer.content_access == ContentAccess.PENDING
    assert not newcomer.groups.exists()
    assert not exchanges_visible_to(newcomer).exists()

    # Pages: everything leads to the account page, which says what the officer waits for.
    pages = verified_client(client, newcomer)
    for path in ("/", "/exchanges/", f"/exchanges/{sent.reference}/", "/cases/", "/hits/"):
        response = pages.get(path)
        assert (response.status_code, response["Location"]) == (302, "/account/"), path
    assert b"awaits confirmation" in pages.get("/account/").content
    # The API: 403 whatever the route, with the reason, even with the officer's own token.
    _, plain = issued_token(newcomer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    for path in ("/api/v1/exchanges/", f"/api/v1/exchanges/{sent.reference}/", "/api/v1/parties/"):
        refused = api.get(path)
        assert refused.status_code == 403, path
        assert "awaits confirmation" in refused.json()["detail"]

    officer_access_decide(actor=nfp_bg, confirmation_id=_pending(newcomer).pk, confirm=True)
    newcomer = Officer.objects.get(pk=newcomer.pk)  # a new request: groups read afresh
    assert newcomer.content_access == ContentAccess.CONFIRMED
    assert exchanges_visible_to(newcomer).filter(pk=sent.pk).exists()
    purpose_given(newcomer, sent)
    assert api.get(f"/api/v1/exchanges/{sent.reference}/").status_code == 200
    assert pages.get("/exchanges/").status_code == 200


def test_the_request_and_the_decision_are_audited_with_who_asked_and_who_confirmed(
    directory_admin: Officer, nfp_bg: Officer
) -> None:
    newcomer = _new_bulgarian_officer(directory_admin)
    confirmation = _pending(newcomer)
    officer_access_decide(
        actor=nfp_bg, confirmation_id=confirmation.pk, confirm=True, note="known to us"
    )
    events = list(
        AuditEvent.objects.filter(
            object_type="partners.accessconfirmation", object_id=str(confirmation.pk)
        ).order_by("id")
    )
    assert [(e.action, e.reason, e.actor_username) for e in events] == [
        (AuditAction.COLLECTION, "access confirmation requested", "admin"),
        (AuditAction.GRANT, "access confirmed", "nfp.bg"),
    ]
    assert events[1].details["requested_by"] == "admin"
    assert events[1].details["decided_by"] == "nfp.bg"
    assert events[1].details["officer"] == "lo.bg2"


def test_the_agencys_officers_and_the_nfp_are_told_and_the_decision_reaches_both_sides(
    directory_admin: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:
    newcomer = _new_bulgarian_officer(directory_admin)
    asked = set(
        Notification.objects.filter(kind="access_confirmation").values_list(
            "officer__username", flat=True
        )
    )
    assert asked == {"lo.bg", "nfp.bg"}
    officer_access_decide(actor=nfp_bg, confirmation_id=_pending(newcomer).pk, confirm=False)
    told = set(
        Notification.objects.filter(
            kind="access_confirmation", dedupe_key__startswith="access-confirmation-decided"
        ).values_list("officer__username", flat=True)
    )
    assert told == {"lo.bg2", "admin"}
    newcomer.refresh_from_db()
    assert newcomer.content_access == ContentAccess.REFUSED
    assert not newcomer.groups.exists()


def test_only_the_nfp_decides_for_a_party_that_has_one(
    directory_admin: Officer, lo_bg: Officer, nfp_ro: Officer, nfp_bg: Officer
) -> None:
    newcomer = _new_bulgarian_officer(directory_admin)
    confirmation = _pending(newcomer)
    # A colleague of the same agency, another party's NFP, the admin, the newcomer: 404.
    for outsider in (lo_bg, nfp_ro, directory_admin, newcomer):
        with pytest.raises(Http404):
            officer_access_decide(actor=outsider, confirmation_id=confirmation.pk, confirm=True)
    confirmation.refresh_from_db()
    assert confirmation.status == "pending"


def test_a_colleague_with_access_decides_where_the_party_has_no_nfp_officer(
    directory_admin: Officer, lo_tr: Officer
) -> None:
    customs = lo_tr.agency
    assert customs is not None
    newcomer = officer_create(
        actor=directory_admin,
        username="lo.tr2",
        password=PASSWORD,
        role=Role.LIAISON_OFFICER,
        agency=customs,
    )
    police = officer_create(
        actor=directory_admin,
        username="lo.tr3",
        password=PASSWORD,
        role=Role.LIAISON_OFFICER,
        agency=Agency.objects.filter(party=customs.party).exclude(pk=customs.pk).first(),
    )
    with pytest.raises(Http404):  # lo.tr is of another agency than lo.tr3
        officer_access_decide(actor=lo_tr, confirmation_id=_pending(police).pk, confirm=True)
    officer_access_decide(actor=lo_tr, confirmation_id=_pending(newcomer).pk, confirm=True)
    newcomer.refresh_from_db()
    assert list(newcomer.groups.all()) == [customs.group]


def test_an_officer_sees_their_own_requests_behind_a_full_page_of_others(
    directory_admin: Officer, lo_tr: Officer
) -> None:
    """More than a page of requests of another agency, older than the one this officer
    decides: the page is cut after narrowing to the officer's, not before."""
    police = Agency.objects.get(name="Turkish National Police")
    others = Officer.objects.bulk_create(
        Officer(
            username=f"lo.tr.police{i}",
            role=Role.LIAISON_OFFICER,
            agency=police,
            content_access=ContentAccess.PENDING,
        )
        for i in range(CONFIRMATIONS_PAGE + 1)
    )
    long_ago = timezone.now() - dt.timedelta(days=1)
    AccessConfirmation.objects.bulk_create(
        AccessConfirmation(
            officer=officer,
            agency=police,
            role=Role.LIAISON_OFFICER,
            reason="created",
            requested_at=long_ago + dt.timedelta(seconds=i),
        )
        for i, officer in enumerate(others)
    )
    newcomer = officer_create(
        actor=directory_admin,
        username="lo.tr2",
        password=PASSWORD,
        role=Role.LIAISON_OFFICER,
        agency=lo_tr.agency,
    )
    assert [c.officer for c in confirmations_to_decide(lo_tr)] == [newcomer]


def test_the_nfp_sees_and_decides_its_partys_requests_in_the_page(
    login, directory_admin: Officer, nfp_bg: Officer, nfp_ro: Officer
) -> None:
    newcomer = _new_bulgarian_officer(directory_admin)
    confirmation = _pending(newcomer)
    assert b"lo.bg2" not in login(nfp_ro).get("/account/confirmations/").content
    page = login(nfp_bg)
    assert b"lo.bg2" in page.get("/account/confirmations/").content
    response = page.post(
        f"/account/confirmations/{confirmation.pk}/", {"decision": "confirm", "note": "ok"}
    )
    assert response.status_code == 302
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.decided_by) == ("confirmed", nfp_bg)


def test_a_decision_posted_by_someone_else_answers_404(
    login, directory_admin: Officer, nfp_ro: Officer
) -> None:
    confirmation = _pending(_new_bulgarian_officer(directory_admin))
    for officer in (nfp_ro, directory_admin):
        response = login(officer).post(
            f"/account/confirmations/{confirmation.pk}/", {"decision": "confirm"}
        )
        assert response.status_code == 404
    confirmation.refresh_from_db()
    assert confirmation.status == "pending"


def test_a_move_and_a_new_role_wait_for_confirmation_and_end_the_old_access_at_once(
    directory_admin: Officer, lo_bg: Officer, lo_ro: Officer, nfp_bg: Officer
) -> None:
    sent = send(lo_ro, "Bulgarian Police")
    nfp_agency = Agency.objects.get(name="National Focal Point of Bulgaria")
    officer_update_assignment(
        actor=directory_admin,
        officer=lo_bg,
        role=Role.NFP_OFFICER,
        agency=nfp_agency,
        posted_at=Posting.HOME,
    )
    lo_bg.refresh_from_db()
    assert lo_bg.content_access == ContentAccess.PENDING
    assert not exchanges_visible_to(lo_bg).filter(pk=sent.pk).exists()
    assert _pending(lo_bg).reason == "moved"
    officer_access_decide(actor=nfp_bg, confirmation_id=_pending(lo_bg).pk, confirm=True)
    assert exchanges_visible_to(Officer.objects.get(pk=lo_bg.pk)).filter(pk=sent.pk).exists()


def test_an_admin_cannot_change_its_own_role_or_agency(directory_admin: Officer) -> None:
    with pytest.raises(PermissionDenied, match="own role"):
        officer_update_assignment(
            actor=directory_admin,
            officer=directory_admin,
            role=Role.LIAISON_OFFICER,
            agency=Agency.objects.get(name="Romanian Police"),
            posted_at=Posting.HQ,
        )
    directory_admin.refresh_from_db()
    assert (directory_admin.role, directory_admin.agency_id) == (Role.DIRECTORY_ADMIN, None)


def test_an_admin_editing_its_own_record_in_the_admin_cannot_move_itself(
    login, directory_admin: Officer
) -> None:
    client = login(directory_admin)
    romania = Agency.objects.get(name="Romanian Police")
    client.post(
        f"/admin/partners/officer/{directory_admin.pk}/change/",
        {
            "username": "admin",
            "first_name": "Radu",
            "last_name": "Enache",
            "email": "admin@demo.selec.invalid",
            "agency": romania.pk,
            "role": "liaison_officer",
            "posted_at": "hq",
            "is_active": "on",
            "access_confirmations-TOTAL_FORMS": "0",
            "access_confirmations-INITIAL_FORMS": "0",
        },
    )
    directory_admin.refresh_from_db()
    assert (directory_admin.role, directory_admin.agency_id) == (Role.DIRECTORY_ADMIN, None)
    assert not exchanges_visible_to(directory_admin).exists()


def test_an_admin_cannot_set_another_officers_password(
    login, directory_admin: Officer, lo_ro: Officer
) -> None:
    client = login(directory_admin)
    url = f"/admin/partners/officer/{lo_ro.pk}/password/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 403
    lo_ro.refresh_from_db()
    assert not lo_ro.check_password(PASSWORD)


def test_reactivating_an_officer_waits_for_confirmation(
    directory_admin: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:
    def assign(active: bool) -> None:
        officer_update_assignment(
            actor=directory_admin,
            officer=lo_bg,
            role=lo_bg.role,
            agency=lo_bg.agency,
            posted_at=lo_bg.posted_at,
            is_active=active,
        )

    assign(False)
    assign(True)
    lo_bg.refresh_from_db()
    assert lo_bg.content_access == ContentAccess.PENDING
    assert _pending(lo_bg).reason == "reactivated"
    assert not lo_bg.groups.exists()


def test_secretariat_accounts_reach_no_content_and_need_no_confirmation(
    directory_admin: Officer,
) -> None:
    analyst = officer_create(
        actor=directory_admin, username="analyst2", password=PASSWORD, role=Role.ANALYST
    )
    assert analyst.content_access == ContentAccess.CONFIRMED
    assert not AccessConfirmation.objects.filter(officer=analyst).exists()
    assert not exchanges_visible_to(analyst).exists()


def test_the_operator_confirms_only_where_no_officer_could(
    directory_admin: Officer, nfp_bg: Officer
) -> None:
    newcomer = _new_bulgarian_officer(directory_admin)
    with pytest.raises(PermissionDenied, match="National Focal Point"):
        officer_access_confirm_by_operator(officer=newcomer, note="hurry")
    with pytest.raises(CommandError, match="National Focal Point"):
        call_command("confirm_officer_access", "lo.bg2", "--note", "hurry", stdout=StringIO())
    first_of_moldova = officer_create(
        actor=directory_admin,
        username="lo.md",
        password=PASSWORD,
        role=Role.LIAISON_OFFICER,
        agency=Agency.objects.get(name="Moldovan Police"),
    )
    out = StringIO()
    call_command("confirm_officer_access", "lo.md", "--note", "first officer", stdout=out)
    first_of_moldova.refresh_from_db()
    assert first_of_moldova.content_access == ContentAccess.CONFIRMED
    event = AuditEvent.objects.filter(reason="access confirmed").latest("id")
    assert (event.actor_username, event.details["decided_by"]) == ("system", "operator")
