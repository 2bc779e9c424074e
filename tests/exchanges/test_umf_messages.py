"""Whole exchanges as UMF messages: the export of an exchange the caller may read is its header,
content and entities, audited as a consultation and 404 to whoever may not see it; a send or a
reply in application/vnd.selec.umf+json is a UMF message, with the JSON body's rules, its errors
keyed by JSON pointer and nothing saved when refused; what is exported can be sent again as it
is, and gives the same exchange."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

from exchanges.models import Entity, Exchange, ExchangeAuditEvent
from exchanges.umf import MEDIA_TYPE
from exchanges.umf_messages import (
    REPLY,
    SEND,
    errors_in_umf,
    known_members,
    message_from_umf,
    pointer,
)
from exchanges.umf_schema import umf_json_schema
from partners.models import Officer
from selec.core.models import AuditAction, AuditEvent
from tests.exchanges.api_calls import API, _url
from tests.exchanges.scenario import agency_ids, send
from tests.helpers import purpose_given
from tests.hits.scenario import person, report

pytestmark = pytest.mark.usefixtures("no_throttle_carry_over")

SCHEMA = umf_json_schema("https://selec.example/api/v1/umf/schema/")
MESSAGE = Draft202012Validator(SCHEMA)
REPLY_BODY = Draft202012Validator({**SCHEMA, "$ref": "#/$defs/Reply"})
# Set by SELEC when the exchange is sent: they differ between an exchange and its copy.
SET_BY_SELEC = ("reference", "sentAt", "dueAt")


def _message(**members: Any) -> dict[str, Any]:
    return {
        "umfVersion": "3",
        "messageType": "request",
        "recipients": [{"agencyId": 7}],
        "crimeArea": "drugs",
        "subject": "Heroin",
        "body": "A lorry on Friday.",
        **members,
    }


def _post(client: APIClient, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type=MEDIA_TYPE)


def _consultations(officer: Officer) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.CONSULTATION, event=ExchangeAuditEvent.CONSULTED, actor=officer
    ).count()


# --- Reading a message ----------------------------------------------------------------------


def test_a_message_is_renamed_into_the_json_body_and_its_handling_codes_into_restrictions() -> None:
    body, errors = message_from_umf(
        _message(
            priority="urgent",
            taskForce=None,
            caseReference="SELEC-RO-2026-0001",
            handlingCodes=["H2", "H3"],
            handlingText="Not to the owner.",
            personalData=False,
            evaluation={"sourceReliability": "B", "informationAccuracy": ""},
            entities=[{"entityType": "Phone", "phoneNumber": "+40 721 000 000"}],
        ),
        form=SEND,
    )

    assert errors == {}
    assert body == {
        "kind": "request",
        "recipients": [7],
        "crime_area": "drugs",
        "subject": "Heroin",
        "body": "A lorry on Friday.",
        "priority": "urgent",
        "task_force": None,
        "case": "SELEC-RO-2026-0001",
        "restrictions": {"evidence": False, "dissemination": True, "text": "Not to the owner."},
        "personal_data": False,
        "evaluation": {"source_reliability": "B", "information_accuracy": ""},
        "entities": [{"kind": "phone", "attributes": {"number": "+40 721 000 000"}}],
    }


def test_the_members_selec_sets_are_checked_for_their_form_and_otherwise_ignored() -> None:
    shown = {
        "reference": "SELEC-2026-000001",
        "inReplyTo": None,
        "sender": {"agencyId": 3, "agencyName": "Romanian Police", "party": "RO"},
        "sentAt": "2026-12-01T10:00:00Z",
        "dueAt": "2026-12-08T10:00:00Z",
        "recipients": [{"agencyId": 7, "agencyName": "Bulgarian Police", "party": "BG"}],
    }

    body, errors = message_from_umf(_message(**shown), form=SEND)
    _, wrong = message_from_umf(
        _message(reference=12, sender={"agencyId": "3", "country": "RO"}), form=SEND
    )

    assert errors == {}
    assert body["recipients"] == [7]
    assert not {"reference", "sender", "sentAt", "dueAt", "inReplyTo"} & set(body)
    assert set(wrong) == {"/reference", "/sender/agencyId", "/sender/country"}


@pytest.mark.parametrize(
    ("members", "form", "at", "says"),
    [
        ({"placeOfBirth": "Iași"}, SEND, "/placeOfBirth", "'placeOfBirth'"),
        ({"kind": "request"}, SEND, "/kind", "known: umfVersion"),
        ({"recipients": [{"agencyId": 7, "email": "x"}]}, SEND, "/recipients/0/email", "'email'"),
        ({"recipients": [{}]}, SEND, "/recipients/0/agencyId", "Required"),
        ({"evaluation": {"grade": "A1"}}, SEND, "/evaluation/grade", "'grade'"),
        (
            {"entities": [{"entityType": "Person", "document": [{"expiryDate": "x"}]}]},
            SEND,
            "/entities/0/document/0/expiryDate",
            "'expiryDate'",
        ),
        ({"entities": [{"entityType": "Firearm"}]}, SEND, "/entities/0/entityType", "Firearm"),
        ({"umfVersion": "2"}, SEND, "/umfVersion", '"3"'),
        ({"handlingCodes": ["H0", "H1"]}, SEND, "/handlingCodes", "alone"),
        ({"handlingCodes": ["H4"]}, SEND, "/handlingCodes", "'H4'"),
        ({"handlingCodes": ["H1", "H1"]}, SEND, "/handlingCodes", "once"),
        ({"handlingCodes": ["H3"]}, SEND, "/handlingText", "H3 needs its text"),
        ({"handlingText": "Not to the owner."}, SEND, "/handlingText", "under H3 only"),
        ({"recipients": [{"agencyId": 7}]}, REPLY, "/recipients", "A reply does not take"),
        ({"crimeArea": "drugs"}, REPLY, "/crimeArea", "A reply does not take"),
        ({"a/b~c": 1}, SEND, "/a~1b~0c", "'a/b~c'"),
    ],
)
def test_what_a_message_may_not_carry_is_refused_by_its_json_pointer(
    members: dict[str, Any], form: str, at: str, says: str
) -> None:
    document = _message(**members) if form == SEND else {"umfVersion": "3", **members}

    _, errors = message_from_umf(document, form=SEND if form == SEND else REPLY)

    assert list(errors) == [at]
    assert says in errors[at][0]


def test_a_message_without_its_version_or_that_is_no_object_is_refused() -> None:
    document = _message()
    del document["umfVersion"]

    assert list(message_from_umf(document, form=SEND)[1]) == ["/umfVersion"]
    assert list(message_from_umf(["a list"], form=SEND)[1]) == ["non_field_errors"]


def test_the_json_body_s_errors_are_answered_under_the_message_s_pointers() -> None:
    detail = {
        "crime_area": ["Object with code=x does not exist."],
        "recipients": {"1": ["A valid integer is required."]},
        "restrictions": {"text": ["Not a valid string."]},
        "evaluation": {"source_reliability": ['"Z" is not a valid choice.']},
        "personal_data": ["Must be a valid boolean."],
        "non_field_errors": ["Too many fields."],
        "/entities/0/vin": ["Not a VIN."],
    }

    assert errors_in_umf(detail) == {
        "/crimeArea": ["Object with code=x does not exist."],
        "/recipients/1/agencyId": ["A valid integer is required."],
        "/handlingText": ["Not a valid string."],
        "/evaluation/sourceReliability": ['"Z" is not a valid choice.'],
        "/personalData": ["Must be a valid boolean."],
        "non_field_errors": ["Too many fields."],
        "/entities/0/vin": ["Not a VIN."],
    }
    assert pointer("entities", 0, "a/b") == "/entities/0/a~1b"


# --- Export ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recipient_exports_the_whole_exchange_once_the_purpose_is_given_and_it_is_audited(
    api, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = report(
        lo_ro,
        person(
            "Ion Popa",
            documents=[{"type": "passport", "number": "05123456", "issuing_country": "RO"}],
        ),
        code="H2",
        to=("Bulgarian Police",),
    )
    client = api(lo_bg)

    withheld = client.get(_url(exchange, "umf/"))
    purpose_given(lo_bg, exchange)
    exported = client.get(_url(exchange, "umf/"))

    assert withheld.status_code == 403
    assert withheld.json()["code"] == "purpose_required"
    assert exported.status_code == 200
    assert exported["Cache-Control"] == "private, no-store"
    message = exported.json()
    assert MESSAGE.is_valid(message), list(MESSAGE.iter_errors(message))
    [bulgarian_police] = agency_ids("Bulgarian Police")
    assert {k: v for k, v in message.items() if k not in ("sentAt", "dueAt", "sender")} == {
        "umfVersion": "3",
        "reference": exchange.reference,
        "inReplyTo": None,
        "messageType": "information",
        "recipients": [
            {"agencyId": bulgarian_police, "agencyName": "Bulgarian Police", "party": "BG"}
        ],
        "crimeArea": "drugs",
        "taskForce": None,
        "priority": "urgent",
        "handlingCodes": ["H2"],
        "handlingText": "",
        "personalData": True,
        "evaluation": {"sourceReliability": "B", "informationAccuracy": "2"},
        "subject": exchange.subject,
        "body": exchange.body,
        "entities": [
            {
                "entityType": "Person",
                "fullName": "Ion Popa",
                "document": [
                    {
                        "documentType": "passport",
                        "documentNumber": "05123456",
                        "issuingCountry": "RO",
                    }
                ],
                "dateOfBirth": "1980-04-12",
            }
        ],
    }
    assert message["sender"] == {
        "agencyId": lo_ro.agency_id,
        "agencyName": "Romanian Police",
        "party": "RO",
    }
    assert _consultations(lo_bg) == 1
    assert exchange.recipients.get().read_at is not None


@pytest.mark.django_db
def test_a_reply_exported_names_the_exchange_it_answers_and_its_h3_text(
    api, lo_ro: Officer, lo_bg: Officer
) -> None:
    parent = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, parent)
    answered = _post(
        api(lo_bg),
        _url(parent, "replies/"),
        {
            "umfVersion": "3",
            "subject": "Re: shipment",
            "body": "Seen again.",
            "handlingCodes": ["H3"],
            "handlingText": "Not to the owner.",
        },
    )
    assert answered.status_code == 201, answered.content
    reply = Exchange.objects.get(reference=answered.json()["reference"])

    message = api(lo_bg).get(_url(reply, "umf/")).json()

    assert message["inReplyTo"] == parent.reference
    assert message["messageType"] == "reply"
    assert message["handlingCodes"] == ["H3"]
    assert message["handlingText"] == "Not to the owner."


@pytest.mark.django_db
def test_an_outsider_gets_404_and_an_observer_403_without_a_consultation(
    api, lo_ro: Officer, obs_at: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Police of Austria")
    purpose_given(obs_at, exchange)

    assert api(outsider).get(_url(exchange, "umf/")).status_code == 404
    assert api(outsider).get(f"{API}exchanges/SELEC-2026-999999/umf/").status_code == 404
    assert api(obs_at).get(_url(exchange, "umf/")).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.CONSULTATION).exists()


# --- Round trip -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_exported_exchange_sent_again_as_it_is_gives_the_same_exchange(
    api, lo_ro: Officer
) -> None:
    client = api(lo_ro)
    original = report(
        lo_ro,
        person("Ion Popa", nationality="RO", aliases=["Ionel"]),
        code="H3",
        to=("Bulgarian Police", "Hellenic Police"),
    )
    exported = client.get(_url(original, "umf/")).json()

    sent = _post(client, f"{API}exchanges/", exported)

    assert sent.status_code == 201, sent.content
    copy = Exchange.objects.get(reference=sent.json()["reference"])
    again = client.get(_url(copy, "umf/")).json()
    assert again["reference"] != exported["reference"]
    for member in SET_BY_SELEC:
        del again[member], exported[member]
    assert again == exported
    assert [(e.kind, e.attributes) for e in copy.entities.order_by("pk")] == [
        (e.kind, e.attributes) for e in original.entities.order_by("pk")
    ]


# --- Sending --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_send_refused_by_a_serializer_or_a_service_names_the_message_s_members(
    api, lo_ro: Officer
) -> None:
    client = api(lo_ro)
    unknown_area = _message(recipients=[{"agencyId": agency_ids("Bulgarian Police")[0]}])
    unknown_area["crimeArea"] = "no-such-area"
    to_an_observer = _message(
        recipients=[{"agencyId": agency_ids("Police of Austria")[0]}],
        personalData=True,
        evaluation={"sourceReliability": "B", "informationAccuracy": "2"},
    )

    area = _post(client, f"{API}exchanges/", unknown_area)
    observer = _post(client, f"{API}exchanges/", to_an_observer)

    assert area.status_code == 400
    assert list(area.json()["errors"]) == ["/crimeArea"]
    assert observer.status_code == 400
    assert list(observer.json()["errors"]) == ["/recipients"]
    assert not Exchange.objects.exists()


@pytest.mark.django_db
def test_a_refused_message_saves_nothing_and_writes_no_audit_event(api, lo_ro: Officer) -> None:
    body = _message(
        recipients=[{"agencyId": agency_ids("Bulgarian Police")[0]}],
        personalData=True,
        entities=[
            {"entityType": "Person", "fullName": "Ion Popa"},
            {"entityType": "Vehicle", "vin": "WVWZZZ1JZXW000001", "engineNumber": "X1"},
        ],
    )
    audited = AuditEvent.objects.count()

    response = _post(api(lo_ro), f"{API}exchanges/", body)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["/entities/1/engineNumber"]
    assert not Exchange.objects.exists()
    assert not Entity.objects.exists()
    assert AuditEvent.objects.count() == audited


@pytest.mark.django_db
def test_a_reply_in_umf_refuses_the_members_its_parent_decides_and_saves_nothing(
    api, lo_ro: Officer, lo_bg: Officer
) -> None:
    parent = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, parent)
    body = {
        "umfVersion": "3",
        "subject": "Re: shipment",
        "body": "Seen again.",
        "recipients": [{"agencyId": agency_ids("Hellenic Police")[0]}],
    }
    assert REPLY_BODY.is_valid({k: v for k, v in body.items() if k != "recipients"})
    assert not REPLY_BODY.is_valid(body)

    response = _post(api(lo_bg), _url(parent, "replies/"), body)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["/recipients"]
    assert not parent.replies.exists()


@pytest.mark.django_db
def test_a_body_in_selec_s_own_json_sent_as_umf_is_refused_by_name(api, lo_ro: Officer) -> None:
    body = {
        "kind": "request",
        "recipients": agency_ids("Bulgarian Police"),
        "crime_area": "drugs",
        "subject": "Heroin",
        "body": "A lorry on Friday.",
    }

    response = _post(api(lo_ro), f"{API}exchanges/", body)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "/umfVersion",
        "/kind",
        "/crime_area",
        "/recipients/0",
    }
    assert not Exchange.objects.exists()


# --- The schemas ----------------------------------------------------------------------------


def test_the_served_schema_describes_the_message_and_the_reply_as_closed_objects() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    message = SCHEMA["$defs"]["Message"]

    assert SCHEMA["$ref"] == "#/$defs/Message"
    assert message["additionalProperties"] is False
    assert {"reference", "sender", "sentAt", "dueAt", "inReplyTo"} <= {
        name for name, member in message["properties"].items() if member.get("readOnly")
    }
    assert "recipients" not in SCHEMA["$defs"]["Reply"]["properties"]
    assert not MESSAGE.is_valid(_message(kind="request"))
    assert MESSAGE.is_valid(_message())


@pytest.mark.django_db
def test_the_openapi_schema_describes_the_umf_bodies_and_the_export(api, lo_ro: Officer) -> None:
    schema = api(lo_ro).get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    send_body = schema["paths"]["/api/v1/exchanges/"]["post"]["requestBody"]["content"]
    reply_body = schema["paths"]["/api/v1/exchanges/{reference}/replies/"]["post"]
    exported = schema["paths"]["/api/v1/exchanges/{reference}/umf/"]["get"]["responses"]["200"]

    assert send_body[MEDIA_TYPE]["schema"] == {"$ref": "#/components/schemas/UmfSendRequest"}
    assert reply_body["requestBody"]["content"][MEDIA_TYPE]["schema"] == {
        "$ref": "#/components/schemas/UmfReplyRequest"
    }
    assert exported["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UmfMessage"
    }
    assert components["UmfSendRequest"]["additionalProperties"] is False
    assert "reference" in components["UmfSendRequest"]["properties"]
    assert "recipients" not in components["UmfReplyRequest"]["properties"]
    assert set(components["UmfMessage"]["required"]) >= {"reference", "entities", "sender"}


def test_the_docs_name_every_member_of_the_message() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "umf.md").read_text()

    for member in known_members(SEND):
        assert f"`{member}`" in docs, member
