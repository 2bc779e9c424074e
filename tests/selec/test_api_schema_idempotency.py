"""The schema offers the Idempotency-Key header on every write, and on no read, with the
answers it brings."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from partners.models import Officer

pytestmark = pytest.mark.django_db


def _schema(officer: Officer) -> dict[str, Any]:
    client = APIClient()
    client.force_authenticate(user=officer)
    return client.get("/api/schema/", {"format": "json"}).json()


def _headers_named_key(operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        p
        for p in operation.get("parameters", [])
        if p["in"] == "header" and p["name"] == "Idempotency-Key"
    ]


def test_every_write_takes_the_header_once_and_no_read_takes_it(lo_ro: Officer) -> None:
    operations = [
        (method, operation)
        for path_item in _schema(lo_ro)["paths"].values()
        for method, operation in path_item.items()
    ]

    writes = [op for method, op in operations if method in ("post", "put", "patch", "delete")]
    reads = [op for method, op in operations if method == "get"]
    assert writes
    assert reads
    assert all(len(_headers_named_key(op)) == 1 for op in writes)
    assert not any(_headers_named_key(op) for op in reads)


def test_the_header_is_an_optional_key_and_a_reused_key_is_a_documented_422(
    lo_ro: Officer,
) -> None:
    send = _schema(lo_ro)["paths"]["/api/v1/exchanges/"]["post"]

    (parameter,) = _headers_named_key(send)
    assert parameter["required"] is False
    assert parameter["schema"]["maxLength"] == 255
    assert "422" in parameter["description"]
    assert send["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Detail"
    }
    # The send's own 400 (its fields) is kept: a malformed key is answered in its shape.
    assert send["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Errors"
    }
