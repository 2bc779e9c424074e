"""The compose page: sending a request or an information exchange, and "Who will see this"."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exchanges.forms_entities import ENTITY_FORMS
from exchanges.models import Attachment, Entity, Exchange
from partners.models import Agency, Officer, Party
from partners.services.directory import agency_create
from selec.core.models import AuditEvent
from taskforces.models import CrimeArea
from tests.exchanges.scenario import agency_ids

pytestmark = pytest.mark.django_db

COMPOSE = reverse("exchanges:compose")
AUDIENCE = reverse("exchanges:compose_audience")
A_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def _management(**rows: int) -> dict[str, Any]:
    """The management forms of every entity formset (one blank row each unless told)."""
    data: dict[str, Any] = {}
    for form, _title, _add in ENTITY_FORMS:
        prefix = form.kind.value
        data[f"{prefix}-TOTAL_FORMS"] = rows.get(prefix, 1)
        data[f"{prefix}-INITIAL_FORMS"] = 0
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 50
    return data


def _a_person() -> dict[str, Any]:
    return {
        "person-0-names": "Ђорђе Ђорђевић",
        "person-0-aliases": "Djordje, Đorđe D.",
        "person-0-date_of_birth": "1980-04-12",
        "person-0-nationality": "rs",
        "person-0-document_type": "passport",
        "person-0-document_number": "012345678",
        "person-0-document_issuing_country": "RS",
    }


def _compose_data(*recipients: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "request",
        "recipients": agency_ids(*recipients),
        "crime_area": CrimeArea.objects.get(code="drugs").pk,
        "task_force": "",
        "priority": "urgent",
        "subject": "Cocaine shipment via Constanța",
        "body": "Container MSCU 123456-7 expected on 3 December.",
        "source_reliability": "",
        "information_accuracy": "",
        "h3_text": "",
        **_management(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _errors_of(response: Any, field_id: str) -> str:
    """The text of the error list Django renders next to a field (linked by aria-describedby)."""
    content = response.content.decode()
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', content, re.S)
    assert match, f"no errors next to {field_id}"
    assert re.search(rf'aria-describedby="[^"]*\b{field_id}_error\b', content), field_id
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))


def _panel(response: Any) -> tuple[str, str]:
    """The audience fragment split into who will see the exchange and who would be refused."""
    content = html.unescape(response.content.decode())
    granted, _sep, refused = content.partition('class="refused-title"')
    return granted, refused


# --- The page -------------------------------------------------------------------------------


def _croatian_police() -> Agency:
    """An agency of a former member (the reference data gives former members none)."""
    return agency_create(
        actor=None, party=Party.objects.get(code="HR"), name="Croatian Police", kind="police"
    )


def test_it_shows_the_form_to_a_liaison_officer(login, lo_ro: Officer) -> None:
    _croatian_police()
    response = login(lo_ro).get(COMPOSE)
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "<legend>Bulgaria (member)</legend>" in content
    assert "<legend>Austria (observer)</legend>" in content
    assert "Bulgarian Police" in content
    assert "National Focal Point of Bulgaria" in content
    # The officer's own agency and former members' agencies are not offered.
    recipients = re.search(r'<div id="recipient-groups".*?</fieldset>\s*</div>', content, re.S)
    assert recipients is not None
    assert f'value="{lo_ro.agency_id}"' not in recipients.group(0)
    assert "Romanian Customs Authority" in recipients.group(0)
    assert "Croatian Police" not in content
    assert 'id="due-dates"' in content
    assert "Due by" in content
    assert "MB each" in content
    # The H3 text is in the page without JavaScript; compose.js hides it until H3 is ticked.
    assert 'name="h3_text"' in content
    assert 'id="person-empty"' in content
    assert 'hx-post="' + AUDIENCE + '"' in content
    assert '"X-CSRFToken": "' in content


def test_secretariat_staff_without_an_agency_get_403_with_the_reason(
    login, analyst: Officer
) -> None:
    client = login(analyst)
    response = client.get(COMPOSE)
    assert response.status_code == 403
    assert "Only officers of an agency send exchanges" in response.content.decode()
    assert client.post(AUDIENCE, {}).status_code == 403


def test_the_audience_endpoint_answers_post_only(login, lo_ro: Officer) -> None:
    assert login(lo_ro).get(AUDIENCE).status_code == 405


def test_the_compose_page_costs_the_same_queries_with_30_more_agencies(
    login,
    lo_ro: Officer,
) -> None:
    client = login(lo_ro)
    client.get(COMPOSE)  # warm the session and caches
    with CaptureQueriesContext(connection) as before:
        assert client.get(COMPOSE).status_code == 200
    bulgaria = Party.objects.get(code="BG")
    for n in range(30):
        agency_create(actor=None, party=bulgaria, name=f"Regional Directorate {n}", kind="police")
    with CaptureQueriesContext(connection) as after:
        response = client.get(COMPOSE)
    assert "Regional Directorate 29" in response.content.decode()
    assert len(after.captured_queries) == len(before.captured_queries), [
        q["sql"][:120] for q in after.captured_queries
    ]


# --- Sending --------------------------------------------------------------------------------


def test_a_valid_post_with_a_person_and_a_pdf_sends_and_redirects_to_the_thread(
    login,
    lo_ro: Officer,
    lo_bg: Officer,
) -> None:
    data = _compose_data(
        "Bulgarian Police",
        "Turkish Customs",
        personal_data="on",
        source_reliability="B",
        information_accuracy="2",
        h2="on",
        h3="on",
        h3_text="Not to be shared with the vehicle's registered owner.",
        attachments=[SimpleUploadedFile("report.pdf", A_PDF, content_type="application/pdf")],
        **_a_person(),
    )
    response = login(lo_ro).post(COMPOSE, data)
    exchange = Exchange.objects.filter(sender_agency=lo_ro.agency).latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("exchanges:thread", args=[exchange.reference])
    assert exchange.kind == "request"
    assert exchange.priority == "urgent"
    assert exchange.personal_data
    assert (exchange.source_reliability, exchange.information_accuracy) == ("B", "2")
    assert exchange.handling_codes == ["H2", "H3"]
    assert exchange.restriction_text == "Not to be shared with the vehicle's registered owner."
    assert set(exchange.recipients.values_list("agency_id", flat=True)) == set(
        agency_ids("Bulgarian Police", "Turkish Customs")
    )
    # The attribute keys are those the blind index reads.
    assert exchange.entities.get().attributes == {
        "names": "Ђорђе Ђорђевић",
        "aliases": ["Djordje", "Đorđe D."],
        "date_of_birth": "1980-04-12",
        "nationality": "RS",
        "documents": [{"type": "passport", "number": "012345678", "issuing_country": "RS"}],
    }
    attachment = exchange.attachments.get()
    assert (attachment.filename, attachment.content_type) == ("report.pdf", "application/pdf")
    assert [str(m) for m in response.wsgi_request._messages] == [f"Sent as {exchange.reference}."]


def test_strategic_information_without_entities_needs_no_evaluation(login, lo_ro: Officer) -> None:
    response = login(lo_ro).post(
        COMPOSE, _compose_data("Police of Austria", kind="information", priority="routine")
    )
    assert response.status_code == 302
    exchange = Exchange.objects.filter(sender_agency=lo_ro.agency).latest("pk")
    assert not exchange.personal_data
    assert exchange.entities.count() == 0


def test_several_rows_of_several_kinds_become_entities_and_blank_rows_are_ignored(
    login,
    lo_ro: Officer,
) -> None:
    data = _compose_data(
        "Bulgarian Police",
        source_reliability="A",
        information_accuracy="1",
        **{
            **_management(vehicle=3, phone=1, bank_account=1),
            "vehicle-0-plate": "B 123 ABC",
            "vehicle-0-make": "Dacia",
            "vehicle-2-vin": "WVWZZZ1JZXW000001",
            "phone-0-number": "+40 721 000 000",
            "bank_account-0-iban": "RO49 AAAA 1B31 0075 9384 0000",
            "bank_account-0-holder": "SC Example SRL",
        },
    )
    response = login(lo_ro).post(COMPOSE, data)
    assert response.status_code == 302
    exchange = Exchange.objects.filter(sender_agency=lo_ro.agency).latest("pk")
    assert sorted(
        (e.kind, json.dumps(e.attributes, sort_keys=True)) for e in exchange.entities.all()
    ) == sorted(
        (kind, json.dumps(attributes, sort_keys=True))
        for kind, attributes in [
            ("vehicle", {"plate": "B 123 ABC", "make": "Dacia"}),
            ("vehicle", {"vin": "WVWZZZ1JZXW000001"}),
            ("phone", {"number": "+40 721 000 000"}),
            ("bank_account", {"iban": "RO49 AAAA 1B31 0075 9384 0000", "holder": "SC Example SRL"}),
        ]
    )
    assert exchange.personal_data


def _counts() -> tuple[int, int, int, int]:
    return (
        Exchange.objects.count(),
        Entity.objects.count(),
        Attachment.objects.count(),
        AuditEvent.objects.count(),
    )


def test_personal_data_to_an_observer_is_shown_next_to_the_recipients_and_nothing_is_saved(
    login,
    lo_ro: Officer,
) -> None:
    before = _counts()
    data = _compose_data(
        "Bulgarian Police",
        "Police of Austria",
        personal_data="on",
        source_reliability="B",
        information_accuracy="2",
        subject="Typed by the officer",
    )
    response = login(lo_ro).post(COMPOSE, data)
    assert response.status_code == 200
    errors = _errors_of(response, "id_recipients")
    assert "Police of Austria (AT)" in errors
    assert "observer" in errors
    assert _counts() == before
    content = html.unescape(response.content.decode())
    # Shown again with what the officer typed, and the files to be chosen again.
    assert 'value="Typed by the officer"' in content
    assert "Nothing was sent." in content
    assert "choose them again" in content
    # The panel, rendered by the server, already names the refused agency.
    _granted, refused = _panel(response)
    assert "Police of Austria" in refused


def test_an_entity_without_evaluation_shows_the_evaluation_error(login, lo_ro: Officer) -> None:
    before = _counts()
    response = login(lo_ro).post(COMPOSE, _compose_data("Bulgarian Police", **_a_person()))
    assert response.status_code == 200
    assert "evaluation codes" in _errors_of(response, "id_source_reliability")
    assert 'aria-describedby="id_source_reliability_error"' in response.content.decode()
    assert _counts() == before


def test_a_disguised_attachment_is_shown_next_to_the_attachments_and_nothing_is_saved(
    login,
    lo_ro: Officer,
) -> None:
    before = _counts()
    disguised = SimpleUploadedFile(
        "report.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf"
    )
    response = login(lo_ro).post(
        COMPOSE, _compose_data("Bulgarian Police", attachments=[disguised])
    )
    assert response.status_code == 200
    errors = _errors_of(response, "id_attachments")
    assert "report.pdf" in errors
    assert "declared as application/pdf" in errors
    assert _counts() == before


def test_an_entity_row_missing_its_identifier_is_shown_on_the_row(login, lo_ro: Officer) -> None:
    before = _counts()
    data = _compose_data(
        "Bulgarian Police",
        source_reliability="B",
        information_accuracy="2",
        **{"vehicle-0-make": "Dacia", "person-0-nationality": "Romania"},
    )
    response = login(lo_ro).post(COMPOSE, data)
    assert response.status_code == 200
    assert "plate or the VIN" in _errors_of(response, "id_vehicle-0-plate")
    assert "ISO 3166" in _errors_of(response, "id_person-0-nationality")
    assert "required" in _errors_of(response, "id_person-0-names")
    assert _counts() == before


def test_an_h3_tick_needs_its_text(login, lo_ro: Officer) -> None:
    before = _counts()
    response = login(lo_ro).post(COMPOSE, _compose_data("Bulgarian Police", h3="on"))
    assert response.status_code == 200
    assert "Write the H3 restriction" in _errors_of(response, "id_restrictions")
    assert _counts() == before


# --- Who will see this ----------------------------------------------------------------------


def test_the_audience_lists_recipients_and_nfps_with_their_abilities_and_the_refused_observer(
    login,
    lo_ro: Officer,
) -> None:
    before = _counts()
    response = login(lo_ro).post(
        AUDIENCE,
        {
            "recipients": agency_ids("Bulgarian Police", "Police of Austria"),
            "personal_data": "on",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    granted, refused = _panel(response)
    assert re.search(r"Bulgarian Police</strong>.*?may read, reply, forward", granted, re.S)
    assert re.search(r"National Focal Point of Bulgaria</strong>.*?may read<", granted, re.S)
    assert re.search(r"National Focal Point of Romania</strong>", granted)
    assert "Police of Austria" not in granted
    assert "Police of Austria" in refused
    assert "observer" in refused
    assert _counts() == before


def test_the_audience_follows_the_restrictions(login, lo_ro: Officer) -> None:
    response = login(lo_ro).post(
        AUDIENCE, {"recipients": agency_ids("Bulgarian Police", "Police of Austria"), "h2": "on"}
    )
    granted, refused = _panel(response)
    line = re.search(r"Bulgarian Police</strong>.*?</li>", granted, re.S)
    assert line is not None
    assert "forward" not in line.group(0)
    assert "ask you to lift a restriction" in line.group(0)
    # Strategic information may go to an observer.
    assert "Police of Austria" in granted
    assert not refused


def test_an_entity_row_counts_as_personal_data_in_the_audience(login, lo_ro: Officer) -> None:
    response = login(lo_ro).post(
        AUDIENCE,
        {
            "recipients": agency_ids("Police of Austria"),
            **_management(),
            "phone-0-number": "+43 1 000 000",
        },
    )
    _granted, refused = _panel(response)
    assert "Police of Austria" in refused


def test_the_audience_ignores_agencies_the_officer_may_not_address(
    login,
    lo_ro: Officer,
) -> None:
    croatia = _croatian_police()
    response = login(lo_ro).post(AUDIENCE, {"recipients": [croatia.pk]})
    assert response.status_code == 200
    assert croatia.name not in response.content.decode()
