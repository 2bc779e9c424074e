"""Exchanges linked to cases: the regional operation's message kinds, closed cases, observers
and personal data; the case's timeline shows only the exchanges the officer may see; the
compose page and the API send take a case, and a link may prefill the compose page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from cases.models import CaseKind
from cases.selectors import case_page, case_perms
from cases.services import case_change_status
from exchanges.models import Exchange
from exchanges.services.sending import exchange_reply, exchange_send
from partners.models import Officer
from taskforces.models import CrimeArea
from tests.cases.scenario import open_case, send_in_case
from tests.exchanges.scenario import agency_ids, message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle_carry_over() -> None:
    cache.clear()


@pytest.mark.parametrize("kind", ["warning", "feedback", "seizure"])
def test_regional_operation_messages_go_to_regional_operations_only(
    lo_ro: Officer, kind: str
) -> None:
    operation = open_case(lo_ro, "Bulgarian Police")
    joint = open_case(lo_ro, "Bulgarian Police", kind=CaseKind.JOINT_INVESTIGATION, name="Dora")
    exchange = send_in_case(lo_ro, operation, kind=kind)
    assert (exchange.kind, exchange.case_id) == (kind, operation.pk)
    with pytest.raises(ValidationError, match="is a joint investigation"):
        send_in_case(lo_ro, joint, kind=kind)
    before = Exchange.objects.count()
    with pytest.raises(ValidationError, match="belong to a regional operation"):
        exchange_send(
            officer=lo_ro,
            kind=kind,
            recipient_agency_ids=agency_ids("Bulgarian Police"),
            crime_area_id=CrimeArea.objects.get(code="drugs").pk,
            priority="routine",
            message=message(attachments=()),
        )
    assert Exchange.objects.count() == before


def test_requests_and_information_join_either_kind_of_case(lo_ro: Officer) -> None:
    joint = open_case(lo_ro, "Bulgarian Police", kind=CaseKind.JOINT_INVESTIGATION)
    for kind in ("request", "information"):
        assert send_in_case(lo_ro, joint, kind=kind).case_id == joint.pk


def test_personal_data_cannot_join_a_case_an_observer_takes_part_in(lo_ro: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police", "Police of Austria")
    with pytest.raises(ValidationError, match=r"Austria \(AT\) takes part in .* as an observer"):
        send_in_case(lo_ro, case, personal=True)
    assert send_in_case(lo_ro, case, personal=False).case_id == case.pk


def test_a_reply_cannot_bring_personal_data_into_a_case_an_observer_takes_part_in(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police", "Police of Austria")
    strategic = send_in_case(lo_ro, case, personal=False)
    before = Exchange.objects.count()
    with pytest.raises(ValidationError, match=r"Austria \(AT\) takes part in .* as an observer"):
        exchange_reply(officer=lo_bg, parent=strategic, message=message(personal=True))
    assert Exchange.objects.count() == before
    answer = exchange_reply(officer=lo_bg, parent=strategic, message=message(attachments=()))
    assert answer.case_id == case.pk


def test_the_timeline_shows_only_the_linked_exchanges_the_officer_may_see(
    login, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, analyst: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police", "Turkish Customs", analysts=[analyst])
    to_bulgaria = send_in_case(lo_ro, case, "Bulgarian Police", subject="For Bulgaria only")
    to_turkey = send_in_case(lo_ro, case, "Turkish Customs", subject="For Türkiye only")
    references = {
        officer.username: {
            entry.exchange.reference
            for entry in case_page(officer, case, case_perms(officer, case)).timeline
            if entry.exchange
        }
        for officer in (lo_ro, lo_bg, lo_tr, analyst)
    }
    assert references == {
        "lo.ro": {to_bulgaria.reference, to_turkey.reference},
        "lo.bg": {to_bulgaria.reference},
        "lo.tr": {to_turkey.reference},
        "analyst": set(),
    }
    page = login(lo_tr).get(f"/cases/{case.reference}/").content.decode()
    assert to_turkey.reference in page
    assert to_bulgaria.reference not in page
    client = APIClient()
    client.force_authenticate(user=lo_bg)
    body = client.get(f"/api/v1/cases/{case.reference}/").content.decode()
    assert to_bulgaria.reference in body
    assert to_turkey.reference not in body
    assert "For Bulgaria only" not in body  # the timeline never carries content


def test_the_thread_names_the_case_to_those_who_may_see_it(
    login, client, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    # Turkish Customs receives the exchange but takes no part in the case.
    exchange = send_in_case(lo_ro, case, "Bulgarian Police", "Turkish Customs")
    seen = login(lo_bg).get(f"/exchanges/{exchange.reference}/").content.decode()
    assert f'href="/cases/{case.reference}/"' in seen
    client.logout()
    unseen = login(lo_tr).get(f"/exchanges/{exchange.reference}/").content.decode()
    assert exchange.reference in unseen
    assert case.reference not in unseen
    assert case.name not in unseen


def _compose_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "warning",
        "recipients": agency_ids("Bulgarian Police"),
        "crime_area": CrimeArea.objects.get(code="drugs").pk,
        "priority": "routine",
        "subject": "Lorry on the Giurgiu bridge",
        "body": "Expected tonight.",
    }
    for prefix in ("person", "vehicle", "document", "phone", "company", "bank_account"):
        body |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return body | overrides


def test_the_compose_page_sends_a_warning_into_a_regional_operation(login, lo_ro: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    client = login(lo_ro)
    assert case.reference in client.get("/exchanges/new/").content.decode()
    response = client.post("/exchanges/new/", _compose_body(case=case.reference))
    assert response.status_code == 302, response.content.decode()[:2000]
    exchange = Exchange.objects.get(reference=response["Location"].strip("/").rsplit("/", 1)[1])
    assert (exchange.kind, exchange.case_id) == ("warning", case.pk)


def test_a_warning_without_an_operation_is_refused_on_the_compose_page(
    login, lo_ro: Officer
) -> None:
    before = Exchange.objects.count()
    response = login(lo_ro).post("/exchanges/new/", _compose_body())
    assert response.status_code == 200
    assert "belong to a regional operation" in response.content.decode()
    assert Exchange.objects.count() == before


def test_the_compose_page_offers_only_open_cases_of_the_officers_party(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    theirs = open_case(lo_bg, name="Bulgarian-only")
    shared = open_case(lo_bg, "Romanian Police", name="Shared")
    closed = open_case(lo_bg, "Romanian Police", name="Finished")
    case_change_status(officer=lo_bg, case=closed, status="closed")
    page = login(lo_ro).get("/exchanges/new/").content.decode()
    assert shared.reference in page
    assert theirs.reference not in page
    assert closed.reference not in page
    response = login(lo_ro).post("/exchanges/new/", _compose_body(case=theirs.reference))
    assert response.status_code == 200
    assert Exchange.objects.filter(case=theirs).count() == 0


def test_the_compose_page_is_prefilled_from_its_address(login, lo_ro: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    bulgarian, turkish = agency_ids("Bulgarian Police", "Turkish Customs")
    own = agency_ids("Romanian Police")[0]
    response = login(lo_ro).get(
        "/exchanges/new/",
        {
            "case": case.reference,
            "to": [bulgarian, turkish, own, "x"],
            "subject": "Hit on plate B 123 ABC",
        },
    )
    form = response.context["form"]
    assert form.initial["case"] == case.reference
    assert form.initial["recipients"] == [bulgarian, turkish]  # never the sender's own agency
    assert form.initial["subject"] == "Hit on plate B 123 ABC"
    html = response.content.decode()
    assert f'<option value="{case.reference}" selected>' in html
    assert 'value="Hit on plate B 123 ABC"' in html


def test_a_prefilled_case_the_officer_may_not_link_to_is_ignored(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    theirs = open_case(lo_bg, name="Bulgarian-only")
    response = login(lo_ro).get("/exchanges/new/", {"case": theirs.reference})
    assert "case" not in response.context["form"].initial
    assert theirs.reference not in response.content.decode()


def test_the_api_sends_a_seizure_report_into_a_regional_operation(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    client = APIClient()
    client.force_authenticate(user=lo_ro)
    body = {
        "kind": "seizure",
        "case": case.reference,
        "recipients": agency_ids("Bulgarian Police"),
        "crime_area": "drugs",
        "subject": "40 kg heroin at Giurgiu",
        "body": "Seized this morning.",
    }
    response = client.post("/api/v1/exchanges/", body, format="json")
    assert response.status_code == 201, response.content
    assert Exchange.objects.get(reference=response.json()["reference"]).case_id == case.pk
    refused = client.post("/api/v1/exchanges/", body | {"case": ""}, format="json")
    assert refused.status_code == 400
    assert "belong to a regional operation" in refused.json()["errors"]["case"][0]
    theirs = open_case(lo_bg, name="Bulgarian-only")
    foreign = client.post("/api/v1/exchanges/", body | {"case": theirs.reference}, format="json")
    assert foreign.status_code == 400
    assert "case" in foreign.json()["errors"]


def _api(officer: Officer) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=officer)
    return client


def test_an_observer_taking_part_sends_the_operations_warnings_but_never_personal_data(
    lo_ro: Officer, obs_at: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police", "Police of Austria")
    client = _api(obs_at)
    body = {
        "kind": "warning",
        "case": case.reference,
        "recipients": agency_ids("Romanian Police"),
        "crime_area": "drugs",
        "subject": "Route change",
        "body": "The lorries now cross at Nickelsdorf.",
    }
    before = Exchange.objects.count()
    refused = client.post(
        "/api/v1/exchanges/",
        body
        | {
            "personal_data": True,
            "evaluation": {"source_reliability": "B", "information_accuracy": "2"},
            "entities": [{"kind": "person", "attributes": {"names": "Ivan Petrov"}}],
        },
        format="json",
    )
    assert refused.status_code == 400
    assert "AT is an observer" in " ".join(refused.json()["errors"]["personal_data"])
    assert Exchange.objects.count() == before
    sent = client.post("/api/v1/exchanges/", body, format="json")
    assert sent.status_code == 201, sent.content
    assert client.get(sent["Location"]).status_code == 200


def test_an_observer_answers_an_operations_message_only_with_strategic_information(
    lo_ro: Officer, obs_at: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police", "Police of Austria")
    warning = send_in_case(lo_ro, case, "Police of Austria", kind="warning")
    before = Exchange.objects.count()
    with pytest.raises(ValidationError, match="AT is an observer"):
        exchange_reply(officer=obs_at, parent=warning, message=message(personal=True))
    assert Exchange.objects.count() == before
    answer = exchange_reply(officer=obs_at, parent=warning, message=message(attachments=()))
    assert answer.case_id == case.pk
    assert _api(obs_at).get(f"/api/v1/exchanges/{answer.reference}/").status_code == 200
