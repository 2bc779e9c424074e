"""No invitation or password reset secret reaches a log line (``selec.core.log_filters``)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from selec.core.log_filters import HIDDEN, HideUrlSecrets, hide_secrets

TOKEN = "Zk3v9Qm2LrT8xWc1"


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (f"/account/invitation/{TOKEN}/", f"/account/invitation/{HIDDEN}/"),
        (f"/account/password-reset/MTI/{TOKEN}/", f"/account/password-reset/MTI/{HIDDEN}/"),
        # Django's own redirect target holds no secret: kept as it is.
        ("/account/password-reset/MTI/set-password/", "/account/password-reset/MTI/set-password/"),
        ("/exchanges/SELEC-2026-000123/", "/exchanges/SELEC-2026-000123/"),
    ],
)
def test_the_secret_of_a_path_is_hidden(path: str, shown: str) -> None:
    assert hide_secrets(f"Bad Request: {path}") == f"Bad Request: {shown}"


@pytest.mark.django_db
def test_a_refused_invitation_is_logged_without_its_link(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(HideUrlSecrets())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(f"/account/invitation/{TOKEN}/")
    assert caplog.records, "the refused link was logged"
    assert all(TOKEN not in record.getMessage() for record in caplog.records)
    assert any(HIDDEN in record.getMessage() for record in caplog.records)


def test_every_log_line_goes_through_the_filter(settings) -> None:
    handlers = settings.LOGGING["handlers"]
    assert handlers, "the configuration writes logs somewhere"
    for handler in handlers.values():
        assert "hide_url_secrets" in handler["filters"]
    assert settings.LOGGING["filters"]["hide_url_secrets"]["()"] == (
        "selec.core.log_filters.HideUrlSecrets"
    )
