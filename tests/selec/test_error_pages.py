"""The pages of a refused request (400, 403, 404) name the request id, as the 500 page does, in
the site's layout; under /api/ they answer JSON (``selec.core.error_pages``,
``selec.core.not_found``)."""

from __future__ import annotations

import pytest
from django.test import Client

from partners.models import Officer
from tests.selec.refusal_urls import REASON

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.selec.refusal_urls")]


def _request_id_shown(response) -> None:
    request_id = response["X-Request-ID"]
    assert request_id
    assert f"<code>{request_id}</code>" in response.content.decode()


def test_a_403_shows_the_refusals_reason_and_the_request_id_in_the_sites_layout(
    login, lo_ro: Officer
) -> None:
    response = login(lo_ro).get("/test/refused/")

    assert response.status_code == 403
    content = response.content.decode()
    assert "<h1>Not allowed</h1>" in content
    assert REASON in content
    assert 'class="site-header' in content or "<nav" in content
    _request_id_shown(response)


def test_a_403_without_a_reason_says_so_plainly(login, lo_ro: Officer) -> None:
    response = login(lo_ro).get("/test/refused-silently/")

    assert response.status_code == 403
    assert "You may not do this." in response.content.decode()
    _request_id_shown(response)


def test_a_404_shows_the_request_id_and_never_the_address_or_the_reason(
    login, lo_ro: Officer
) -> None:
    response = login(lo_ro).get("/exchanges/SELEC-1999-000001/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "There is nothing here that you may see." in content
    assert "No exchange matches" not in content
    _request_id_shown(response)


def test_a_400_is_a_styled_page_with_the_request_id(login, lo_ro: Officer) -> None:
    response = login(lo_ro).get("/test/unreadable/")

    assert response.status_code == 400
    content = response.content.decode()
    assert "<!DOCTYPE html>" in content
    assert "Request not understood" in content
    assert "css/selec.css" in content
    assert "a malformed request" not in content
    _request_id_shown(response)


def test_a_host_not_allowed_gets_the_400_page_rendered_without_the_request() -> None:
    response = Client().get("/", HTTP_HOST="selec.evil.example")

    assert response.status_code == 400
    assert "Request not understood" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/api/test/refused/", 403, REASON),
        ("/api/test/unreadable/", 400, "Bad request."),
    ],
)
def test_under_the_api_a_refusal_answers_json_with_the_request_id(
    path: str, status: int, detail: str
) -> None:
    response = Client().get(path)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail, "request_id": response["X-Request-ID"]}
