"""The authorization matrix of the exchanges issue, run again through the REST API.

Same scenario, personas and table as tests/exchanges/test_authorization_matrix.py; every route
and method of exchanges/api_urls.py is mapped to one of the matrix's actions (or to an action
of the API alone whose answers derive from the table, below), and a test fails when a route or
method is not in the map. Answers compare by class: ok (2xx), 400, 403, 404.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern
from rest_framework.response import Response
from rest_framework.test import APIClient

from exchanges import api_urls
from exchanges.models import DisseminationKind, DisseminationRequest, Exchange
from partners.models import Officer
from tests.exchanges.scenario import agency_ids, send
from tests.exchanges.test_authorization_matrix import ACTIONS, COLUMNS, EXPECTED, PERSONAS
from tests.helpers import agency_of

API = "/api/v1/"
SECRETARIAT = {"analyst", "dpo", "admin"}
# Officers who never receive entities: an observer's, and those of no agency.
NO_ENTITIES = SECRETARIAT | {"obs.at"}

# Each route and method of the exchanges API, and the action of the matrix it performs.
ROUTE_ACTIONS: dict[tuple[str, str], str] = {
    ("api-exchange-list", "GET"): "list",
    ("api-exchange-list", "POST"): "send",
    ("api-exchange-detail", "GET"): "view",
    ("api-exchange-replies", "POST"): "reply",
    ("api-exchange-acknowledge", "POST"): "acknowledge",
    ("api-exchange-forward", "POST"): "forward",
    ("api-exchange-restrictions", "PATCH"): "tighten",
    ("api-exchange-restrictions-confirm", "POST"): "confirm",
    ("api-exchange-purpose", "POST"): "give_purpose",
    ("api-exchange-evidence", "POST"): "export_evidence",
    ("api-exchange-attachment", "GET"): "download",
    ("api-exchange-dissemination-requests", "GET"): "list_dissemination_requests",
    ("api-exchange-dissemination-requests", "POST"): "request_dissemination",
    ("api-dissemination-decision", "POST"): "grant",
    ("api-exchange-umf", "GET"): "export_umf",
    ("api-umf-schema", "GET"): "describe_umf",
}
# Routes the matrix calls with another body too, each body an action of its own.
ROUTE_VARIANTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("api-exchange-replies", "POST"): ("reply_personal_data",),
}
API_ACTIONS = set(ROUTE_ACTIONS.values()) | {a for more in ROUTE_VARIANTS.values() for a in more}


def _api_expected() -> dict[tuple[str, str, bool, str], str]:
    """The matrix, plus the actions only the API has. Acknowledging, confirming the H3 text,
    saying why one opens the thread and listing the dissemination requests need nothing beyond
    seeing the exchange: they answer as "view" does. Sending is open to every officer of an agency, refused (403) to secretariat
    staff, whatever the column. An exchange's entities in UMF answer as "view" does, except
    403 to an officer who may view it but never receives entities; the UMF schema is
    described to every caller."""
    table = dict(EXPECTED)
    for persona, code, personal, action in EXPECTED:
        if action == "view":
            for derived in (
                "acknowledge",
                "confirm",
                "give_purpose",
                "list_dissemination_requests",
            ):
                table[(persona, code, personal, derived)] = EXPECTED[
                    (persona, code, personal, "view")
                ]
            viewed = EXPECTED[(persona, code, personal, "view")]
            table[(persona, code, personal, "export_umf")] = (
                "403" if viewed == "ok" and persona in NO_ENTITIES else viewed
            )
        table[(persona, code, personal, "send")] = "403" if persona in SECRETARIAT else "ok"
        table[(persona, code, personal, "describe_umf")] = "ok"
    return table


API_EXPECTED = _api_expected()


@pytest.fixture(autouse=True)
def _no_throttle_carry_over() -> None:
    cache.clear()


def _status_class(response: Response) -> str:
    if 200 <= response.status_code < 300:
        return "ok"
    return str(response.status_code)


def _calls(
    client: APIClient, exchange: Exchange, request: DisseminationRequest
) -> dict[str, Callable[[], str]]:
    url = f"{API}exchanges/{exchange.reference}/"

    def call(method: str, path: str, data: object = None) -> str:
        # Each call in a savepoint of its own, so that a refused one leaves the next one free.
        with transaction.atomic():
            if method == "get":
                if data is not None:
                    raise TypeError("the matrix's reads carry no query: their path says it all")
                response = client.get(path)
            else:
                response = getattr(client, method)(path, data, format="json")
        assert response.status_code < 500, response.content
        return _status_class(response)

    def confirmed(method: str, path: str, data: object = None) -> Callable[[], str]:
        # A reader says why they open the thread and confirms an H3 text first: the actions,
        # not the gates, are tested.
        def run() -> str:
            call("post", f"{url}purpose/", {"purpose": "Case 12/2026"})
            call("post", f"{url}restrictions/confirm/")
            return call(method, path, data)

        return run

    def listed() -> str:
        # The list answers 200 to everybody: an exchange the caller may not see is absent. A
        # whole reference names one exchange at most: a page of one, with nothing beyond it.
        response = client.get(f"{API}exchanges/", {"reference": exchange.reference, "limit": "1"})
        assert response.status_code == 200, response.content
        data = response.json()
        assert (data["previous"], data["next"]) == (None, None)
        found = [e["reference"] for e in data["results"]]
        return "ok" if exchange.reference in found else "404"

    personal = exchange.personal_data
    message = {
        "subject": "Re: shipment",
        "body": "Noted.",
        "personal_data": personal,
        "evaluation": {"source_reliability": "B", "information_accuracy": "2"} if personal else {},
    }
    kind = (
        DisseminationKind.SHARE if exchange.restrict_dissemination else DisseminationKind.EVIDENCE
    )
    return {
        "list": listed,
        "send": lambda: call(
            "post",
            f"{API}exchanges/",
            {
                "kind": "information",
                "recipients": agency_ids("Bulgarian Police", "Hellenic Police"),
                "crime_area": "drugs",
                "subject": "Trend report",
                "body": "Routes changed in May.",
            },
        ),
        "view": confirmed("get", url),
        "export_umf": confirmed("get", f"{url}umf/"),
        "describe_umf": lambda: call("get", f"{API}umf/schema/"),
        "download": confirmed("get", f"{url}attachments/{exchange.attachments.get().pk}/"),
        "reply": confirmed("post", f"{url}replies/", message),
        "reply_personal_data": confirmed(
            "post",
            f"{url}replies/",
            {
                "subject": "Re: shipment",
                "body": "The driver is known to us.",
                "personal_data": True,
                "evaluation": {"source_reliability": "B", "information_accuracy": "2"},
                "entities": [{"kind": "person", "attributes": {"names": "Ivan Petrov"}}],
            },
        ),
        "acknowledge": lambda: call("post", f"{url}acknowledge/"),
        "confirm": lambda: call("post", f"{url}restrictions/confirm/"),
        "give_purpose": lambda: call("post", f"{url}purpose/", {"purpose": "Case 12/2026"}),
        "forward": lambda: call(
            "post",
            f"{url}forward/",
            {"agencies": agency_ids("Hellenic Police"), "justification": "joint case"},
        ),
        "list_dissemination_requests": lambda: call("get", f"{url}dissemination-requests/"),
        "request_dissemination": lambda: call(
            "post",
            f"{url}dissemination-requests/",
            {
                "kind": kind,
                "target_agencies": agency_ids("Hellenic Police"),
                "intended_use": "Joint investigation",
                "justification": "The suspect is active in Greece.",
            },
        ),
        "grant": lambda: call(
            "post", f"{API}dissemination-requests/{request.pk}/decision/", {"decision": "grant"}
        ),
        "tighten": lambda: call(
            "patch", f"{url}restrictions/", {"evidence": True, "dissemination": True}
        ),
        "export_evidence": confirmed("post", f"{url}evidence/", {"justification": "Case 12/2026"}),
    }


class _Rollback(Exception):
    pass


def _answer(run: Callable[[], str]) -> str:
    """Run an action through the API and undo whatever it did."""
    answer = ""
    try:
        with transaction.atomic():
            answer = run()
            raise _Rollback
    except _Rollback:
        return answer


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "personal"),
    COLUMNS,
    ids=[f"{c}-{'personal' if p else 'strategic'}" for c, p in COLUMNS],
)
def test_every_persona_gets_the_matrix_answer_from_every_api_route(
    code: str, personal: bool
) -> None:
    sender = Officer.objects.get(username="lo.ro")
    recipients = ["Bulgarian Police", "Turkish Customs", "Police of Italy"] + (
        [] if personal else ["Police of Austria"]
    )
    exchange = send(sender, *recipients, code=code, personal=personal)
    lo_bg = Officer.objects.get(username="lo.bg")
    request = DisseminationRequest.objects.create(
        exchange=exchange,
        kind=DisseminationKind.SHARE,
        requesting_agency=agency_of(lo_bg),
        requested_by=lo_bg,
        intended_use="Joint investigation",
        justification="Needed by the Hellenic Police",
        requested_at=exchange.sent_at,
    )
    request.target_agencies.set(agency_ids("Hellenic Police"))

    mismatches = {}
    for username in PERSONAS:
        officer = Officer.objects.select_related("agency__party").get(username=username)
        client = APIClient()
        client.force_authenticate(user=officer)
        calls = _calls(client, exchange, request)
        for action in sorted(API_ACTIONS):
            got, want = _answer(calls[action]), API_EXPECTED[(username, code, personal, action)]
            if got != want:
                mismatches[(username, action)] = f"got {got}, matrix says {want}"
    assert mismatches == {}


def _routes() -> set[tuple[str, str]]:
    """Every (route name, method) of exchanges/api_urls.py, OPTIONS and HEAD aside."""
    found = set()
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern), f"{pattern} is not a plain route"
        assert pattern.name is not None, f"{pattern} has no name for the matrix to use"
        view_class = pattern.callback.view_class  # type: ignore[attr-defined]
        for method in view_class.http_method_names:
            if method not in ("options", "head") and hasattr(view_class, method):
                found.add((pattern.name, method.upper()))
    return found


def test_every_api_route_and_method_is_in_the_matrix() -> None:
    assert _routes() - set(ROUTE_ACTIONS) == set(), "routes missing from ROUTE_ACTIONS"
    assert set(ROUTE_ACTIONS) - _routes() == set(), "ROUTE_ACTIONS names routes that are gone"


def test_every_action_of_the_matrix_has_an_api_route_and_an_answer_for_every_cell() -> None:
    assert set(ACTIONS) <= API_ACTIONS
    assert set(ROUTE_VARIANTS) <= set(ROUTE_ACTIONS)
    assert len(API_EXPECTED) == len(PERSONAS) * len(COLUMNS) * len(API_ACTIONS)
    assert {a for *_, a in API_EXPECTED} == API_ACTIONS
