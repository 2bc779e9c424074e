"""The case pages: what they show, their forms (errors shown, nothing half-saved), the list's
filters, and the case page's query count, the same for a small and a large case."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from cases.models import Case, CaseStatus, MeetingAttachment, OperationalMeeting, Result
from exchanges.models import Exchange, ExchangeKind
from partners.models import Officer
from selec.core.models import AuditAction, AuditEvent
from tests.cases.scenario import add_meeting, open_case, record, send_in_case
from tests.exchanges.scenario import agency_ids

pytestmark = pytest.mark.django_db

SEIZURE_MANAGEMENT = {
    "seizure-TOTAL_FORMS": 2,
    "seizure-INITIAL_FORMS": 0,
    "seizure-MIN_NUM_FORMS": 0,
    "seizure-MAX_NUM_FORMS": 50,
}
NO_COUNTS = {
    "persons_arrested": 0,
    "persons_identified": 0,
    "persons_charged": 0,
    "victims_identified": 0,
    "victims_assisted": 0,
    "victims_repatriated": 0,
    "vehicles_seized": 0,
}


def test_the_case_page_shows_participants_meetings_results_and_totals(
    login, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, analyst: Officer
) -> None:
    case = open_case(
        lo_ro, "Bulgarian Police", "Turkish Customs", "Police of Austria", analysts=[analyst]
    )
    add_meeting(lo_bg, case)
    record(lo_tr, case, "TR", seizures=[("heroin", "584", "kg")], persons_arrested=7)
    record(lo_bg, case, "BG", seizures=[("amphetamines", "250000", "tablets")])
    record(lo_bg, case, "BG", seizures=[("cannabis", "1829", "kg")], persons_arrested=3)
    response = login(lo_bg).get(f"/cases/{case.reference}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        case.name,
        "Trafficking routes through the Danube ports.",
        "Turkish Customs",
        "Police of Austria",
        "Observer",
        "Vlad Marin",  # the named analyst
        "Operational meeting in Ruse",
        "Joint checks on the Danube bridge.",
        "minutes.txt",
        "<li>Heroin 584 kg</li>",
        "<li>Amphetamines 250,000 tablets</li>",
        "<li>Cannabis / marijuana 1,829 kg</li>",
    ):
        assert escape(text) in html or text in html, text
    # Bulgaria's two reports add up on its row: 3 arrested; Türkiye's 7; all parties 10.
    assert response.context["page"].totals_overall["persons_arrested"] == 10
    by_party = {t.party.code: t.counts for t in response.context["page"].totals_by_party}
    assert by_party["BG"]["persons_arrested"] == 3
    # A participant that does not lead sees what it may do, and not the lead's actions.
    assert "Add a meeting" in html
    assert "Record results" in html
    assert "Invite participants" not in html
    [event] = AuditEvent.objects.filter(
        action=AuditAction.CONSULTATION, object_type="cases.case", object_id=str(case.pk)
    )
    assert event.actor == lo_bg


def test_the_case_page_of_the_lead_offers_the_lead_actions(login, lo_ro: Officer) -> None:
    case = open_case(lo_ro)
    html = login(lo_ro).get(f"/cases/{case.reference}/").content.decode()
    for action in ("invite", "status", "edit", "meetings/new", "results/new"):
        assert f"/cases/{case.reference}/{action}/" in html


def _page_queries(client: Client, case: Case) -> int:
    client.get(f"/cases/{case.reference}/")  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/cases/{case.reference}/").status_code == 200
    return len(queries.captured_queries)


def test_the_case_page_costs_the_same_queries_for_a_small_and_a_large_case(
    login, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer
) -> None:
    small = open_case(lo_ro, "Bulgarian Police", "Turkish Customs", name="Small")
    send_in_case(lo_ro, small)
    add_meeting(lo_ro, small)
    record(lo_bg, small, "BG", seizures=[("heroin", "1", "kg")])
    large = open_case(
        lo_ro,
        "Bulgarian Police",
        "Turkish Customs",
        "Albanian State Police",
        "Police of Austria",
        "Moldovan Police",
        name="Large",
    )
    for i in range(12):
        send_in_case(lo_ro if i % 2 else lo_bg, large, "Turkish Customs", "Bulgarian Police")
    for day in range(1, 9):
        add_meeting(lo_tr, large, held_on=large.started_on.replace(day=day))
    for party, officer in [("BG", lo_bg), ("TR", lo_tr), ("RO", lo_ro), ("AL", lo_ro)] * 3:
        record(
            officer,
            large,
            party,
            seizures=[
                ("heroin", "2", "kg"),
                ("cigarettes", "100", "pieces"),
                ("alcohol", "3", "litres"),
            ],
            persons_arrested=1,
        )
    client = login(lo_ro)
    small_queries = _page_queries(client, small)
    assert _page_queries(client, large) == small_queries
    assert small_queries <= 32


def test_opening_a_case_through_the_page(login, lo_ro: Officer) -> None:
    client = login(lo_ro)
    assert client.get("/cases/new/").status_code == 200
    response = client.post(
        "/cases/new/",
        {
            "kind": "joint_investigation",
            "name": "Dora",
            "status": "active",
            "started_on": "2026-02-01",
            "agencies": agency_ids("Bulgarian Police", "Police of Italy"),
            "personal_data": "on",
            "h2": "on",
            "description": "Chinese nationals smuggled to Greece.",
        },
    )
    assert response.status_code == 302
    # Found by the reference the page leads to: a name is encrypted, no query can match it.
    case = Case.objects.get(reference=response["Location"].split("/")[2])
    assert case.name == "Dora"
    assert response["Location"] == f"/cases/{case.reference}/"
    assert case.personal_data
    assert case.restrict_dissemination
    assert set(case.participants.values_list("code", flat=True)) == {"RO", "BG", "IT"}
    page = client.get(response["Location"]).content.decode()
    assert "H2" in page


def test_a_refused_case_is_shown_again_with_the_observer_named_and_nothing_saved(
    login, lo_ro: Officer
) -> None:
    before = Case.objects.count()
    response = login(lo_ro).post(
        "/cases/new/",
        {
            "kind": "joint_investigation",
            "name": "Refused",
            "status": "planned",
            "started_on": "2026-02-01",
            "ended_on": "2026-03-01",
            "agencies": agency_ids("Police of Austria"),
            "personal_data": "on",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved." in html
    assert "Police of Austria (AT) belongs to an observer" in html
    assert 'value="Refused"' in html  # what was typed stays
    assert Case.objects.count() == before


def test_a_period_in_the_wrong_order_is_refused_next_to_its_field(login, lo_ro: Officer) -> None:
    before = Case.objects.count()
    response = login(lo_ro).post(
        "/cases/new/",
        {
            "kind": "regional_operation",
            "name": "Backwards",
            "status": "planned",
            "started_on": "2026-05-01",
            "ended_on": "2026-04-01",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["ended_on"]
    assert Case.objects.count() == before


def test_adding_a_meeting_with_attachments_through_the_page(login, lo_ro: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    response = login(lo_ro).post(
        f"/cases/{case.reference}/meetings/new/",
        {
            "held_on": "2026-04-01",
            "held_until": "2026-04-02",
            "place": "Bucharest",
            "parties": list(case.participants.values_list("pk", flat=True)),
            "decisions": "A one-time action.",
            "attachments": [
                SimpleUploadedFile("agenda.txt", b"1. Routes\n2. Action day", "text/plain"),
                SimpleUploadedFile("notes.csv", b"route,count\nGiurgiu,3\n", "text/csv"),
            ],
        },
    )
    assert response.status_code == 302
    meeting = OperationalMeeting.objects.get(case=case)
    assert sorted(a.filename for a in meeting.attachments.all()) == ["agenda.txt", "notes.csv"]
    page = login(lo_ro).get(f"/cases/{case.reference}/").content.decode()
    attachment = meeting.attachments.get(content_type="text/plain")
    assert f"/cases/attachments/{attachment.pk}/" in page
    download = login(lo_ro).get(f"/cases/attachments/{attachment.pk}/")
    assert download.content == b"1. Routes\n2. Action day"
    assert download["Cache-Control"] == "private, no-store"


def test_a_meeting_with_a_disguised_file_is_refused_and_nothing_saved(
    login, lo_ro: Officer
) -> None:
    case = open_case(lo_ro)
    response = login(lo_ro).post(
        f"/cases/{case.reference}/meetings/new/",
        {
            "held_on": "2026-04-01",
            "place": "Bucharest",
            "attachments": [SimpleUploadedFile("report.pdf", b"plain text", "application/pdf")],
        },
    )
    assert response.status_code == 400
    assert "report.pdf" in response.content.decode()
    assert not OperationalMeeting.objects.filter(case=case).exists()
    assert not MeetingAttachment.objects.filter(meeting__case=case).exists()


def test_recording_results_with_several_seizure_lines(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    client = login(lo_bg)
    form = client.get(f"/cases/{case.reference}/results/new/")
    # Bulgaria's agency reports for Bulgaria only: the one choice offered.
    assert [label for _value, label in form.context["form"].fields["party"].choices] == [
        "Bulgaria (BG)"
    ]
    bulgaria = case.participants.get(code="BG")
    response = client.post(
        f"/cases/{case.reference}/results/new/",
        {
            **SEIZURE_MANAGEMENT,
            **NO_COUNTS,
            "party": bulgaria.pk,
            "reported_on": "2026-04-05",
            "persons_arrested": 4,
            "seizure-0-item": "cigarettes",
            "seizure-0-quantity": "12000",
            "seizure-0-unit": "pieces",
            "seizure-1-item": "counterfeit_banknotes",
            "seizure-1-quantity": "350",
            "seizure-1-unit": "pieces",
            "seizure-1-description": "EUR 50 notes",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    result = Result.objects.get(case=case)
    assert result.persons_arrested == 4
    assert sorted(s.item for s in result.seizures.all()) == ["cigarettes", "counterfeit_banknotes"]


def test_a_bad_seizure_line_refuses_the_whole_report(login, lo_ro: Officer) -> None:
    case = open_case(lo_ro)
    romania = case.participants.get(code="RO")
    response = login(lo_ro).post(
        f"/cases/{case.reference}/results/new/",
        {
            **SEIZURE_MANAGEMENT,
            **NO_COUNTS,
            "party": romania.pk,
            "reported_on": "2026-04-05",
            "persons_arrested": 2,
            "seizure-0-item": "heroin",
            "seizure-0-quantity": "3",
            "seizure-0-unit": "kg",
            "seizure-1-item": "cocaine",
            "seizure-1-quantity": "0",
            "seizure-1-unit": "kg",
        },
    )
    assert response.status_code == 400
    assert "Nothing was saved." in response.content.decode()
    assert not Result.objects.filter(case=case).exists()


def test_the_list_shows_my_cases_and_filters_them(login, lo_ro: Officer, outsider: Officer) -> None:
    operation = open_case(lo_ro, name="Containment III")
    joint = open_case(lo_ro, kind="joint_investigation", status=CaseStatus.PLANNED, name="Dora")
    client = login(lo_ro)
    everything = client.get("/cases/").content.decode()
    assert operation.reference in everything
    assert joint.reference in everything
    only_joint = client.get("/cases/", {"kind": "joint_investigation"}).content.decode()
    assert joint.reference in only_joint
    assert operation.reference not in only_joint
    planned = client.get("/cases/", {"status": "planned"}).content.decode()
    assert joint.reference in planned
    assert operation.reference not in planned
    client.logout()
    theirs = login(outsider).get("/cases/").content.decode()
    assert operation.reference not in theirs
    assert "You take part in no case yet." in theirs


def _listed(html: str, cases: list[Case]) -> list[str]:
    """The references of ``cases`` the page lists, in the page's order."""
    found = {case.reference: html.find(f"<code>{case.reference}</code>") for case in cases}
    return sorted((ref for ref, at in found.items() if at >= 0), key=found.__getitem__)


