"""The exchanges endpoints of the REST API: the same services and answers as the pages.

Authentication is tested on its own (tests/selec); here the client is authenticated with
``force_authenticate``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exchanges.models import DisseminationRequest, Exchange, Recipient
from partners.models import Agency, Officer
from selec.core.models import AuditAction, AuditEvent
from tests.exchanges.api_calls import API, _url
from tests.exchanges.scenario import agency_ids, send
from tests.helpers import purpose_given

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_throttle_carry_over")]

A_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _request_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "request",
        "recipients": agency_ids("Bulgarian Police"),
        "crime_area": "drugs",
        "priority": "urgent",
        "subject": "Heroin via Kapitan Andreevo",
        "body": "A lorry is expected on Friday.",
        "restrictions": {"dissemination": True},
        "personal_data": True,
        "evaluation": {"source_reliability": "B", "information_accuracy": "2"},
        "entities": [
            {
                "kind": "person",
                "attributes": {"names": "Ivan Petrov", "date_of_birth": "1975-02-01"},
            }
        ],
    }
    return body | overrides


# --- sending ----------------------------------------------------------------------------------


def test_it_sends_a_request_with_entities_as_json(api, lo_ro: Officer) -> None:
    response = api(lo_ro).post(f"{API}exchanges/", _request_body(), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    exchange = Exchange.objects.get(reference=data["reference"])
    assert response["Location"].endswith(f"/api/v1/exchanges/{exchange.reference}/")
    assert data["handling_codes"] == ["H2"]
    assert data["evaluation"] == {"source_reliability": "B", "information_accuracy": "2"}
    assert [r["agency"]["name"] for r in data["recipients"]] == ["Bulgarian Police"]
    assert "subject" not in data
    assert "entities" not in data
    assert exchange.entities.get().attributes["names"] == "Ivan Petrov"
    assert exchange.personal_data
    assert exchange.priority == "urgent"


def test_it_sends_an_attachment_with_multipart_form_data(api, lo_ro: Officer, lo_bg) -> None:
    response = api(lo_ro).post(
        f"{API}exchanges/",
        {
            "kind": "information",
            "recipients": agency_ids("Bulgarian Police"),
            "crime_area": "drugs",
            "subject": "Seizure report",
            "body": "Attached.",
            "restrictions": json.dumps({"evidence": True}),
            "attachments": [
                SimpleUploadedFile("report.pdf", A_PDF, content_type="application/pdf")
            ],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    exchange = Exchange.objects.get(reference=response.json()["reference"])
    assert exchange.handling_codes == ["H1"]
    attachment = exchange.attachments.get()
    purpose_given(lo_bg, exchange)
    download = api(lo_bg).get(_url(exchange, f"attachments/{attachment.pk}/"))
    assert download.status_code == 200
    assert download.content == A_PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")


def test_personal_data_to_an_observer_is_400_naming_the_observer_rule(api, lo_ro) -> None:
    body = _request_body(recipients=agency_ids("Bulgarian Police", "Police of Austria"))

    response = api(lo_ro).post(f"{API}exchanges/", body, format="json")

    assert response.status_code == 400
    message = " ".join(response.json()["errors"]["recipients"])
    assert "Police of Austria" in message
    assert "observer" in message
    assert not Exchange.objects.filter(author=lo_ro).exists()


def test_personal_data_without_evaluation_is_400_on_evaluation(api, lo_ro) -> None:
    response = api(lo_ro).post(f"{API}exchanges/", _request_body(evaluation={}), format="json")

    assert response.status_code == 400
    assert "evaluation" in response.json()["errors"]


def test_malformed_input_is_400_field_by_field(api, lo_ro) -> None:
    response = api(lo_ro).post(
        f"{API}exchanges/",
        _request_body(recipients=[10**12], crime_area="nope", entities=[{"kind": "pet"}]),
        format="json",
    )

    assert response.status_code == 400
    assert {"recipients", "crime_area", "entities"} <= set(response.json()["errors"])


def test_entity_attributes_of_the_wrong_shape_are_400_not_500(api, lo_ro) -> None:
    entities = [{"kind": "person", "attributes": {"names": 5, "documents": [7]}}]

    response = api(lo_ro).post(f"{API}exchanges/", _request_body(entities=entities), format="json")

    assert response.status_code == 400
    assert "entities" in response.json()["errors"]


def test_a_reference_that_cannot_exist_is_404_not_500(api, lo_bg) -> None:
    client = api(lo_bg)

    assert client.get(f"{API}exchanges/a%00b/").status_code == 404
    assert client.post(f"{API}exchanges/a%00b/acknowledge/").status_code == 404


def test_secretariat_staff_cannot_send(api, analyst) -> None:
    response = api(analyst).post(f"{API}exchanges/", _request_body(), format="json")

    assert response.status_code == 403


# --- the detail -------------------------------------------------------------------------------


def test_the_detail_marks_read_and_audits_the_consultation_with_the_request_id(
    api, lo_ro, lo_bg
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", personal=True)
    purpose_given(lo_bg, exchange)

    response = api(lo_bg).get(_url(exchange))

    assert response.status_code == 200
    data = response.json()
    assert data["subject"] == "Cocaine shipment via Constanța"
    assert data["entities"][0]["attributes"]["names"] == "Ђорђе Ђорђевић"
    assert data["attachments"][0]["filename"] == "note.txt"
    assert Recipient.objects.get(exchange=exchange, agency=lo_bg.agency).read_at is not None
    event = AuditEvent.objects.filter(
        action=AuditAction.CONSULTATION, object_id=str(exchange.pk), actor=lo_bg
    ).get()
    assert event.request_id == response["X-Request-ID"]


def test_an_outsider_gets_404_as_for_an_exchange_that_does_not_exist(api, lo_ro, outsider):
    exchange = send(lo_ro, "Bulgarian Police")

    assert api(outsider).get(_url(exchange)).status_code == 404
    assert api(outsider).get(f"{API}exchanges/SELEC-1999-000001/").status_code == 404


def test_h3_content_is_403_until_the_reader_confirms(api, lo_ro, lo_bg) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    purpose_given(lo_bg, exchange)
    client = api(lo_bg)

    refused = client.get(_url(exchange))
    confirmed = client.post(_url(exchange, "restrictions/confirm/"))
    opened = client.get(_url(exchange))

    assert refused.status_code == 403
    assert "confirm" in refused.json()["detail"]
    assert refused.json()["code"] == "restriction_unconfirmed"
    assert _url(exchange, "restrictions/confirm/") in refused.json()["detail"]
    assert confirmed.status_code == 204
    assert opened.status_code == 200
    assert "subject" in opened.json()


def test_an_observer_never_gets_the_entities_key(api, lo_ro, lo_bg, obs_at) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Police of Austria")
    purpose_given(obs_at, exchange)
    purpose_given(lo_bg, exchange)

    observed = api(obs_at).get(_url(exchange)).json()
    member = api(lo_bg).get(_url(exchange)).json()

    assert "entities" not in observed
    assert "subject" in observed
    assert member["entities"] == []


# --- actions ----------------------------------------------------------------------------------


def test_a_reply_inherits_the_parents_restrictions(api, lo_ro, lo_bg) -> None:
    parent = send(lo_ro, "Bulgarian Police", code="H2")

    response = api(lo_bg).post(
        _url(parent, "replies/"),
        {"subject": "Re: shipment", "body": "Confirmed.", "restrictions": {"evidence": True}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kind"] == "reply"
    assert data["in_reply_to"] == parent.reference
    assert data["handling_codes"] == ["H1", "H2"]
    assert Recipient.objects.get(exchange=parent, agency=lo_bg.agency).answered_at is not None


def test_an_observers_reply_with_personal_data_is_400_with_the_rule_and_saves_nothing(
    api, lo_ro, obs_at
) -> None:
    parent = send(lo_ro, "Police of Austria", kind="information")

    response = api(obs_at).post(
        _url(parent, "replies/"),
        {
            "subject": "Re: trend",
            "body": "The suspect is known to us.",
            "personal_data": True,
            "evaluation": {"source_reliability": "B", "information_accuracy": "2"},
            "entities": [{"kind": "person", "attributes": {"names": "Ivan Petrov"}}],
        },
        format="json",
    )

    assert response.status_code == 400, response.json()
    assert "AT is an observer" in " ".join(response.json()["errors"]["personal_data"])
    assert not Exchange.objects.filter(in_reply_to=parent).exists()


@pytest.mark.parametrize("persona", ["lo_bg", "op_it", "obs_at"])
def test_a_reply_answers_201_with_what_its_author_can_get_afterwards(
    request, api, lo_ro, persona: str
) -> None:
    author = request.getfixturevalue(persona)
    parent = send(lo_ro, author.agency.name, kind="information")
    client = api(author)

    response = client.post(
        _url(parent, "replies/"), {"subject": "Re: trend", "body": "Noted."}, format="json"
    )

    assert response.status_code == 201, response.json()
    fetched = client.get(response["Location"])
    assert fetched.status_code == 200
    assert fetched.json()["reference"] == response.json()["reference"]
    assert fetched.json()["sender_agency"]["id"] == author.agency_id


def test_acknowledge_counts_the_receipts_acknowledged(api, lo_ro, nfp_bg) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = api(nfp_bg)

    first = client.post(_url(exchange, "acknowledge/"))
    again = client.post(_url(exchange, "acknowledge/"))

    assert first.json() == {"acknowledged": 1}
    assert again.json() == {"acknowledged": 0}


def test_forward_under_h2_is_403_with_the_reason_and_allowed_under_h0(api, lo_ro, lo_bg) -> None:
    greek = agency_ids("Hellenic Police")
    h2 = send(lo_ro, "Bulgarian Police", code="H2")
    h0 = send(lo_ro, "Bulgarian Police")
    client = api(lo_bg)

    why = "Joint inquiry with the Hellenic Police"
    refused = client.post(
        _url(h2, "forward/"), {"agencies": greek, "justification": why}, format="json"
    )
    allowed = client.post(
        _url(h0, "forward/"), {"agencies": greek, "justification": why}, format="json"
    )

    assert refused.status_code == 403
    assert "H2" in refused.json()["detail"]
    assert allowed.status_code == 200
    assert allowed.json() == {"added": greek}


def test_only_the_provider_changes_restrictions(api, lo_ro, lo_bg) -> None:
    exchange = send(lo_ro, "Bulgarian Police")

    by_recipient = api(lo_bg).patch(_url(exchange, "restrictions/"), {"evidence": True})
    tightened = api(lo_ro).patch(_url(exchange, "restrictions/"), {"dissemination": True})
    loosened = api(lo_ro).patch(_url(exchange, "restrictions/"), {"dissemination": False})

    assert by_recipient.status_code == 403
    assert tightened.status_code == 200
    assert tightened.json()["handling_codes"] == ["H2"]
    assert loosened.status_code == 200
    assert loosened.json()["handling_codes"] == ["H0"]


def test_a_patch_keeps_what_it_leaves_out_and_an_unchanged_h3_text_keeps_the_confirmations(
    api, lo_ro, lo_bg
) -> None:
    # Stored with CRLF (as a page once sent it): the same words in LF are no change, so the
    # stored bytes and the reader's confirmation of them stay.
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    exchange.restriction_text = "Line one.\r\nLine two."
    exchange.save(update_fields=["restriction_text"])  # encrypted by the field, as it is kept
    assert api(lo_bg).post(_url(exchange, "restrictions/confirm/")).status_code == 204
    purpose_given(lo_bg, exchange)

    changed = api(lo_ro).patch(
        _url(exchange, "restrictions/"),
        {"evidence": True, "text": "Line one.\nLine two.\n"},
        format="json",
    )

    assert changed.status_code == 200, changed.json()
    assert changed.json()["handling_codes"] == ["H1", "H2", "H3"]
    exchange.refresh_from_db()
    assert exchange.restriction_text == "Line one.\r\nLine two."
    assert api(lo_bg).get(_url(exchange)).status_code == 200


def test_an_h3_text_sent_with_crlf_is_stored_with_lf(api, lo_ro) -> None:
    exchange = send(lo_ro, "Bulgarian Police")

    changed = api(lo_ro).patch(
        _url(exchange, "restrictions/"), {"text": " Line one.\r\nLine two.\r\n"}, format="json"
    )

    assert changed.status_code == 200
    exchange.refresh_from_db()
    assert exchange.restriction_text == "Line one.\nLine two."


def test_the_changed_restrictions_answer_with_the_exchange_as_its_detail_shows_it(
    api, lo_ro, lo_bg
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs")
    client = api(lo_ro)

    changed = client.patch(_url(exchange, "restrictions/"), {"evidence": True}, format="json")
    detail = client.get(_url(exchange)).json()

    assert changed.status_code == 200
    assert changed.json() == {
        key: value
        for key, value in detail.items()
        if key not in {"subject", "body", "entities", "attachments"}
    }
    assert [r["agency"]["party"] for r in changed.json()["recipients"]] == ["BG", "TR"]


def test_an_attachment_is_reached_only_through_its_own_exchange(api, lo_ro, lo_bg) -> None:
    first = send(lo_ro, "Bulgarian Police")
    second = send(lo_ro, "Bulgarian Police")
    attachment = first.attachments.get()
    purpose_given(lo_bg, first)
    purpose_given(lo_bg, second)
    client = api(lo_bg)

    assert client.get(_url(first, f"attachments/{attachment.pk}/")).status_code == 200
    assert client.get(_url(second, f"attachments/{attachment.pk}/")).status_code == 404
    assert (
        AuditEvent.objects.filter(action=AuditAction.DISCLOSURE, object_id=str(attachment.pk))
        .filter(actor=lo_bg)
        .count()
        == 1
    )


def test_an_id_that_names_no_agency_is_refused_by_the_service_not_by_the_database(
    api, lo_ro, lo_bg
) -> None:
    # Unchecked, the share's unknown target reached the database, whose deferred key refused
    # it only at the commit: a server error. The forward left it out without a word.
    held_back = send(lo_ro, "Bulgarian Police", code="H2")
    exchange = send(lo_ro, "Bulgarian Police")
    greek = agency_ids("Hellenic Police")
    unknown = Agency.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    client = api(lo_bg)

    share = client.post(
        _url(held_back, "dissemination-requests/"),
        {
            "kind": "share",
            "target_agencies": [*greek, unknown],
            "intended_use": "Joint investigation",
            "justification": "The lorry is Greek.",
        },
        format="json",
    )
    forward = client.post(
        _url(exchange, "forward/"),
        {"agencies": [*greek, unknown], "justification": "Joint inquiry"},
        format="json",
    )

    assert share.status_code == 400, share.json()
    assert share.json()["errors"]["target_agencies"] == ["Choose existing agencies."]
    assert forward.status_code == 400, forward.json()
    assert ["Choose existing agencies."] in forward.json()["errors"].values()
    assert not DisseminationRequest.objects.filter(exchange=held_back).exists()
    assert not Recipient.objects.filter(exchange=exchange, agency_id__in=greek).exists()


def test_dissemination_is_requested_listed_granted_and_then_forwarding_works(
    api, lo_ro, lo_bg, lo_tr, outsider
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H2")
    greek = agency_ids("Hellenic Police")

    filed = api(lo_bg).post(
        _url(exchange, "dissemination-requests/"),
        {
            "kind": "share",
            "target_agencies": greek,
            "intended_use": "Joint investigation",
            "justification": "The lorry is Greek.",
        },
        format="json",
    )
    assert filed.status_code == 201, filed.json()
    pk = filed.json()["id"]

    listed = api(lo_ro).get(_url(exchange, "dissemination-requests/")).json()["results"]
    assert [r["id"] for r in listed] == [pk]
    assert api(lo_tr).get(_url(exchange, "dissemination-requests/")).json()["results"] == []
    assert api(outsider).get(_url(exchange, "dissemination-requests/")).status_code == 404

    decision = f"{API}dissemination-requests/{pk}/decision/"
    assert api(outsider).post(decision, {"decision": "grant"}).status_code == 404
    assert api(lo_bg).post(decision, {"decision": "grant"}).status_code == 403
    granted = api(lo_ro).post(decision, {"decision": "grant", "note": "Yes."})
    assert granted.status_code == 200
    assert granted.json()["status"] == "granted"
    again = api(lo_ro).post(decision, {"decision": "refuse"})
    assert again.status_code == 400
    assert "status" in again.json()["errors"]

    forwarded = api(lo_bg).post(
        _url(exchange, "forward/"),
        {"agencies": greek, "justification": "The lorry is Greek."},
        format="json",
    )
    assert forwarded.status_code == 200
    assert DisseminationRequest.objects.get(pk=pk).status == "granted"


def test_evidence_export_is_refused_under_h1_and_audited_otherwise(api, lo_ro, lo_bg) -> None:
    h1 = send(lo_ro, "Bulgarian Police", code="H1")
    h0 = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, h1)
    purpose_given(lo_bg, h0)
    client = api(lo_bg)

    refused = client.post(_url(h1, "evidence/"), {"justification": "Case 12/2026"})
    exported = client.post(_url(h0, "evidence/"), {"justification": "Case 12/2026"})

    assert refused.status_code == 403
    assert exported.status_code == 200
    assert exported.json()["reference"] == h0.reference
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_id=str(h0.pk), actor=lo_bg
    ).exists()
