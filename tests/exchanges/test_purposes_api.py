"""The purpose of a consultation through the REST API, the justification a forward requires,
and the erasure and correction marks of an exchange's metadata."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from exchanges.models import Exchange
from exchanges.models_purposes import ConsultationPurpose
from partners.models import Officer
from selec.core.models import AuditEvent, Justification
from tests.exchanges.api_calls import API, _url
from tests.exchanges.scenario import agency_ids, send
from tests.helpers import purpose_given

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_throttle_carry_over")]

PURPOSE = "Inquiry 44/2026 into the Ruse cocaine route"


def test_content_is_403_purpose_required_until_the_purpose_is_given(api, lo_ro, lo_bg) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = api(lo_bg)
    attachment = exchange.attachments.get()

    for refused in (
        client.get(_url(exchange)),
        client.get(_url(exchange, f"attachments/{attachment.pk}/")),
        client.post(_url(exchange, "evidence/"), {"justification": "Case 3/2026"}, format="json"),
    ):
        assert refused.status_code == 403
        body = refused.json()
        assert body["code"] == "purpose_required"
        assert _url(exchange, "purpose/") in body["detail"]
        assert "subject" not in body
    assert not AuditEvent.objects.filter(actor=lo_bg, event="exchange.consulted").exists()

    given = client.post(_url(exchange, "purpose/"), {"purpose": PURPOSE}, format="json")
    assert given.status_code == 201, given.json()
    assert given.json()["purpose"] == PURPOSE
    opened = client.get(_url(exchange))
    assert opened.status_code == 200
    assert opened.json()["subject"] == "Cocaine shipment via Constanța"
    event = AuditEvent.objects.get(actor=lo_bg, event="exchange.consulted")
    assert event.details["purpose"] == "given"
    assert Justification.objects.get(uuid=event.details["justification"]).text == PURPOSE
    assert client.get(_url(exchange, f"attachments/{attachment.pk}/")).status_code == 200


def test_a_purpose_given_again_answers_200_with_the_first(api, lo_ro, lo_bg) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = api(lo_bg)
    first = client.post(_url(exchange, "purpose/"), {"purpose": PURPOSE}, format="json")
    again = client.post(_url(exchange, "purpose/"), {"purpose": "Another one"}, format="json")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert ConsultationPurpose.objects.get().purpose == PURPOSE


@pytest.mark.parametrize("purpose", ["", "   ", "x" * 301, 12])
def test_a_blank_too_long_or_non_text_purpose_is_400_and_saves_nothing(
    api, lo_ro, lo_bg, purpose: object
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    response = api(lo_bg).post(_url(exchange, "purpose/"), {"purpose": purpose}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["purpose"]
    assert not ConsultationPurpose.objects.exists()


def test_whoever_may_not_see_the_exchange_gets_404(api, lo_ro, outsider, lo_al) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    for officer in (outsider, lo_al):
        response = api(officer).post(
            _url(exchange, "purpose/"), {"purpose": PURPOSE}, format="json"
        )
        assert response.status_code == 404
    assert not ConsultationPurpose.objects.exists()


def test_the_purpose_comes_before_the_h3_confirmation(api, lo_ro, lo_bg) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    client = api(lo_bg)
    assert client.get(_url(exchange)).json()["code"] == "purpose_required"
    client.post(_url(exchange, "purpose/"), {"purpose": PURPOSE}, format="json")
    refused = client.get(_url(exchange)).json()
    assert refused["code"] == "restriction_unconfirmed"
    assert _url(exchange, "restrictions/confirm/") in refused["detail"]
    client.post(_url(exchange, "restrictions/confirm/"))
    assert client.get(_url(exchange)).status_code == 200


def test_the_author_of_the_thread_reads_without_a_purpose(api, lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    assert api(lo_ro).get(_url(exchange)).status_code == 200


# --- Forward --------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [{}, {"justification": ""}, {"justification": "  "}])
def test_a_forward_without_a_justification_is_400_and_forwards_nothing(
    api, lo_ro, lo_bg, body: dict[str, str]
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    response = api(lo_bg).post(
        _url(exchange, "forward/"),
        {"agencies": agency_ids("Hellenic Police"), **body},
        format="json",
    )
    assert response.status_code == 400
    assert "justification" in response.json()["errors"]
    assert exchange.recipients.count() == 1


# --- Erasure and correction marks -----------------------------------------------------------


def test_the_detail_and_the_list_say_when_the_content_was_corrected_or_erased(
    api, lo_ro, lo_bg
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, exchange)
    client = api(lo_bg)
    detail = client.get(_url(exchange)).json()
    assert (detail["corrected_at"], detail["erased_at"]) == (None, None)

    now = timezone.now()
    Exchange.objects.filter(pk=exchange.pk).update(corrected_at=now, erased_at=now)
    detail = client.get(_url(exchange)).json()
    [listed] = client.get(f"{API}exchanges/", {"reference": exchange.reference}).json()["results"]
    for shown in (detail, listed):
        assert dt.datetime.fromisoformat(shown["corrected_at"]) == now
        assert dt.datetime.fromisoformat(shown["erased_at"]) == now


def test_the_schema_documents_the_purpose_and_the_refusal_codes(api, lo_bg) -> None:
    schema = api(lo_bg).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/exchanges/{reference}/purpose/"]["post"]
    assert {"200", "201", "400", "404"} <= set(operation["responses"])
    retrieve = schema["paths"]["/api/v1/exchanges/{reference}/"]["get"]["responses"]["403"]
    assert "ContentWithheld" in str(retrieve)
    assert "purpose_required" in str(schema["components"]["schemas"])
    forward = schema["components"]["schemas"]["ForwardRequest"]
    assert "justification" in forward["required"]
    exchange = schema["components"]["schemas"]["Exchange"]["properties"]
    assert exchange["erased_at"]["nullable"] is True
    assert exchange["corrected_at"]["nullable"] is True
