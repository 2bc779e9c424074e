"""Development shows the pages officers will meet: debug pages only when asked for
(``DEBUG=1``), and the static files served all the same (WhiteNoise, from the source folders),
so that ``make demo`` under runserver looks as it will in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

# What a development server answers for a stylesheet, with the settings of its mode.
PROBE = (
    "from django.conf import settings; from django.test import Client; "
    "r = Client().get('/static/css/selec.css'); "
    "print(settings.DEBUG, r.status_code, r['Content-Type'].split(';')[0])"
)


def _development(**env: str) -> list[str]:
    """The probe's answer in development mode, with only ``env`` added to this environment
    (the test database, so that no embedded one starts; no DEBUG unless given)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "CELERY_BROKER_URL")}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", PROBE],
        cwd=ROOT,
        env={**clean, "SELEC_ENV": "development", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_development_shows_no_debug_page_unless_asked_and_still_serves_static_files() -> None:
    assert _development() == ["False", "200", "text/css"]


def test_development_shows_debug_pages_when_asked() -> None:
    assert _development(DEBUG="1") == ["True", "200", "text/css"]


@pytest.mark.django_db
def test_static_files_are_served_without_debug_through_the_application() -> None:
    assert settings.DEBUG is False

    response = Client().get("/static/css/selec.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
