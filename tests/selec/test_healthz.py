from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_the_database_and_broker_without_login(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    # In-process when no broker is configured, a real connection check otherwise.
    assert body["broker"] == ("in-process" if settings.CELERY_TASK_ALWAYS_EAGER else "ok")


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_unreachable(client: Client, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unreachable"}


@pytest.mark.django_db
def test_healthz_is_never_cached(client: Client) -> None:
    assert "no-cache" in client.get("/healthz")["Cache-Control"]
