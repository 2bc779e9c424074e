"""Nobody but the DPO learns that the DPO's pages and endpoints exist: 404 to directory
administrators, analysts, liaison and NFP officers alike, whatever they send. The provider's
queue is for officers of an agency (404 to the secretariat), and an item of another agency is
404, as one that does not exist."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from partners.models import Officer
from selec.core.models import AuditEvent
from subjects.models import ItemStatus, SubjectRequest, SubjectRequestItem
from tests.hits.scenario import A_DATE_OF_BIRTH
from tests.subjects.scenario import LATIN, Api, Login, a_request, two_providers_hold_one_man

pytestmark = pytest.mark.django_db

OTHERS = ["directory_admin", "analyst", "lo_ro", "nfp_bg", "obs_at"]
SECRETARIAT = ["directory_admin", "analyst", "dpo"]
PERSON = {"names": LATIN, "date_of_birth": A_DATE_OF_BIRTH}


@pytest.fixture
def request_made(dpo: Officer, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer) -> SubjectRequest:
    two_providers_hold_one_man(lo_ro, lo_bg, lo_tr)
    return a_request(dpo)


def _dpo_pages(reference: str) -> list[tuple[str, str, dict[str, str]]]:
    return [
        ("get", "/subject-requests/", {}),
        ("get", "/subject-requests/?after=garbage", {}),
        ("get", "/subject-requests/search/", {}),
        ("post", "/subject-requests/search/", PERSON),
        ("post", "/subject-requests/new/", {**PERSON, "kind": "access"}),
        ("get", f"/subject-requests/{reference}/", {}),
        ("get", "/subject-requests/DSR-1999-0001/", {}),
    ]


def _dpo_endpoints(reference: str) -> list[tuple[str, str, dict[str, object]]]:
    return [
        ("get", "/api/v1/subject-requests/", {}),
        ("get", "/api/v1/subject-requests/?cursor=garbage", {}),
        ("post", "/api/v1/subject-requests/", {"subject": PERSON, "kind": "access"}),
        ("post", "/api/v1/subject-requests/search/", {"subject": PERSON}),
        ("post", "/api/v1/subject-requests/search/", {"subject": {}}),
        ("get", f"/api/v1/subject-requests/{reference}/", {}),
        ("get", "/api/v1/subject-requests/DSR-1999-0001/", {}),
    ]


@pytest.mark.parametrize("persona", OTHERS)
def test_every_dpo_page_is_404_to_anybody_but_the_dpo(
    persona: str, request: pytest.FixtureRequest, login: Login, request_made: SubjectRequest
) -> None:
    client = login(request.getfixturevalue(persona))
    for method, url, data in _dpo_pages(request_made.reference):
        assert getattr(client, method)(url, data).status_code == 404, url
    assert SubjectRequest.objects.count() == 1


@pytest.mark.parametrize("persona", OTHERS)
def test_every_dpo_endpoint_is_404_to_anybody_but_the_dpo(
    persona: str, request: pytest.FixtureRequest, api: Api, request_made: SubjectRequest
) -> None:
    officer = request.getfixturevalue(persona)
    client = api(officer)
    for method, url, data in _dpo_endpoints(request_made.reference):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url
    # Nothing was searched, read or recorded.
    assert not AuditEvent.objects.filter(actor=officer, event__startswith="subject").exists()
    assert SubjectRequest.objects.count() == 1


def test_a_deactivated_dpo_is_refused_like_anybody(dpo: Officer, api: Api) -> None:
    dpo.is_active = False
    assert api(dpo).get("/api/v1/subject-requests/").status_code == 404


@pytest.mark.parametrize("persona", SECRETARIAT)
def test_the_provider_queue_is_404_to_the_secretariat(
    persona: str,
    request: pytest.FixtureRequest,
    login: Login,
    api: Api,
    request_made: SubjectRequest,
) -> None:
    item = request_made.items.first()
    assert item is not None
    officer = request.getfixturevalue(persona)
    pages, endpoints = login(officer), api(officer)
    assert pages.get("/subject-requests/queue/").status_code == 404
    assert pages.get(f"/subject-requests/items/{item.pk}/").status_code == 404
    assert endpoints.get("/api/v1/subject-requests/items/").status_code == 404
    answer = f"/api/v1/subject-requests/items/{item.pk}/answer/"
    assert endpoints.post(answer, {"decision": "no_data"}, format="json").status_code == 404


@pytest.mark.parametrize("persona", ["lo_tr", "nfp_bg", "outsider"])
def test_another_agencys_item_is_404(
    persona: str,
    request: pytest.FixtureRequest,
    login: Login,
    api: Api,
    request_made: SubjectRequest,
) -> None:
    """The recipient of the exchange, the provider's NFP and an outsider alike."""
    officer = request.getfixturevalue(persona)
    for item in request_made.items.all():
        page = f"/subject-requests/items/{item.pk}/"
        assert login(officer).get(page).status_code == 404
        assert login(officer).post(page, {"decision": "no_data"}).status_code == 404
        answer = f"/api/v1/subject-requests/items/{item.pk}/answer/"
        # Whatever the body: the item is not theirs before the body is looked at.
        assert api(officer).post(answer, {}, format="json").status_code == 404
    assert api(officer).get("/api/v1/subject-requests/items/").json()["results"] == []
    assert not SubjectRequestItem.objects.filter(status=ItemStatus.ANSWERED).exists()


def test_an_item_that_does_not_exist_is_404(lo_ro: Officer, login: Login, api: Api) -> None:
    assert login(lo_ro).get("/subject-requests/items/999999/").status_code == 404
    huge = f"/api/v1/subject-requests/items/{2**64}/answer/"
    assert api(lo_ro).post(huge, {"decision": "no_data"}, format="json").status_code == 404


def test_an_api_caller_without_credentials_gets_401() -> None:
    for method, url, data in _dpo_endpoints("DSR-2026-0001"):
        assert getattr(APIClient(), method)(url, data, format="json").status_code == 401, url
    assert APIClient().get("/api/v1/subject-requests/items/").status_code == 401


def test_a_browser_without_a_session_is_sent_to_the_login(client: Client) -> None:
    for url in ("/subject-requests/", "/subject-requests/search/", "/subject-requests/queue/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/account/login/"), url


def test_the_schema_names_the_form_of_a_reference_so_no_other_route_passes_for_one(
    dpo: Officer, api: Api
) -> None:
    # Any text was a reference in the schema: "items" named the provider queue's route, and
    # a client that asked for request "items" got a list where the schema promised a request.
    schema = api(dpo).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/subject-requests/{reference}/"]["get"]
    pattern = next(p for p in operation["parameters"] if p["name"] == "reference")["schema"][
        "pattern"
    ]
    created = a_request(dpo).reference
    assert re.fullmatch(pattern, created), created
    for other_route in ("items", "search"):
        assert not re.fullmatch(pattern, other_route)
    assert api(dpo).get(f"/api/v1/subject-requests/{created}/").status_code == 200
