"""The thread page and its actions: who gets what, what each action changes, and at what cost."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from exchanges import services
from exchanges.models import DisseminationRequest, DisseminationStatus, Exchange, Recipient
from exchanges.selectors import exchanges_visible_to
from partners.models import Officer
from selec.core.audit import justification_of
from selec.core.models import AuditAction, AuditEvent
from selec.core.policy_values import Restrictions
from tests.exchanges.scenario import CODES, agency_ids, message, send

pytestmark = pytest.mark.django_db

SUBJECT = "Cocaine shipment via Constanța"
BODY = "Container MSCU 123456-7 expected on 3 December."
H3_TEXT = CODES["H3"].text
H3_HTML = escape(H3_TEXT)

# For an exchange from the Romanian Police to the Bulgarian Police: who may see it.
SEES = ["lo_ro", "lo_bg", "nfp_bg", "nfp_ro"]
DOES_NOT_SEE = ["obs_at", "outsider", "lo_al", "analyst"]


def _url(exchange: Exchange, action: str = "") -> str:
    return f"/exchanges/{exchange.reference}/" + (f"{action}/" if action else "")


def _as(request: pytest.FixtureRequest, login, persona: str) -> tuple[Officer, Client]:  # type: ignore[no-untyped-def]
    officer = request.getfixturevalue(persona)
    return officer, login(officer)


def _fragment(client: Client, exchange: Exchange):  # type: ignore[no-untyped-def]
    return client.get(_url(exchange), {"part": "content"}, HTTP_HX_REQUEST="true")


# --- The thread page ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", SEES)
def test_it_shows_the_message_with_its_content_to_whoever_may_see_it(
    request, login, lo_ro: Officer, persona: str
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police")
    officer, client = _as(request, login, persona)
    response = client.get(_url(exchange))
    assert response.status_code == 200
    content = response.content.decode()
    assert SUBJECT in content
    assert BODY in content
    assert AuditEvent.objects.filter(
        action=AuditAction.CONSULTATION, object_id=str(exchange.pk), actor=officer
    ).exists()


@pytest.mark.parametrize("persona", DOES_NOT_SEE)
def test_it_answers_404_to_whoever_may_not_see_the_exchange(
    request, login, lo_ro: Officer, persona: str
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police")
    _, client = _as(request, login, persona)
    assert client.get(_url(exchange)).status_code == 404
    assert client.get("/exchanges/SELEC-1999-000001/").status_code == 404


def test_it_shows_metadata_restrictions_evaluation_entities_attachments_and_receipts(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H1", personal=True)
    content = login(lo_bg).get(_url(exchange)).content.decode()
    assert "Romanian Police" in content
    assert (
        "Not to be disclosed in judicial proceedings without the permission of the provider."
        in (content)
    )
    assert "B: source has proved mostly reliable" in content
    assert "2: known personally to the source, not to the official passing it" in content
    assert "<dt>Names</dt><dd>Ђорђе Ђорђевић</dd>" in content
    attachment = exchange.attachments.get()
    assert f'href="/exchanges/attachments/{attachment.pk}/"' in content
    assert "note.txt" in content
    receipts = content[content.index("Receipts</h3>") :]
    assert "Bulgarian Police" in receipts
    assert "Turkish Customs" in receipts
    # Reading it marked the Bulgarian receipt read (the page shows it: a time, not a dash).
    assert Recipient.objects.get(exchange=exchange, agency=lo_bg.agency).read_at is not None


def test_an_overdue_request_is_marked_overdue(login, lo_ro: Officer, lo_bg: Officer) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police")
    client = login(lo_bg)
    assert 'class="badge overdue"' not in client.get(_url(exchange)).content.decode()
    Exchange.objects.filter(pk=exchange.pk).update(due_at=exchange.sent_at.replace(year=2000))
    assert 'class="badge overdue"' in client.get(_url(exchange)).content.decode()


def test_it_lists_the_replies_the_officer_may_see_and_opens_each_one_as_it_comes_into_view(
    login, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs")
    answer = services.exchange_reply(
        officer=lo_bg,
        parent=exchange,
        message=message(subject="Re: shipment", body="Seen in Ruse.", attachments=()),
    )
    client = login(lo_ro)
    content = client.get(_url(exchange)).content.decode()
    assert f'id="message-{answer.reference}"' in content
    assert content.index(exchange.reference) < content.index(f'id="message-{answer.reference}"')
    # The reply's content is not on the page: it opens as it scrolls into view.
    assert "Seen in Ruse." not in content
    assert f'hx-get="/exchanges/{answer.reference}/?part=content"' in content
    fragment = _fragment(client, answer)
    assert fragment.status_code == 200
    assert "Seen in Ruse." in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.CONSULTATION, object_id=str(answer.pk), actor=lo_ro
    ).exists()
    # The Turkish Customs see the request, not the Bulgarian answer to the Romanians.
    turkish = login(lo_tr).get(_url(exchange)).content.decode()
    assert answer.reference not in turkish
    assert login(lo_tr).get(_url(answer)).status_code == 404
    assert _fragment(login(lo_tr), answer).status_code == 404


def test_it_offers_each_persona_only_the_actions_it_may_take(
    login, lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    recipient = login(lo_bg).get(_url(exchange)).content.decode()
    for action in ("acknowledge", "reply", "forward", "dissemination"):
        assert f'action="{_url(exchange, action)}"' in recipient or (
            f'href="{_url(exchange, action)}"' in recipient
        ), action
    assert _url(exchange, "restrictions") not in recipient
    assert _url(exchange, "evidence") in recipient  # H2 alone does not block the evidence export

    provider = login(lo_ro).get(_url(exchange)).content.decode()
    assert f'href="{_url(exchange, "restrictions")}"' in provider
    assert f'action="{_url(exchange, "evidence")}"' in provider
    assert _url(exchange, "acknowledge") not in provider
    assert _url(exchange, "dissemination") not in provider

    nfp = login(nfp_bg).get(_url(exchange)).content.decode()
    assert _url(exchange, "acknowledge") in nfp  # on behalf of the Bulgarian agencies
    for action in ("reply", "forward", "dissemination", "restrictions", "evidence"):
        assert _url(exchange, action) not in nfp, action


# --- H3 -------------------------------------------------------------------------------------


def test_h3_content_stays_off_the_page_until_the_reader_confirms_the_text(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    client = login(lo_bg)
    gated = client.get(_url(exchange)).content.decode()
    assert H3_HTML in gated
    assert "I have read and will respect this restriction" in gated
    assert f'action="{_url(exchange, "confirm")}"' in gated
    assert SUBJECT not in gated
    assert BODY not in gated
    assert "note.txt" not in gated
    assert SUBJECT not in _fragment(client, exchange).content.decode()

    response = client.post(_url(exchange, "confirm"))
    assert response.status_code == 302
    assert response["Location"].startswith(_url(exchange))
    opened = client.get(_url(exchange)).content.decode()
    assert SUBJECT in opened
    assert BODY in opened
    assert "I have read and will respect this restriction" not in opened


def test_a_confirmation_is_asked_again_when_the_provider_changes_the_text(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    client = login(lo_bg)
    client.post(_url(exchange, "confirm"))
    services.exchange_change_restrictions(
        officer=lo_ro,
        exchange=exchange,
        restrictions=Restrictions(text=H3_TEXT + " Nor the press."),
    )
    assert BODY not in client.get(_url(exchange)).content.decode()


def test_only_those_who_see_the_exchange_may_confirm_its_restriction(
    login, lo_ro: Officer, outsider: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    client = login(outsider)
    assert client.post(_url(exchange, "confirm")).status_code == 404
    assert client.get(_url(exchange, "confirm")).status_code in (404, 405)


# --- Acknowledge ----------------------------------------------------------------------------


def test_the_recipient_acknowledges_its_receipt(login, lo_ro: Officer, lo_bg: Officer) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police")
    client = login(lo_bg)
    assert client.get(_url(exchange, "acknowledge")).status_code == 405
    response = client.post(_url(exchange, "acknowledge"))
    assert response.status_code == 302
    assert response["Location"] == _url(exchange)
    receipt = Recipient.objects.get(exchange=exchange, agency=lo_bg.agency)
    assert receipt.acknowledged_at is not None
    page = client.get(_url(exchange)).content.decode()
    assert f"Receipt of {exchange.reference} acknowledged." in page
    assert _url(exchange, "acknowledge") not in page  # nothing left to acknowledge


def test_the_nfp_acknowledges_for_its_country_and_the_sender_has_nothing_to_acknowledge(  # type: ignore[no-untyped-def]
    login, lo_ro: Officer, nfp_bg: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    response = login(lo_ro).post(_url(exchange, "acknowledge"), follow=True)
    assert "Nothing to acknowledge" in response.content.decode()
    assert not Recipient.objects.filter(exchange=exchange, acknowledged_at__isnull=False).exists()
    response = login(nfp_bg).post(_url(exchange, "acknowledge"))
    assert response.status_code == 302
    assert Recipient.objects.get(exchange=exchange, agency=lo_bg.agency).acknowledged_at is not None


@pytest.mark.parametrize("persona", DOES_NOT_SEE)
def test_those_who_may_not_see_cannot_acknowledge(
    request, login, lo_ro: Officer, persona: str
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police")
    _, client = _as(request, login, persona)
    assert client.post(_url(exchange, "acknowledge")).status_code == 404
    assert not Recipient.objects.filter(exchange=exchange, acknowledged_at__isnull=False).exists()


# --- Reply ----------------------------------------------------------------------------------


def test_the_reply_page_prefills_the_subject_once_the_parent_is_read(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    response = login(lo_bg).get(_url(exchange, "reply"))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'value="Re: {SUBJECT}"' in content
    # The parent's H2 is shown as already set and cannot be unticked.
    field = content[content.index('name="restrict_dissemination"') - 200 :]
    field = field[: field.index(">", 200) + 1]
    assert "checked" in field
    assert "disabled" in field


def test_a_reply_is_sent_with_several_attachments_and_lands_in_the_thread(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    client = login(lo_bg)
    response = client.post(
        _url(exchange, "reply"),
        {
            "subject": "Re: shipment",
            "body": "Seen in Ruse.",
            "restrict_evidence": "on",
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
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    response = login(lo_bg).get(_url(exchange, "reply"))
    assert response.status_code == 302
    assert response["Location"].startswith(_url(exchange))
    assert not AuditEvent.objects.filter(
        action=AuditAction.CONSULTATION, object_id=str(exchange.pk)
    ).exists()


def test_an_observers_reply_with_personal_data_is_shown_again_with_the_rule_and_not_saved(
    login, lo_ro: Officer, obs_at: Officer
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police")
    response = login(lo_bg).post(_url(exchange, "forward"), {"justification": "x"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


# --- Dissemination requests -----------------------------------------------------------------


def test_a_recipient_asks_the_provider_to_share_and_the_provider_grants_from_the_thread(
    login, lo_ro: Officer, lo_bg: Officer, outsider: Officer
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", code="H1")
    answer = services.exchange_reply(
        officer=lo_bg, parent=exchange, message=message(attachments=())
    )
    client = login(lo_ro)
    page = client.get(_url(exchange, "restrictions")).content.decode()
    evidence = page[page.index('name="evidence"') :]
    assert "checked" in evidence[: evidence.index(">")]
    dissemination = page[page.index('name="dissemination"') :]
    assert "checked" not in dissemination[: dissemination.index(">")]

    response = client.post(
        _url(exchange, "restrictions"), {"evidence": "on", "dissemination": "on", "text": ""}
    )
    assert response.status_code == 302
    exchange.refresh_from_db()
    answer.refresh_from_db()
    assert (exchange.restrict_evidence, exchange.restrict_dissemination) == (True, True)
    assert answer.restrict_dissemination  # tightening reaches the replies
    assert "H1 H2" in client.get(_url(exchange)).content.decode()

    response = client.post(_url(exchange, "restrictions"), {"text": ""})
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.handling_codes == ["H0"]


def test_saving_an_unchanged_h3_text_does_not_ask_readers_to_confirm_again(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police")
    services.exchange_change_restrictions(
        officer=lo_ro, exchange=exchange, restrictions=Restrictions(text="Line one.\nLine two.")
    )
    services.exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    response = login(lo_ro).post(
        _url(exchange, "restrictions"), {"evidence": "on", "text": "Line one.\r\nLine two.\r\n"}
    )
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.restriction_text == "Line one.\nLine two."
    assert BODY in login(lo_bg).get(_url(exchange)).content.decode()


@pytest.mark.parametrize(
    ("persona", "status"), [("lo_bg", 403), ("nfp_bg", 403), *((p, 404) for p in DOES_NOT_SEE)]
)
def test_only_the_provider_changes_restrictions(
    request, login, lo_ro: Officer, persona: str, status: int
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    _, client = _as(request, login, persona)
    response = client.get(_url(exchange, "restrictions"))
    assert response.status_code == status
    if status == 403:
        assert "but not manage" in response.content.decode()
    assert client.post(_url(exchange, "restrictions"), {"text": ""}).status_code == status
    exchange.refresh_from_db()
    assert exchange.restrict_dissemination


# --- Evidence export ------------------------------------------------------------------------


def test_the_provider_exports_an_h1_exchange_as_an_evidence_file(login, lo_ro: Officer) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", code="H1")
    response = login(lo_bg).post(_url(exchange, "evidence"), {"justification": "Case 12/2026"})
    assert response.status_code == 403
    content = response.content.decode()
    assert "but not export evidence" in content
    assert BODY not in content
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_without_h1_a_recipient_exports_and_an_empty_justification_is_refused(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police")
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
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police")
    _, client = _as(request, login, persona)
    assert client.post(_url(exchange, "evidence"), {"justification": "x"}).status_code == status


# --- Attachments ----------------------------------------------------------------------------


def test_an_attachment_downloads_with_its_bytes_and_the_download_is_audited(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police")
    attachment = exchange.attachments.get()
    response = login(lo_bg).get(f"/exchanges/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response.content == b"Seizure report: 40 kg, Kapitan Andreevo."
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="note.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(
        action=AuditAction.DISCLOSURE,
        object_type="exchanges.attachment",
        object_id=str(attachment.pk),
        actor=lo_bg,
    ).exists()


@pytest.mark.parametrize("persona", DOES_NOT_SEE)
def test_an_attachment_is_404_to_whoever_may_not_see_its_exchange(
    request, login, lo_ro: Officer, persona: str
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police")
    _, client = _as(request, login, persona)
    assert client.get(f"/exchanges/attachments/{exchange.attachments.get().pk}/").status_code == 404
    assert client.get("/exchanges/attachments/999999999/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DISCLOSURE).exists()


def test_an_h3_attachment_sends_the_reader_to_confirm_first(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    client = login(lo_bg)
    url = f"/exchanges/attachments/{exchange.attachments.get().pk}/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(_url(exchange))
    client.post(_url(exchange, "confirm"))
    assert client.get(url).status_code == 200


# --- Cost -----------------------------------------------------------------------------------


def _thread_queries(client: Client, exchange: Exchange) -> int:
    client.get(_url(exchange))  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(exchange)).status_code == 200
    return len(queries.captured_queries)


def test_the_thread_page_costs_the_same_queries_for_two_and_for_twelve_replies(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H2")

    def answer(count: int) -> None:
        parent = exchange
        for i in range(count):
            author = lo_bg if i % 2 == 0 else lo_ro
            parent = services.exchange_reply(
                officer=author, parent=parent, message=message(attachments=())
            )
            DisseminationRequest.objects.create(
                exchange=parent,
                kind="share",
                requesting_agency=lo_bg.agency,
                requested_by=lo_bg,
                intended_use="x",
                justification="y",
                requested_at=parent.sent_at,
            ).target_agencies.set(agency_ids("Hellenic Police"))

    answer(2)
    client = login(lo_ro)
    two = _thread_queries(client, exchange)
    answer(10)
    twelve = _thread_queries(client, exchange)
    assert Exchange.objects.filter(thread_root=exchange).count() == 12
    assert twelve == two
