"""Offboarding an officer, an agency or a party: accounts deactivated, sessions ended at once,
API tokens revoked for good (a reactivation revives none, and waits for the NFP again),
task-force and case memberships removed; what they sent stays; the closed agency's open
requests remain before its NFP."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import CaseUserObjectPermission
from exchanges.models import Exchange
from partners.models import Agency, ContentAccess, Officer, PartnerAuditEvent, Party
from partners.models_lifecycle import OfficerSession
from partners.services.offboarding import agency_close, officer_offboard, party_offboard
from partners.services.officers import officer_update_assignment
from selec.core.models import AuditEvent, Notification
from taskforces.models import TaskForce, TaskForceMembership
from taskforces.services import membership_add
from tests.cases.scenario import open_case
from tests.exchanges.scenario import send
from tests.helpers import issued_token, verified_client

pytestmark = pytest.mark.django_db

REASON = "Left the post on 1 June"


def _signed_in(officer: Officer) -> Client:
    """A verified session of the officer, recorded as the login records it."""
    client = verified_client(Client(), officer)
    now = timezone.now()
    OfficerSession.objects.update_or_create(
        session_key=client.session.session_key,
        defaults={"officer": officer, "started_at": now, "last_seen_at": now},
    )
    return client


def _token_client(plain: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    return client


def test_an_offboarded_officer_s_session_and_token_are_refused_at_once_and_after_reactivation(
    lo_bg: Officer, directory_admin: Officer
) -> None:
    pages = _signed_in(lo_bg)
    _, plain = issued_token(lo_bg)
    assert pages.get("/").status_code == 200
    assert _token_client(plain).get("/api/v1/exchanges/").status_code == 200
    key = pages.session.session_key

    removed = officer_offboard(actor=directory_admin, officer=lo_bg, reason=REASON)

    assert removed["sessions_ended"] == 1
    assert removed["api_tokens_revoked"] == 1
    assert not Session.objects.filter(session_key=key).exists()
    assert pages.get("/")["Location"].startswith("/account/login/")
    assert _token_client(plain).get("/api/v1/exchanges/").status_code == 401
    lo_bg.refresh_from_db()
    assert not lo_bg.is_active
    event = AuditEvent.objects.get(event=PartnerAuditEvent.OFFICER_OFFBOARDED)
    assert (event.object_id, event.actor_username) == (str(lo_bg.pk), "admin")
    assert REASON not in str(event.details)  # the reason is kept encrypted, not in details

    # Reactivated: the token stays revoked and the access waits for the NFP again.
    officer_update_assignment(
        actor=directory_admin,
        officer=lo_bg,
        role=lo_bg.role,
        agency=lo_bg.agency,
        posted_at=lo_bg.posted_at,
        is_active=True,
    )
    lo_bg.refresh_from_db()
    assert lo_bg.content_access == ContentAccess.PENDING
    assert _token_client(plain).get("/api/v1/exchanges/").status_code == 401


def test_an_inactive_officer_s_session_is_refused_even_without_a_session_record(
    lo_bg: Officer, directory_admin: Officer
) -> None:
    # Django's backend (partners.auth.OfficerBackend) loads no inactive user from a session.
    pages = verified_client(Client(), lo_bg)
    OfficerSession.objects.filter(officer=lo_bg).delete()
    officer_offboard(actor=directory_admin, officer=lo_bg, reason=REASON)
    assert pages.get("/")["Location"].startswith("/account/login/")
    assert pages.get("/api/v1/exchanges/").status_code in (401, 403)


def test_task_force_and_case_memberships_are_removed(
    lo_ro: Officer, analyst: Officer, directory_admin: Officer
) -> None:
    membership_add(actor=None, officer=analyst, task_force=TaskForce.objects.order_by("pk")[0])
    case = open_case(lo_ro, "Bulgarian Police", analysts=[analyst])
    assert CaseUserObjectPermission.objects.filter(user=analyst, content_object=case).exists()

    removed = officer_offboard(actor=directory_admin, officer=analyst, reason=REASON)

    assert removed["task_force_memberships"] == 1
    assert removed["case_analyst_seats"] == 1
    assert not TaskForceMembership.objects.filter(officer=analyst).exists()
    assert not case.analysts.filter(pk=analyst.pk).exists()
    assert not CaseUserObjectPermission.objects.filter(user=analyst).exists()


def test_nobody_offboards_themselves_and_only_admins_offboard(
    directory_admin: Officer, nfp_bg: Officer, lo_bg: Officer
) -> None:
    with pytest.raises(PermissionDenied):
        officer_offboard(actor=directory_admin, officer=directory_admin, reason=REASON)
    with pytest.raises(PermissionDenied):
        officer_offboard(actor=nfp_bg, officer=lo_bg, reason=REASON)
    with pytest.raises(ValidationError):
        officer_offboard(actor=directory_admin, officer=lo_bg, reason="  ")
    lo_bg.refresh_from_db()
    assert lo_bg.is_active


def test_a_closed_agency_s_open_requests_stay_before_its_nfp(
    lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer, directory_admin: Officer
) -> None:
    request = send(lo_ro, "Bulgarian Police")
    reply_sent_by_bg = send(lo_bg, "Romanian Police")
    police = Agency.objects.get(name="Bulgarian Police")

    assert agency_close(actor=directory_admin, agency=police, reason=REASON) >= 1

    police.refresh_from_db()
    lo_bg.refresh_from_db()
    assert police.closed_at is not None
    assert not lo_bg.is_active
    # What the agency sent stays, owned by it.
    assert Exchange.objects.get(pk=reply_sent_by_bg.pk).sender_agency == police
    # Bulgaria's NFP still sees the request addressed to the closed agency, and is told.
    dashboard = verified_client(Client(), nfp_bg).get("/")
    assert request.reference.encode() in dashboard.content
    assert b'<span class="badge closed">closed</span>' in dashboard.content
    assert Notification.objects.filter(officer=nfp_bg, kind="account_closed").exists()
    events = set(AuditEvent.objects.values_list("event", flat=True))
    assert {PartnerAuditEvent.AGENCY_CLOSED, PartnerAuditEvent.OFFICER_OFFBOARDED} <= events
    with pytest.raises(ValidationError):
        agency_close(actor=directory_admin, agency=police, reason=REASON)


def test_the_nfp_closes_only_with_its_whole_party(
    nfp_bg: Officer, lo_bg: Officer, directory_admin: Officer
) -> None:
    nfp_agency = Agency.objects.get(party__code="BG", is_national_focal_point=True)
    with pytest.raises(ValidationError):
        agency_close(actor=directory_admin, agency=nfp_agency, reason=REASON)

    count = party_offboard(actor=directory_admin, party=Party.objects.get(code="BG"), reason=REASON)

    assert count >= 2
    assert not Agency.objects.filter(party__code="BG", closed_at__isnull=True).exists()
    assert not Officer.objects.filter(agency__party__code="BG", is_active=True).exists()
    assert AuditEvent.objects.filter(event=PartnerAuditEvent.PARTY_OFFBOARDED).count() == 1


def test_the_pages_ask_a_reason_and_act(
    lo_bg: Officer, directory_admin: Officer, django_assert_max_num_queries
) -> None:
    admin = verified_client(Client(), directory_admin)
    page = f"/directory/manage/officers/{lo_bg.pk}/offboard/"
    with django_assert_max_num_queries(5):
        assert admin.get(page).status_code == 200
    assert admin.post(page, {"reason": ""}).status_code == 400
    lo_bg.refresh_from_db()
    assert lo_bg.is_active
    done = admin.post(page, {"reason": REASON}, follow=True)
    assert b"lo.bg offboarded" in done.content
    assert b"This account is inactive." in done.content
    police = Agency.objects.get(name="Bulgarian Police")
    with django_assert_max_num_queries(6):
        assert admin.get(f"/directory/manage/agencies/{police.pk}/close/").status_code == 200
    with django_assert_max_num_queries(6):
        assert admin.get("/directory/manage/parties/BG/offboard/").status_code == 200
    nfp = Agency.objects.get(party__code="BG", is_national_focal_point=True)
    refused = admin.post(f"/directory/manage/agencies/{nfp.pk}/close/", {"reason": REASON})
    assert refused.status_code == 400
    assert b"whole party" in refused.content


@pytest.mark.parametrize("persona", ["lo_ro", "nfp_bg", "analyst", "dpo", "outsider"])
def test_the_offboarding_pages_answer_404_to_everyone_but_admins(
    request: pytest.FixtureRequest, persona: str, lo_bg: Officer
) -> None:
    page = verified_client(Client(), request.getfixturevalue(persona))
    police = Agency.objects.get(name="Bulgarian Police")
    for path in (
        f"/directory/manage/officers/{lo_bg.pk}/offboard/",
        f"/directory/manage/agencies/{police.pk}/close/",
        "/directory/manage/parties/BG/offboard/",
    ):
        assert page.get(path).status_code == 404, path
        assert page.post(path, {"reason": REASON}).status_code == 404, path
    lo_bg.refresh_from_db()
    police.refresh_from_db()
    assert lo_bg.is_active
    assert police.closed_at is None


def test_a_closed_agency_is_neither_offered_nor_addressed(
    lo_ro: Officer, directory_admin: Officer, login
) -> None:
    police = Agency.objects.get(name="Bulgarian Police")
    agency_close(actor=directory_admin, agency=police, reason=REASON)

    compose = login(lo_ro).get("/exchanges/new/").content.decode()
    assert "Bulgarian Police" not in compose
    assert "Bulgarian Customs Agency" in compose
    with pytest.raises(ValidationError, match="was closed"):
        send(lo_ro, "Bulgarian Police")
