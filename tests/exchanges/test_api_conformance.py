"""The exchanges API takes what its schema says and nothing else: a number is not text, and
``0``, ``1`` or ``null`` are not booleans, in a body or in a query string. Found by a
conformance fuzzer (schemathesis) against the schema at /api/schema/."""

from __future__ import annotations

import json
from typing import Any

import pytest

from exchanges.models import DisseminationRequest, Exchange
from partners.models import Officer
from tests.exchanges.api_calls import API, _url
from tests.exchanges.scenario import agency_ids, send
from tests.helpers import purpose_given

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_throttle_carry_over")]

NOT_TEXT = [0, 12.5, True, ["a"], {"a": "b"}]


def _multipart_send(**overrides: str) -> dict[str, Any]:
    return {
        "kind": "request",
        "recipients": agency_ids("Bulgarian Police"),
        "crime_area": "drugs",
        "subject": "Heroin",
        "body": "A lorry on Friday.",
        **overrides,
    }


@pytest.mark.parametrize("value", NOT_TEXT)
def test_a_justification_that_is_not_text_is_refused(api, lo_ro, lo_bg, value: Any) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = api(lo_bg)
    greek = agency_ids("Hellenic Police")

    evidence = client.post(_url(exchange, "evidence/"), {"justification": value}, format="json")
    forward = client.post(
        _url(exchange, "forward/"), {"agencies": greek, "justification": value}, format="json"
    )

    assert evidence.status_code == 400
    assert evidence.json() == {"errors": {"justification": ["Not a valid string."]}}
    assert forward.status_code == 400
    assert forward.json() == {"errors": {"justification": ["Not a valid string."]}}
    assert not exchange.recipients.filter(agency_id__in=greek).exists()


def test_the_restrictions_text_must_be_text_and_their_codes_booleans(api, lo_ro, lo_bg) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = api(lo_ro)

    number = client.patch(_url(exchange, "restrictions/"), {"text": 0}, format="json")
    one = client.patch(_url(exchange, "restrictions/"), {"evidence": 1}, format="json")
    word = client.patch(_url(exchange, "restrictions/"), {"dissemination": "yes"}, format="json")

    assert number.json() == {"errors": {"text": ["Not a valid string."]}}
    assert one.json() == {"errors": {"evidence": ["Must be a valid boolean."]}}
    assert word.json() == {"errors": {"dissemination": ["Must be a valid boolean."]}}
    exchange.refresh_from_db()
    assert exchange.handling_codes == ["H0"]


def test_dissemination_requests_and_decisions_take_text_only(api, lo_ro, lo_bg) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    filed = api(lo_bg).post(
        _url(exchange, "dissemination-requests/"),
        {"kind": "evidence", "intended_use": 7, "justification": "Court case"},
        format="json",
    )
    assert filed.json() == {"errors": {"intended_use": ["Not a valid string."]}}
    assert not DisseminationRequest.objects.exists()


def test_a_sent_subject_that_is_not_text_is_refused(api, lo_ro) -> None:
    body = {**_multipart_send(), "subject": 404, "recipients": agency_ids("Bulgarian Police")}
    response = api(lo_ro).post(f"{API}exchanges/", body, format="json")
    assert response.json() == {"errors": {"subject": ["Not a valid string."]}}


@pytest.mark.parametrize("value", ["0", "1", "on", "yes", "null"])
def test_a_multipart_boolean_is_true_or_false_only(api, lo_ro, value: str) -> None:
    refused = api(lo_ro).post(
        f"{API}exchanges/", _multipart_send(personal_data=value), format="multipart"
    )
    assert refused.status_code == 400
    assert refused.json() == {"errors": {"personal_data": ["Must be a valid boolean."]}}


def test_a_multipart_boolean_spelled_as_in_json_is_taken(api, lo_ro) -> None:
    sent = api(lo_ro).post(
        f"{API}exchanges/",
        _multipart_send(
            personal_data="true",
            restrictions=json.dumps({"evidence": True}),
            evaluation=json.dumps({"source_reliability": "B", "information_accuracy": "2"}),
        ),
        format="multipart",
    )
    assert sent.status_code == 201, sent.json()
    exchange = Exchange.objects.get(reference=sent.json()["reference"])
    assert exchange.personal_data
    assert exchange.handling_codes == ["H1"]


def test_an_empty_task_force_in_a_multipart_send_is_none_as_the_schema_says(
    api, lo_ro: Officer
) -> None:
    sent = api(lo_ro).post(f"{API}exchanges/", _multipart_send(task_force=""), format="multipart")

    assert sent.status_code == 201, sent.json()
    assert sent.json()["task_force"] is None
    schema = api(lo_ro).get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    # The multipart body's component: a form has no null, so empty says none.
    task_force = components["ExchangeCreateRequest"]["properties"]["task_force"]
    assert "minLength" not in task_force
    assert "nullable" not in task_force
    assert "empty" in task_force["description"]
    assert components["ExchangeCreateJsonRequest"]["properties"]["task_force"]["nullable"] is True


@pytest.mark.parametrize("flag", ["unread", "overdue", "due_today"])
@pytest.mark.parametrize("value", ["null", "0", "1", "yes", ""])
def test_a_list_flag_that_is_not_a_boolean_is_refused(api, lo_bg, flag: str, value: str) -> None:
    response = api(lo_bg).get(f"{API}exchanges/", {flag: value})
    assert response.status_code == 400
    assert response.json() == {"errors": {flag: ["Give true or false."]}}


def test_a_list_flag_narrows_with_true_and_not_with_false(api, lo_ro, lo_bg) -> None:
    read = send(lo_ro, "Bulgarian Police")
    unread = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, read)
    assert api(lo_bg).get(f"{API}exchanges/{read.reference}/").status_code == 200
    client = api(lo_bg)

    def references(**params: str) -> set[str]:
        response = client.get(f"{API}exchanges/", params)
        assert response.status_code == 200, response.json()
        return {row["reference"] for row in response.json()["results"]}

    assert references(unread="true") == {unread.reference}
    assert references(unread="on") == {unread.reference}  # the inbox page's checkbox
    assert references(unread="false") == {read.reference, unread.reference}
    assert references() == {read.reference, unread.reference}


def test_an_attachment_id_that_is_missing_or_another_exchange_s_is_a_json_404(
    api, lo_ro, lo_bg
) -> None:
    first = send(lo_ro, "Bulgarian Police")
    second = send(lo_ro, "Bulgarian Police")
    other = first.attachments.get()
    client = api(lo_bg)

    for path in [
        f"attachments/{other.pk}/",
        "attachments/999999/",
        "attachments/null,null/",
    ]:
        response = client.get(_url(second, path))
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json", path
        assert "detail" in response.json(), path


def test_an_empty_day_filter_sets_no_bound_as_the_schema_says(api, lo_ro, lo_bg) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = api(lo_bg)

    listed = client.get(f"{API}exchanges/", {"sent_from": "", "sent_to": ""})
    too_early = client.get(f"{API}exchanges/", {"sent_from": "1899-12-31"})

    assert [row["reference"] for row in listed.json()["results"]] == [exchange.reference]
    assert too_early.status_code == 400
    schema = client.get("/api/schema/", {"format": "json"}).json()
    [sent_from] = [
        p
        for p in schema["paths"]["/api/v1/exchanges/"]["get"]["parameters"]
        if p["name"] == "sent_from"
    ]
    assert {"type": "string", "enum": [""]} in sent_from["schema"]["anyOf"]
    assert sent_from["description"] == "From 1990-01-01 to 2100-12-31; empty: no bound."
