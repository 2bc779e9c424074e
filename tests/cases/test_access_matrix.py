"""Who may do what with a case, for every persona, through the pages and through the API.

The scenario: regional operation "Mirage", led by Romania (lo.ro's Romanian Police), with the
Bulgarian Police, Turkish Customs and the Police of Austria (an observer: the case carries no
personal data) taking part, and the analyst named on it; one meeting with an attachment.
Italy (op.it) and Greece (the outsider) take no part; a second analyst is not named.

Answers compare by class: ok (2xx, or a redirect after a successful form), 403, 404. Each action
runs in a savepoint that is rolled back, so that every action meets the same case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case, MeetingAttachment
from exchanges.models import Exchange
from partners.models import Officer, Party
from tests.cases.scenario import add_meeting, open_case, second_analyst
from tests.exchanges.scenario import agency_ids
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

ACTIONS = ["list", "page", "create", "status", "invite", "meeting", "results", "attachment"]
PERSONAS = [
    "lo.ro",
    "lo.bg",
    "lo.tr",
    "nfp.bg",
    "nfp.ro",
    "obs.at",
    "op.it",
    "analyst",
    "analyst.two",
    "dpo",
    "admin",
    "lo.gr",
]
NOWHERE = ("404", "404", "ok", "404", "404", "404", "404", "404")
EXPECTED: dict[str, tuple[str, ...]] = {
    # The lead's agency manages the case, adds meetings, records results.
    "lo.ro": ("ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"),
    # Participating agencies add meetings and record their own party's results.
    "lo.bg": ("ok", "ok", "ok", "403", "403", "ok", "ok", "ok"),
    "lo.tr": ("ok", "ok", "ok", "403", "403", "ok", "ok", "ok"),
    # National Focal Points of participating parties follow the case.
    "nfp.bg": ("ok", "ok", "ok", "403", "403", "403", "403", "ok"),
    "nfp.ro": ("ok", "ok", "ok", "403", "403", "403", "403", "ok"),
    # An observer follows a case without personal data, and leads none.
    "obs.at": ("ok", "ok", "403", "403", "403", "403", "403", "ok"),
    # An operational partner taking no part in this case may open one of its own.
    "op.it": NOWHERE,
    # The analyst the case names works in it; opens cases for a lead agency.
    "analyst": ("ok", "ok", "ok", "403", "403", "ok", "ok", "ok"),
    "analyst.two": NOWHERE,
    # Secretariat staff who are not analysts, and the outsider: nothing of the case.
    "dpo": ("404", "404", "403", "404", "404", "404", "404", "404"),
    "admin": ("404", "404", "403", "404", "404", "404", "404", "404"),
    "lo.gr": NOWHERE,
}
OWN_PARTY = {"lo.ro": "RO", "lo.bg": "BG", "lo.tr": "TR", "nfp.bg": "BG", "obs.at": "AT"}


@pytest.fixture(autouse=True)
def _no_throttle_carry_over() -> None:
    cache.clear()


@pytest.fixture
def scenario(lo_ro: Officer, analyst: Officer) -> tuple[Case, MeetingAttachment]:
    case = open_case(
        lo_ro, "Bulgarian Police", "Turkish Customs", "Police of Austria", analysts=[analyst]
    )
    meeting = add_meeting(lo_ro, case)
    return case, meeting.attachments.get()


def _officer(username: str) -> Officer:
    if username == "analyst.two":
        return second_analyst()
    return Officer.objects.select_related("agency__party").get(username=username)


def _status_class(status_code: int) -> str:
    assert status_code < 500
    if status_code < 400:
        return "ok"
    return str(status_code)


class _Rollback(Exception):
    pass


def _answer(run: Callable[[], str]) -> str:
    """Run an action and undo whatever it did."""
    answer = ""
    try:
        with transaction.atomic():
            answer = run()
            raise _Rollback
    except _Rollback:
        return answer


def _party(username: str) -> str:
    return OWN_PARTY.get(username, "RO")


def _create_fields(officer: Officer) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": "regional_operation",
        "name": "Shadow",
        "status": "planned",
        "started_on": "2026-05-01",
    }
    if officer.agency_id is None:
        fields["lead_agency"] = agency_ids("Romanian Police")[0]
    return fields


def _page_calls(client: Client, officer: Officer, case: Case, attachment: MeetingAttachment):
    base = f"/cases/{case.reference}/"

    def listed() -> str:
        response = client.get("/cases/")
        assert response.status_code == 200
        return "ok" if case.reference.encode() in response.content else "404"

    def post(path: str, data: dict[str, Any]) -> Callable[[], str]:
        def run() -> str:
            response = client.post(path, data)
            if response.status_code == 400:  # a form shown again: its errors are a test bug
                pytest.fail(response.content.decode()[:3000])
            return _status_class(response.status_code)

        return run

    party = Party.objects.get(code=_party(officer.username))
    return {
        "list": listed,
        "page": lambda: _status_class(client.get(base).status_code),
        "create": post("/cases/new/", _create_fields(officer)),
        "status": post(f"{base}status/", {"status": "action_day"}),
        "invite": post(f"{base}invite/", {"agencies": agency_ids("Moldovan Police")}),
        "meeting": post(
            f"{base}meetings/new/",
            {"held_on": "2026-04-02", "place": "Constanța", "decisions": "Watch the port."},
        ),
        "results": post(
            f"{base}results/new/",
            {
                "party": party.pk,
                "reported_on": "2026-04-03",
                "persons_arrested": 3,
                "persons_identified": 0,
                "persons_charged": 0,
                "victims_identified": 0,
                "victims_assisted": 0,
                "victims_repatriated": 0,
                "vehicles_seized": 1,
                "seizure-TOTAL_FORMS": 1,
                "seizure-INITIAL_FORMS": 0,
                "seizure-MIN_NUM_FORMS": 0,
                "seizure-MAX_NUM_FORMS": 50,
                "seizure-0-item": "heroin",
                "seizure-0-quantity": "12.5",
                "seizure-0-unit": "kg",
            },
        ),
        "attachment": lambda: _status_class(
            client.get(f"/cases/attachments/{attachment.pk}/").status_code
        ),
    }


def _api_calls(client: APIClient, officer: Officer, case: Case, attachment: MeetingAttachment):
    base = f"/api/v1/cases/{case.reference}/"

    def listed() -> str:
        response = client.get("/api/v1/cases/")
        assert response.status_code == 200
        listed = [c["reference"] for c in response.json()["results"]]
        return "ok" if case.reference in listed else "404"

    def post(path: str, data: dict[str, Any]) -> Callable[[], str]:
        def run() -> str:
            response = client.post(path, data, format="json")
            if response.status_code == 400:
                pytest.fail(response.content.decode())
            return _status_class(response.status_code)

        return run

    create = _create_fields(officer)
    return {
        "list": listed,
        "page": lambda: _status_class(client.get(base).status_code),
        "create": post("/api/v1/cases/", create),
        "status": post(f"{base}status/", {"status": "action_day"}),
        "invite": post(f"{base}participants/", {"agencies": agency_ids("Moldovan Police")}),
        "meeting": post(f"{base}meetings/", {"held_on": "2026-04-02", "place": "Constanța"}),
        "results": post(
            f"{base}results/",
            {
                "party": _party(officer.username),
                "reported_on": "2026-04-03",
                "persons_arrested": 3,
                "seizures": [{"item": "heroin", "quantity": "12.5", "unit": "kg"}],
            },
        ),
        "attachment": lambda: _status_class(
            client.get(f"{base}attachments/{attachment.pk}/").status_code
        ),
    }


@pytest.mark.parametrize("username", PERSONAS)
def test_every_persona_gets_the_matrix_answer_from_every_case_page(
    client: Client, username: str, scenario: tuple[Case, MeetingAttachment]
) -> None:
    case, attachment = scenario
    officer = _officer(username)
    calls = _page_calls(verified_client(client, officer), officer, case, attachment)
    answers = tuple(_answer(calls[action]) for action in ACTIONS)
    assert dict(zip(ACTIONS, answers, strict=True)) == dict(
        zip(ACTIONS, EXPECTED[username], strict=True)
    )


@pytest.mark.parametrize("username", PERSONAS)
def test_every_persona_gets_the_matrix_answer_from_every_api_route(
    username: str, scenario: tuple[Case, MeetingAttachment]
) -> None:
    case, attachment = scenario
    officer = _officer(username)
    client = APIClient()
    client.force_authenticate(user=officer)
    calls = _api_calls(client, officer, case, attachment)
    answers = tuple(_answer(calls[action]) for action in ACTIONS)
    assert dict(zip(ACTIONS, answers, strict=True)) == dict(
        zip(ACTIONS, EXPECTED[username], strict=True)
    )


# Each route and method of the cases API, and the action of the matrix it performs. Reading a
# case's meetings or results needs nothing beyond seeing the case: they answer as "page" does.
ROUTE_ACTIONS: dict[tuple[str, str], str] = {
    ("api-case-list", "GET"): "list",
    ("api-case-list", "POST"): "create",
    ("api-case-detail", "GET"): "page",
    ("api-case-status", "POST"): "status",
    ("api-case-participants", "POST"): "invite",
    ("api-case-meetings", "GET"): "meetings_list",
    ("api-case-meetings", "POST"): "meeting",
    ("api-case-results", "GET"): "results_list",
    ("api-case-results", "POST"): "results",
    ("api-case-attachment", "GET"): "attachment",
}


def test_every_api_route_and_method_of_the_cases_is_in_the_matrix() -> None:
    from cases import api_urls

    routes = {
        (pattern.name, method.upper())
        for pattern in api_urls.urlpatterns
        for method in ("get", "post", "put", "patch", "delete")
        # DRF's as_view() sets cls on the view function it returns; no stub declares it.
        if hasattr(pattern.callback.cls, method)  # type: ignore[attr-defined]
    }
    assert routes == set(ROUTE_ACTIONS)
    assert set(ROUTE_ACTIONS.values()) - {"meetings_list", "results_list"} == set(ACTIONS)


@pytest.mark.parametrize("username", PERSONAS)
def test_reading_meetings_and_results_through_the_api_answers_as_the_case_page(
    username: str, scenario: tuple[Case, MeetingAttachment]
) -> None:
    case, _attachment = scenario
    client = APIClient()
    client.force_authenticate(user=_officer(username))
    page = EXPECTED[username][ACTIONS.index("page")]
    base = f"/api/v1/cases/{case.reference}/"
    assert _status_class(client.get(f"{base}meetings/").status_code) == page
    assert _status_class(client.get(f"{base}results/").status_code) == page


def test_a_case_page_that_does_not_exist_answers_like_a_hidden_one(
    login, lo_ro: Officer, outsider: Officer, scenario: tuple[Case, MeetingAttachment]
) -> None:
    case, _attachment = scenario
    hidden = login(outsider).get(f"/cases/{case.reference}/")
    missing = login(outsider).get("/cases/SELEC-RO-2099-9999/")
    assert hidden.status_code == missing.status_code == 404
    assert case.name.encode() not in hidden.content


# The regional operation's own messages (a warning here) go through the exchanges API with the
# case's reference: (strategic, with a person). The participants' agencies and NFPs send them,
# the observer too, and its author then opens what it sent; personal data joins no case an
# observer takes part in, and an observer sends none (400, the rule named, nothing saved).
# Everyone else names no case they may link an exchange to (400), the analyst the case names
# too: analysts send no exchanges.
MESSAGES: dict[str, tuple[str, str]] = {
    "lo.ro": ("ok", "400"),
    "lo.bg": ("ok", "400"),
    "lo.tr": ("ok", "400"),
    "nfp.bg": ("ok", "400"),
    "nfp.ro": ("ok", "400"),
    "obs.at": ("ok", "400"),
    "op.it": ("400", "400"),
    "analyst": ("400", "400"),
    "analyst.two": ("400", "400"),
    "dpo": ("400", "400"),
    "admin": ("400", "400"),
    "lo.gr": ("400", "400"),
}


@pytest.mark.parametrize("username", PERSONAS)
def test_every_persona_gets_the_matrix_answer_for_the_operations_messages(
    username: str, scenario: tuple[Case, MeetingAttachment]
) -> None:
    case, _attachment = scenario
    client = APIClient()
    client.force_authenticate(user=_officer(username))
    body = {
        "kind": "warning",
        "case": case.reference,
        "recipients": agency_ids("Romanian Police", "Bulgarian Police"),
        "crime_area": "drugs",
        "subject": "Route change",
        "body": "The lorries now cross at Nickelsdorf.",
    }
    personal = body | {
        "personal_data": True,
        "evaluation": {"source_reliability": "B", "information_accuracy": "2"},
        "entities": [{"kind": "person", "attributes": {"names": "Ivan Petrov"}}],
    }

    def sent(data: dict[str, Any]) -> Callable[[], str]:
        def run() -> str:
            before = Exchange.objects.count()
            response = client.post("/api/v1/exchanges/", data, format="json")
            answer = _status_class(response.status_code)
            if answer == "ok":
                # What its author sent opens to them.
                assert client.get(response["Location"]).status_code == 200
            else:
                assert Exchange.objects.count() == before
            return answer

        return run

    assert (_answer(sent(body)), _answer(sent(personal))) == MESSAGES[username]


def test_the_operations_messages_matrix_has_a_row_for_every_persona() -> None:
    assert set(MESSAGES) == set(PERSONAS)
