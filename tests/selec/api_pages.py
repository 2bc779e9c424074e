"""Reading the API's lists (``selec.core.api_pagination.CursorPage``) in tests: every page,
following ``next`` until it is null."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

ENVELOPE = {"next", "previous", "results"}


def pages(client: APIClient, url: str, params: dict[str, Any] | None = None) -> list[dict]:
    """Every page of the list, first to last; each must be the envelope and nothing else."""
    found: list[dict] = []
    response = client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        page = response.json()
        assert set(page) == ENVELOPE, page
        found.append(page)
        if page["next"] is None:
            return found
        assert len(found) < 1000, "the next links go round in a circle"
        response = client.get(page["next"])


def rows(client: APIClient, url: str, params: dict[str, Any] | None = None) -> list[dict]:
    """Every row of the list, in its order, read page after page."""
    return [row for page in pages(client, url, params) for row in page["results"]]
