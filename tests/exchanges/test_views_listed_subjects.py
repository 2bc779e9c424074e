"""Subjects on the inbox and the dashboard: triage without opening, each page of subjects one
audited consultation, nothing marked read, H3 subjects withheld until the reader's agency has
confirmed the provider's text."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.models import Exchange, ExchangeAuditEvent, Recipient
from exchanges.services.on_receipt import exchange_confirm_restrictions
from exchanges.services.restriction_changes import exchange_change_restrictions
from partners.models import Officer
from partners.services.groups import sync_groups
from selec.core.models import AuditAction, AuditEvent
from tests.exchanges.inbox_pages import INBOX, _get, _send
from tests.exchanges.scenario import CODES, set_due

DASHBOARD = "/"


def _listing_events(officer: Officer) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        actor=officer, event=ExchangeAuditEvent.SUBJECTS_LISTED
    ).order_by("pk")


def _colleague_of(officer: Officer) -> Officer:
    """Another officer of the same agency and role, in its groups."""
    colleague = Officer.objects.create_user(
        username=f"{officer.username}.colleague",
        password="unused-password-for-a-colleague",
        agency=officer.agency,
        role=officer.role,
        content_access=officer.content_access,
    )
    sync_groups(colleague)
    return colleague


def test_the_inbox_lists_subjects_as_one_consultation_naming_them(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    first = _send(lo_ro, "Bulgarian Police", subject="Heroin on the E80", body="Body one")
    second = _send(lo_ro, "Bulgarian Police", subject="Stolen Audi at Ruse", body="Body two")

    content = _get(login(lo_bg))

    assert "Heroin on the E80" in content
    assert "Stolen Audi at Ruse" in content
    assert "Body one" not in content
    [event] = _listing_events(lo_bg)
    assert event.action == AuditAction.CONSULTATION
    assert event.details["listing"] == "inbox"
    assert event.details["references"] == [second.reference, first.reference]
    # Listing is not reading: the agency's receipts stay unread, no content consultation.
    assert not Recipient.objects.filter(read_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(event=ExchangeAuditEvent.CONSULTED).exists()


def test_each_page_shown_is_its_own_event_and_an_empty_page_writes_none(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = _send(lo_ro, "Bulgarian Police")
    client = login(lo_bg)
    _get(client, "?kind=information")  # nothing matches: no subject shown
    assert not _listing_events(lo_bg).exists()
    _get(client)
    _get(client)
    events = list(_listing_events(lo_bg))
    assert [e.details["references"] for e in events] == [[exchange.reference]] * 2


def test_an_h3_subject_waits_for_the_readers_agency_to_confirm_the_text(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = _send(lo_ro, "Bulgarian Police", code="H3", subject="Informant meeting in Varna")
    plain = _send(lo_ro, "Bulgarian Police", subject="Routine vehicle check")
    client = login(lo_bg)

    content = _get(client)
    assert "Informant meeting in Varna" not in content
    assert "Withheld until your agency confirms the H3 restriction" in content
    [event] = _listing_events(lo_bg)
    assert event.details["references"] == [plain.reference]  # only what was shown

    # A colleague of the same agency confirms: the subject is listed for the agency.
    exchange_confirm_restrictions(officer=_colleague_of(lo_bg), exchange=exchange)
    assert "Informant meeting in Varna" in _get(client)
    last = _listing_events(lo_bg).last()
    assert last is not None
    assert last.details["references"] == [plain.reference, exchange.reference]

    # The provider changes the text: everyone is asked again, and the subject is withheld.
    exchange_change_restrictions(
        officer=lo_ro,
        exchange=Exchange.objects.get(pk=exchange.pk),
        restrictions=dataclasses.replace(CODES["H3"], text="Only for the Varna prosecutor."),
    )
    assert "Informant meeting in Varna" not in _get(client)


def test_the_provider_and_other_agencies_see_their_own_h3_subjects(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    _send(lo_ro, "Bulgarian Police", code="H3", subject="Informant meeting in Varna")
    assert "Informant meeting in Varna" in _get(login(lo_ro))


def test_the_dashboard_lists_subjects_once_per_page(login, lo_ro: Officer, lo_bg: Officer) -> None:
    overdue = _send(lo_ro, "Bulgarian Police", subject="Overdue cigarettes case")
    set_due(Exchange.objects.filter(pk=overdue.pk), timezone.now() - dt.timedelta(hours=2))
    _send(lo_ro, "Bulgarian Police", code="H3", subject="Informant meeting in Varna")

    response = login(lo_bg).get(DASHBOARD)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Overdue cigarettes case" in content
    assert "Informant meeting in Varna" not in content
    # The overdue request is in three sections (overdue, unread, unacknowledged): named once.
    [event] = _listing_events(lo_bg)
    assert event.details == {"listing": "dashboard", "references": [overdue.reference]}


def test_the_inbox_page_costs_the_same_queries_for_one_or_many_subjects(
    login, lo_ro: Officer, lo_bg: Officer, django_assert_num_queries
) -> None:
    client = login(lo_bg)
    _send(lo_ro, "Bulgarian Police", code="H3")
    _send(lo_ro, "Bulgarian Police")  # one subject shown: the page's audit event
    _get(client)  # the session and the permission's id are warm
    with CaptureQueriesContext(connection) as one:
        _get(client)
    for _ in range(4):
        _send(lo_ro, "Bulgarian Police", code="H3")
        _send(lo_ro, "Bulgarian Police")
    with django_assert_num_queries(len(one.captured_queries)):
        _get(client)


def test_sorting_by_a_column_keeps_the_filters(login, lo_ro: Officer, lo_bg: Officer) -> None:
    content = _get(login(lo_bg), "?kind=request&sort=newest")
    assert 'aria-sort="descending"' in content
    assert f'href="{INBOX}?kind=request&amp;sort=oldest"' in content
    assert f'href="{INBOX}?kind=request&amp;sort=due"' in content
    content = _get(login(lo_bg), "?kind=request&sort=due")
    assert 'aria-sort="ascending"' in content
