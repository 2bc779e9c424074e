"""Content stays out of caches: officers' pages and every API answer say ``no-store``; a view's
own ``no-store`` header is kept as it is; static files stay cacheable."""

from __future__ import annotations

import pytest
from django.http import HttpResponse, HttpResponseBase
from django.test import Client, RequestFactory
from django.utils.cache import cc_delim_re

from partners.models import Officer
from selec.core.cache_control import NoStoreMiddleware
from tests.exchanges.scenario import send
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db

# What Django's never_cache sets (the login wizard and the health check use it).
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def _directives(response: HttpResponseBase) -> set[str]:
    return {d.strip() for d in cc_delim_re.split(response.get("Cache-Control", "")) if d.strip()}


def test_the_inbox_is_not_stored(login, lo_ro: Officer) -> None:
    response = login(lo_ro).get("/exchanges/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_thread_is_not_stored(login, lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    response = login(lo_bg).get(f"/exchanges/{exchange.reference}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_an_htmx_fragment_is_not_stored_either(login, lo_ro: Officer) -> None:
    response = login(lo_ro).get("/exchanges/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_refusal_to_a_logged_in_officer_is_not_stored(
    login, lo_ro: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    response = login(outsider).get(f"/exchanges/{exchange.reference}/")
    assert response.status_code == 404
    assert response["Cache-Control"] == "private, no-store"


def test_an_api_detail_is_not_stored(login, lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    response = login(lo_ro).get(f"/api/v1/exchanges/{exchange.reference}/")
    assert response.status_code == 200
    assert response.json()["reference"] == exchange.reference
    assert response["Cache-Control"] == "private, no-store"


def test_an_api_answer_to_an_unauthenticated_caller_is_not_stored(client: Client) -> None:
    # No session: only the path says that this is the API.
    response = client.get("/api/v1/exchanges/")
    assert response.status_code == 401
    assert response["Cache-Control"] == "private, no-store"


def test_a_download_keeps_its_own_header(login, lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, exchange)
    response = login(lo_bg).get(f"/exchanges/attachments/{exchange.attachments.get().pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"


def test_the_login_page_keeps_its_never_cache_header(client: Client) -> None:
    response = client.get("/account/login/")
    assert response.status_code == 200
    assert _directives(response) == set(NEVER_CACHE.split(", "))


def test_a_view_that_set_no_store_itself_is_left_alone_for_an_officer(
    login, lo_ro: Officer
) -> None:
    # The health check's never_cache is stricter than ours: not rewritten, not doubled.
    response = login(lo_ro).get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"] == NEVER_CACHE


def test_a_weaker_header_set_by_a_view_is_made_private_and_no_store(lo_ro: Officer) -> None:
    def view_caching_for_everyone(request):
        response = HttpResponse("content")
        response["Cache-Control"] = "public, max-age=600"
        return response

    request = RequestFactory().get("/exchanges/")
    request.user = lo_ro
    response = NoStoreMiddleware(view_caching_for_everyone)(request)
    assert _directives(response) == {"private", "no-store", "max-age=600"}


def test_a_static_file_stays_cacheable_for_a_logged_in_officer(login, lo_ro: Officer) -> None:
    response = login(lo_ro).get("/static/css/selec.css")
    assert response.status_code == 200
    directives = _directives(response)
    assert "no-store" not in directives
    assert "private" not in directives
    assert any(d.startswith("max-age=") for d in directives)
    response.close()


def test_an_anonymous_page_gets_no_header_from_it(client: Client) -> None:
    # Nothing on it is an officer's: a logged-out visitor's 404 is left to the view.
    response = client.get("/no-such-page/")
    assert "no-store" not in _directives(response)
