"""An address that matches no route: JSON under /api/ (as every API error), the page elsewhere."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from partners.models import Officer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/crime-areas/not%20a%20code/",
        "/api/v1/exchanges/SELEC-2026-000001/attachments/not-a-number/",
        "/api/v1/dissemination-requests/x/decision/",
        "/api/v1/no-such-collection/",
    ],
)
def test_an_api_address_that_names_nothing_answers_json(
    api: Callable[[Officer], APIClient], lo_ro: Officer, path: str
) -> None:
    response = api(lo_ro).get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_address_that_names_nothing_answers_the_page(login, lo_ro: Officer) -> None:
    client: Client = login(lo_ro)

    response = client.get("/exchanges/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"<!DOCTYPE html>" in response.content
