"""The thread's actions that take a form (reply, forward, dissemination requests, restrictions,
evidence export): who may take each, and what each changes."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exchanges.models import DisseminationRequest, DisseminationStatus, Exchange, Recipient
from exchanges.selectors import exchanges_visible_to
from exchanges.services import on_receipt, restriction_changes, sending
from partners.models import Officer
from selec.core.audit import justification_of
from selec.core.models import AuditAction, AuditEvent
from selec.core.policy_values import Restrictions
from tests.exchanges.scenario import agency_ids, message, send
from tests.exchanges.thread_pages import BODY, DOES_NOT_SEE, SUBJECT, _as, _url
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db


# --- Reply ----------------------------------------------------------------------------------


def test_the_reply_page_prefills_the_subject_once_the_parent_is_read(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    purpose_given(lo_bg, exchange)
    response = login(lo_bg).get(_url(exchange, "reply"))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'value="Re: {SUBJECT}"' in content
    # The parent's H2 is shown as already set and cannot be unticked.
    field = content[content.index('name="h2"') - 200 :]
    field = field[: field.index(">", 200) + 1]
    assert "checked" in field
    assert "disabled" in field


def test_a_reply_is_sent_with_several_attachments_and_lands_in_the_thread(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    client = login(lo_bg)
    response = client.post(
        _url(exchange, "reply"),
        {
            "subject": "Re: shipment",
            "body": "Seen in Ruse.",
            "h1": "on",
            "source_reliability": "",
            "information_accuracy": "",
            "attachments": [
                SimpleUploadedFile("a.txt", b"first report", content_type="text/plain"),
                SimpleUploadedFile("b.csv", b"plate,place\nB123,Ruse\n", content_type="text/csv"),
            ],
        },
    )
    assert response.status_code == 302
    answer = Exchange.objects.get(in_reply_to=exchange)
    assert response["Location"].startswith(_url(answer))
    assert (answer.restrict_dissemination, answer.restrict_evidence) == (True, True)
    assert sorted(a.filename for a in answer.attachments.all()) == ["a.txt", "b.csv"]
    assert Recipient.objects.get(exchange=exchange, agency=lo_bg.agency).answered_at is not None
    page = login(lo_ro).get(_url(exchange)).content.decode()
    assert answer.reference in page


def test_a_reply_the_service_refuses_is_shown_again_with_the_reason_and_nothing_is_saved(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", personal=True)
    response = login(lo_bg).post(
        _url(exchange, "reply"), {"subject": "Re: x", "body": "An answer without evaluation."}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "evaluation codes" in content
    assert 'aria-invalid="true"' in content
    assert not Exchange.objects.filter(in_reply_to=exchange).exists()


def test_a_reply_to_an_unconfirmed_h3_sends_the_reader_to_confirm_first(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    purpose_given(lo_bg, exchange)
    response = login(lo_bg).get(_url(exchange, "reply"))
    assert response.status_code == 302
    assert response["Location"].startswith(_url(exchange))
    assert not AuditEvent.objects.filter(
        action=AuditAction.CONSULTATION, object_id=str(exchange.pk)
    ).exists()


def test_an_observers_reply_with_personal_data_is_shown_again_with_the_rule_and_not_saved(
    login, lo_ro: Officer, obs_at: Officer
) -> None:
    exchange = send(lo_ro, "Police of Austria", kind="information")
    response = login(obs_at).post(
        _url(exchange, "reply"),
        {
            "subject": "Re: trend",
            "body": "The suspect is known to us.",
            "personal_data": "on",
            "source_reliability": "B",
            "information_accuracy": "2",
        },
    )
    assert response.status_code == 400
    assert "AT is an observer: observers do not send personal data" in response.content.decode()
    assert not Exchange.objects.filter(in_reply_to=exchange).exists()


def test_an_observers_strategic_reply_leads_to_a_page_its_author_opens(
    login, lo_ro: Officer, obs_at: Officer
) -> None:
    exchange = send(lo_ro, "Police of Austria", kind="information")
    client = login(obs_at)
    response = client.post(
        _url(exchange, "reply"), {"subject": "Re: trend", "body": "Routes changed in May."}
    )
    assert response.status_code == 302
    answer = Exchange.objects.get(in_reply_to=exchange)
    assert response["Location"].startswith(_url(answer))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Routes changed in May." in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"), [("nfp_bg", 403), ("nfp_ro", 403), *((p, 404) for p in DOES_NOT_SEE)]
)
def test_only_the_two_sides_reply(
    request, login, lo_ro: Officer, persona: str, status: int
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    _, client = _as(request, login, persona)
    assert client.get(_url(exchange, "reply")).status_code == status
    response = client.post(_url(exchange, "reply"), {"subject": "Re", "body": "An answer."})
    assert response.status_code == status
    if status == 403:
        assert "but not reply" in response.content.decode()
    assert not Exchange.objects.filter(in_reply_to=exchange).exists()


# --- Forward --------------------------------------------------------------------------------


def test_a_recipient_forwards_to_further_agencies_and_they_see_it(
    login, lo_ro: Officer, lo_bg: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = login(lo_bg)
    page = client.get(_url(exchange, "forward")).content.decode()
    greek = agency_ids("Hellenic Police")[0]
    assert f'<option value="{greek}">Hellenic Police</option>' in page
    assert '<optgroup label="Greece (GR)">' in page
    for excluded in agency_ids("Bulgarian Police", "Romanian Police"):  # own agency, the sender
        assert f'<option value="{excluded}">' not in page
    response = client.post(
        _url(exchange, "forward"), {"agencies": [greek], "justification": "Joint case"}
    )
    assert response.status_code == 302
    assert exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()
    assert f'<option value="{greek}">' not in client.get(_url(exchange, "forward")).content.decode()


def test_under_h2_forwarding_is_refused_with_the_reason_until_the_provider_grants_it(
    login, lo_ro: Officer, lo_bg: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    client = login(lo_bg)
    greek = agency_ids("Hellenic Police")
    response = client.post(_url(exchange, "forward"), {"agencies": greek, "justification": "x"})
    assert response.status_code == 403
    content = response.content.decode()
    assert "H2: the provider has not allowed dissemination to Hellenic Police" in content
    assert 'role="alert"' in content
    assert not exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("nfp_bg", 403), *((p, 404) for p in DOES_NOT_SEE)]
)
def test_only_the_agencies_on_the_exchange_forward_it(
    request, login, lo_ro: Officer, persona: str, status: int
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    _, client = _as(request, login, persona)
    response = client.post(
        _url(exchange, "forward"),
        {"agencies": agency_ids("Turkish Customs"), "justification": "x"},
    )
    assert response.status_code == status
    assert not Recipient.objects.filter(exchange=exchange, agency__name="Turkish Customs").exists()


def test_a_forward_with_no_agency_is_shown_again_with_the_error(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    response = login(lo_bg).post(_url(exchange, "forward"), {"justification": "x"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


# --- Dissemination requests -----------------------------------------------------------------


def test_a_recipient_asks_the_provider_to_share_and_the_provider_grants_from_the_thread(
    login, lo_ro: Officer, lo_bg: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    client = login(lo_bg)
    assert client.get(_url(exchange, "dissemination")).status_code == 200
    greek = agency_ids("Hellenic Police")
    response = client.post(
        _url(exchange, "dissemination"),
        {
            "kind": "share",
            "target_agencies": greek,
            "intended_use": "Joint investigation",
            "justification": "The suspect lives in Thessaloniki.",
        },
    )
    assert response.status_code == 302
    filed = DisseminationRequest.objects.get(exchange=exchange)
    assert list(filed.target_agencies.values_list("pk", flat=True)) == greek

    provider = login(lo_ro)
    page = provider.get(_url(exchange)).content.decode()
    assert "The suspect lives in Thessaloniki." in page
    assert f'action="/exchanges/dissemination-requests/{filed.pk}/decide/"' in page
    response = provider.post(
        f"/exchanges/dissemination-requests/{filed.pk}/decide/",
        {"decision": "grant", "note": "For the joint case only", "return_to": "thread"},
    )
    assert response.status_code == 302
    assert response["Location"] == _url(exchange)
    filed.refresh_from_db()
    assert filed.status == DisseminationStatus.GRANTED

    client = login(lo_bg)
    response = client.post(_url(exchange, "forward"), {"agencies": greek, "justification": "x"})
    assert response.status_code == 302
    assert exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()
    assert "For the joint case only" in client.get(_url(exchange)).content.decode()


def test_a_share_request_without_agencies_is_shown_again_with_the_error(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    response = login(lo_bg).post(
        _url(exchange, "dissemination"),
        {"kind": "share", "intended_use": "x", "justification": "y"},
    )
    assert response.status_code == 400
    assert "Name the agencies to share with." in response.content.decode()
    assert not DisseminationRequest.objects.filter(exchange=exchange).exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("lo_ro", 403), ("nfp_bg", 403), *((p, 404) for p in DOES_NOT_SEE)]
)
def test_only_a_recipient_asks_to_lift_a_restriction(
    request, login, lo_ro: Officer, persona: str, status: int
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H1")
    _, client = _as(request, login, persona)
    assert client.get(_url(exchange, "dissemination")).status_code == status
    response = client.post(
        _url(exchange, "dissemination"),
        {"kind": "evidence", "intended_use": "Trial", "justification": "Court order"},
    )
    assert response.status_code == status
    assert not DisseminationRequest.objects.filter(exchange=exchange).exists()


# --- Restrictions ---------------------------------------------------------------------------


def test_the_provider_tightens_and_loosens_with_the_current_state_prefilled(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H1")
    answer = sending.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    client = login(lo_ro)
    page = client.get(_url(exchange, "restrictions")).content.decode()
    evidence = page[page.index('name="h1"') :]
    assert "checked" in evidence[: evidence.index(">")]
    dissemination = page[page.index('name="h2"') :]
    assert "checked" not in dissemination[: dissemination.index(">")]

    response = client.post(_url(exchange, "restrictions"), {"h1": "on", "h2": "on", "h3_text": ""})
    assert response.status_code == 302
    exchange.refresh_from_db()
    answer.refresh_from_db()
    assert (exchange.restrict_evidence, exchange.restrict_dissemination) == (True, True)
    assert answer.restrict_dissemination  # tightening reaches the replies
    assert "H1 H2" in client.get(_url(exchange)).content.decode()

    response = client.post(_url(exchange, "restrictions"), {"h3_text": ""})
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.handling_codes == ["H0"]


def test_saving_an_unchanged_h3_text_does_not_ask_readers_to_confirm_again(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    restriction_changes.exchange_change_restrictions(
        officer=lo_ro, exchange=exchange, restrictions=Restrictions(text="Line one.\nLine two.")
    )
    on_receipt.exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    purpose_given(lo_bg, exchange)
    response = login(lo_ro).post(
        _url(exchange, "restrictions"), {"h1": "on", "h3_text": "Line one.\r\nLine two.\r\n"}
    )
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.restriction_text == "Line one.\nLine two."
    assert BODY in login(lo_bg).get(_url(exchange)).content.decode()


def test_a_stored_crlf_h3_text_saved_unchanged_keeps_its_bytes_and_the_confirmations(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    # A text stored with CRLF (before texts were normalised) is the same text as its LF form:
    # the service keeps the stored bytes, which the reader's confirmation is of.
    exchange = send(lo_ro, "Bulgarian Police")
    exchange.restriction_text = "Line one.\r\nLine two."
    exchange.save(update_fields=["restriction_text"])  # encrypted by the field, as it is kept
    on_receipt.exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    purpose_given(lo_bg, exchange)
    response = login(lo_ro).post(
        _url(exchange, "restrictions"), {"h1": "on", "h3_text": "Line one.\nLine two."}
    )
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.restrict_evidence
    assert exchange.restriction_text == "Line one.\r\nLine two."
    assert BODY in login(lo_bg).get(_url(exchange)).content.decode()


@pytest.mark.parametrize(
    ("persona", "status"), [("lo_bg", 403), ("nfp_bg", 403), *((p, 404) for p in DOES_NOT_SEE)]
)
def test_only_the_provider_changes_restrictions(
    request, login, lo_ro: Officer, persona: str, status: int
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    _, client = _as(request, login, persona)
    response = client.get(_url(exchange, "restrictions"))
    assert response.status_code == status
    if status == 403:
        assert "but not manage" in response.content.decode()
    assert client.post(_url(exchange, "restrictions"), {"h3_text": ""}).status_code == status
    exchange.refresh_from_db()
    assert exchange.restrict_dissemination


# --- Evidence export ------------------------------------------------------------------------


def test_the_provider_exports_an_h1_exchange_as_an_evidence_file(login, lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H1")
    response = login(lo_ro).post(_url(exchange, "evidence"), {"justification": "Case 12/2026"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="{exchange.reference}-evidence.json"'
    )
    bundle = json.loads(response.content)
    assert bundle["reference"] == exchange.reference
    assert bundle["body"] == BODY
    (event,) = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(exchange.pk))
    assert event.reason == "evidence export"
    assert justification_of(event) == "Case 12/2026"


def test_under_h1_a_recipient_is_refused_the_export_with_the_reason(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H1")
    response = login(lo_bg).post(_url(exchange, "evidence"), {"justification": "Case 12/2026"})
    assert response.status_code == 403
    content = response.content.decode()
    assert "but not export evidence" in content
    assert BODY not in content
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_without_h1_a_recipient_exports_and_an_empty_justification_is_refused(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, exchange)
    client = login(lo_bg)
    refused = client.post(_url(exchange, "evidence"), {"justification": ""})
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.content.decode()
    assert client.post(_url(exchange, "evidence"), {"justification": "Case 1"}).status_code == 200
    assert client.get(_url(exchange, "evidence")).status_code == 405


@pytest.mark.parametrize(
    ("persona", "status"), [("nfp_bg", 403), *((p, 404) for p in DOES_NOT_SEE)]
)
def test_the_export_is_refused_to_those_who_may_not_make_it(
    request, login, lo_ro: Officer, persona: str, status: int
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    _, client = _as(request, login, persona)
    assert client.post(_url(exchange, "evidence"), {"justification": "x"}).status_code == status
