"""Each page and list costs a fixed number of queries, whatever the number of requests, items
and providers it shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from partners.models import Officer
from subjects.identifiers import Identifiers
from subjects.models import SubjectRequest
from tests.hits.scenario import person, report
from tests.subjects.scenario import Api, Login, a_request, two_providers_hold_one_man

pytestmark = pytest.mark.django_db


# The session, the officer, their authenticator and the menu's unread count (4), and the
# page's one read; the detail reads the request and its items and writes its audit event
# (inside a savepoint): 4 + 5.
REQUESTS_PAGE = 5
DETAIL_PAGE = 9
QUEUE_PAGE = 5
# The API client is authenticated already: the page's one read.
REQUESTS_API = 1
QUEUE_API = 1


def _more_requests(dpo: Officer, lo_ro: Officer, count: int) -> None:
    """``count`` more requests, each about a man only the Romanian Police holds."""
    for n in range(count):
        names = f"Petar Canaric{chr(ord('a') + n)}"
        report(lo_ro, person(names, "1970-01-01"))
        a_request(dpo, identifiers=Identifiers(names=names, date_of_birth="1970-01-01"))


@pytest.fixture
def one_request(dpo: Officer, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer) -> SubjectRequest:
    two_providers_hold_one_man(lo_ro, lo_bg, lo_tr)
    received = timezone.localdate() - dt.timedelta(days=40)
    return a_request(dpo, received_on=received, due_on=received + dt.timedelta(days=5))


def test_the_requests_page(
    login: Login, dpo: Officer, lo_ro: Officer, one_request, django_assert_num_queries
) -> None:
    client = login(dpo)
    with django_assert_num_queries(REQUESTS_PAGE):
        assert client.get("/subject-requests/").status_code == 200
    _more_requests(dpo, lo_ro, 3)
    with django_assert_num_queries(REQUESTS_PAGE):
        assert client.get("/subject-requests/").status_code == 200


def test_the_request_page(
    login: Login,
    dpo: Officer,
    lo_al: Officer,
    op_it: Officer,
    one_request: SubjectRequest,
    django_assert_num_queries,
) -> None:
    client = login(dpo)
    with django_assert_num_queries(DETAIL_PAGE):
        assert client.get(f"/subject-requests/{one_request.reference}/").status_code == 200
    # Two more providers hold the man: a request with four items.
    report(lo_al, person("Djordje Djordjevic"))
    report(op_it, person("Ђорђе Ђорђевић"))
    bigger = a_request(dpo)
    assert bigger.items.count() == 4
    with django_assert_num_queries(DETAIL_PAGE):
        assert client.get(f"/subject-requests/{bigger.reference}/").status_code == 200


def test_the_queue_page(
    login: Login, dpo: Officer, lo_ro: Officer, one_request, django_assert_num_queries
) -> None:
    client = login(lo_ro)
    with django_assert_num_queries(QUEUE_PAGE):
        assert client.get("/subject-requests/queue/").status_code == 200
    _more_requests(dpo, lo_ro, 3)
    with django_assert_num_queries(QUEUE_PAGE):
        assert client.get("/subject-requests/queue/").status_code == 200


def test_the_lists_of_the_api(
    api: Api, dpo: Officer, lo_ro: Officer, one_request, django_assert_num_queries
) -> None:
    as_dpo, as_provider = api(dpo), api(lo_ro)
    with django_assert_num_queries(REQUESTS_API):
        assert len(as_dpo.get("/api/v1/subject-requests/").json()["results"]) == 1
    with django_assert_num_queries(QUEUE_API):
        assert len(as_provider.get("/api/v1/subject-requests/items/").json()["results"]) == 1
    _more_requests(dpo, lo_ro, 3)
    with django_assert_num_queries(REQUESTS_API):
        assert len(as_dpo.get("/api/v1/subject-requests/").json()["results"]) == 4
    with django_assert_num_queries(QUEUE_API):
        assert len(as_provider.get("/api/v1/subject-requests/items/").json()["results"]) == 4


def test_the_lists_page_by_cursor(
    api: Api, login: Login, dpo: Officer, lo_ro: Officer, one_request
) -> None:
    _more_requests(dpo, lo_ro, 4)
    client = api(dpo)

    first = client.get("/api/v1/subject-requests/", {"limit": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    back = client.get(third["previous"]).json()

    references = [r["reference"] for page in (first, second, third) for r in page["results"]]
    expected = list(SubjectRequest.objects.order_by("-id").values_list("reference", flat=True))
    assert references == expected
    assert third["next"] is None
    assert back["results"] == second["results"]
    # A cursor whose position this list never gave (p=garbage).
    assert client.get("/api/v1/subject-requests/", {"cursor": "cD1nYXJiYWdl"}).status_code == 400

    # The provider's queue: pending first, the soonest due first.
    queue = api(lo_ro)
    page = queue.get("/api/v1/subject-requests/items/", {"limit": 3}).json()
    rest = queue.get(page["next"]).json()
    due = [i["due_on"] for i in page["results"] + rest["results"]]
    assert due == sorted(due)
    assert rest["next"] is None
    html = login(dpo).get("/subject-requests/", {"after": "not-a-position"}).content.decode()
    assert "was not understood" in html
