"""Fixtures shared by the whole suite: the reference data and the demo personas are loaded
once per test database, and each persona is a fixture of its own."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from partners.models import Officer
from tests.helpers import verified_client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)


def _persona(username: str) -> Officer:
    return Officer.objects.select_related("agency__party").get(username=username)


@pytest.fixture
def lo_ro(db) -> Officer:  # type: ignore[no-untyped-def]
    """Liaison officer of the Romanian Police (member state)."""
    return _persona("lo.ro")


@pytest.fixture
def lo_bg(db) -> Officer:  # type: ignore[no-untyped-def]
    return _persona("lo.bg")


@pytest.fixture
def lo_tr(db) -> Officer:  # type: ignore[no-untyped-def]
    """Liaison officer of Turkish Customs."""
    return _persona("lo.tr")


@pytest.fixture
def lo_al(db) -> Officer:  # type: ignore[no-untyped-def]
    return _persona("lo.al")


@pytest.fixture
def nfp_bg(db) -> Officer:  # type: ignore[no-untyped-def]
    """Officer of Bulgaria's National Focal Point."""
    return _persona("nfp.bg")


@pytest.fixture
def nfp_ro(db) -> Officer:  # type: ignore[no-untyped-def]
    return _persona("nfp.ro")


@pytest.fixture
def obs_at(db) -> Officer:  # type: ignore[no-untyped-def]
    """Representative of Austria, an observer."""
    return _persona("obs.at")


@pytest.fixture
def op_it(db) -> Officer:  # type: ignore[no-untyped-def]
    """Representative of Italy, an operational partner."""
    return _persona("op.it")


@pytest.fixture
def analyst(db) -> Officer:  # type: ignore[no-untyped-def]
    return _persona("analyst")


@pytest.fixture
def dpo(db) -> Officer:  # type: ignore[no-untyped-def]
    return _persona("dpo")


@pytest.fixture
def directory_admin(db) -> Officer:  # type: ignore[no-untyped-def]
    return _persona("admin")


@pytest.fixture
def outsider(db) -> Officer:  # type: ignore[no-untyped-def]
    """A liaison officer of Greece: a party with no business in what the test looks at."""
    return _persona("lo.gr")


@pytest.fixture
def login(client: Client):  # type: ignore[no-untyped-def]
    """``login(officer)`` gives the test client a verified (password + TOTP) session."""

    def _login(officer: Officer) -> Client:
        return verified_client(client, officer)

    return _login