def _link(html: str, label: str) -> str | None:
    match = re.search(rf'<a href="(\?[^"]*)">{label}</a>', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_the_list_pages_by_fifty_newest_first_and_its_links_keep_the_filters(
    login, lo_ro: Officer
) -> None:
    # All begun the same day: the id orders them.
    cases = [open_case(lo_ro, name=f"Operation {n}") for n in range(52)]
    newest_first = [case.reference for case in reversed(cases)]
    open_case(lo_ro, kind="joint_investigation", name="Not an operation")
    client = login(lo_ro)

    with CaptureQueriesContext(connection) as reading_first:
        first = client.get("/cases/", {"kind": "regional_operation"}).content.decode()
    assert _listed(first, cases) == newest_first[:50]
    assert _link(first, "Newer") is None
    older = _link(first, "Older")
    assert older is not None
    assert "kind=regional_operation" in older

    with CaptureQueriesContext(connection) as reading_second:
        second = client.get(f"/cases/{older}").content.decode()
    assert _listed(second, cases) == newest_first[50:]
    assert "Not an operation" not in second
    assert _link(second, "Older") is None
    newer = _link(second, "Newer")
    assert newer is not None
    assert _listed(client.get(f"/cases/{newer}").content.decode(), cases) == newest_first[:50]
    # A page of fifty and a page of two cost the same queries.
    assert len(reading_second) == len(reading_first)

    damaged = client.get(
        "/cases/", {"kind": "regional_operation", "after": "yesterday_1"}
    ).content.decode()
    assert "The page link was not understood: the first page is shown." in damaged
    assert _listed(damaged, cases) == newest_first[:50]


def test_the_navigation_offers_cases_to_officers_and_analysts_only(
    login, lo_ro: Officer, analyst: Officer, dpo: Officer
) -> None:
    link = 'href="/cases/"'
    assert link in login(lo_ro).get("/").content.decode()
    assert link in login(analyst).get("/").content.decode()
    assert link not in login(dpo).get("/").content.decode()


def test_a_participant_refused_an_action_is_told_why(login, lo_ro: Officer, lo_bg: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    response = login(lo_bg).get(f"/cases/{case.reference}/invite/")
    assert response.status_code == 403
    assert "only the lead party&#x27;s agencies" in response.content.decode()


def test_the_status_page_offers_only_the_next_statuses(login, lo_ro: Officer) -> None:
    case = open_case(lo_ro, status=CaseStatus.PLANNED)
    client = login(lo_ro)
    form = client.get(f"/cases/{case.reference}/status/").context["form"]
    assert [value for value, _label in form.fields["status"].choices] == ["active", "closed"]
    response = client.post(f"/cases/{case.reference}/status/", {"status": "action_day"})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PLANNED
    assert client.post(f"/cases/{case.reference}/status/", {"status": "active"}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVE


def test_the_observer_rule_is_shown_on_the_invite_page(login, lo_ro: Officer) -> None:
    case = open_case(lo_ro, personal=True)
    response = login(lo_ro).post(
        f"/cases/{case.reference}/invite/", {"agencies": agency_ids("Police of Austria")}
    )
    assert response.status_code == 400
    assert "Police of Austria (AT) belongs to an observer" in response.content.decode()
    assert not case.agencies.filter(name="Police of Austria").exists()


def test_a_warning_sent_in_the_case_is_on_its_timeline(login, lo_ro: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    warning = send_in_case(lo_ro, case, kind=ExchangeKind.WARNING)
    html = login(lo_ro).get(f"/cases/{case.reference}/").content.decode()
    assert f'href="/exchanges/{warning.reference}/"' in html
    assert "Warning" in html
    assert Exchange.objects.get(pk=warning.pk).case_id == case.pk


def test_the_lead_edits_the_case_and_the_observer_rule_holds(login, lo_ro: Officer) -> None:
    case = open_case(lo_ro, "Police of Austria")
    client = login(lo_ro)
    form = client.get(f"/cases/{case.reference}/edit/").context["form"]
    assert form.initial["name"] == "Mirage"
    fields = {"name": "Mirage II", "started_on": "2026-03-01", "h3_text": "Not for the press."}
    assert client.post(f"/cases/{case.reference}/edit/", fields).status_code == 302
    edited = Case.objects.get(pk=case.pk)
    assert (edited.name, edited.handling_codes) == ("Mirage II", ["H3"])
    refused = client.post(f"/cases/{case.reference}/edit/", fields | {"personal_data": "on"})
    assert refused.status_code == 400
    assert "takes part as an observer" in refused.content.decode()
    assert Case.objects.get(pk=case.pk).personal_data is False


def test_an_analyst_opens_a_case_for_a_lead_agency_through_the_page(
    login, analyst: Officer
) -> None:
    client = login(analyst)
    assert "Lead agency" in client.get("/cases/new/").content.decode()
    response = client.post(
        "/cases/new/",
        {
            "kind": "joint_investigation",
            "name": "Dora",
            "status": "active",
            "started_on": "2008-06-01",
            "lead_agency": agency_ids("Albanian State Police")[0],
            "agencies": agency_ids("Serbian Police"),
        },
    )
    assert response.status_code == 302
    # Found by the reference the page leads to: a name is encrypted, no query can match it.
    case = Case.objects.get(reference=response["Location"].split("/")[2])
    assert case.name == "Dora"
    assert case.lead_party.code == "AL"
    assert list(case.analysts.all()) == [analyst]
