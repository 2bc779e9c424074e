"""Fixtures shared by the whole suite: the reference data and the demo personas are loaded
once per test database, and each persona is a fixture of its own.

The Celery fixtures build a fresh app the way ``selec.celery`` builds the project's (same task
class, configured from the Django settings), after overriding those settings for the test. A
fresh app is needed because a configured one keeps its broker connections pooled: changing the
project app's settings in the middle of the run would not reach the broker. The fresh app is
made the current and default one for the test, and the previous ones are restored after it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import redis
from celery import Celery
from celery.contrib.testing.app import setup_default_app
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from partners.models import Officer
from selec.celery import create_app
from selec.core.audit import audit_seal
from tests.helpers import verified_client

# The suite checks what the code does, never how fast (the benchmark measures speed): a
# property test's example takes as long as the machine needs. Hypothesis's default deadline
# (200 ms an example) is a timing assertion, which a busy machine can fail on right code.
hypothesis_settings.register_profile("selec", deadline=None)
hypothesis_settings.load_profile("selec")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a collection in which a test outside tests/browser/ takes Playwright's fixtures.

    The personas are loaded once per test database and every transactional test empties it,
    so transactional tests must run last (pytest-django orders them so). A test whose
    arguments name a Playwright fixture (a parameter called ``page``, say) pulls in its
    session-wide ``browser_name`` parameter, and pytest then moves the browser tests, which are
    transactional, in among the others: the tests after them fail for want of personas.
    """
    misplaced = [
        item.nodeid
        for item in items
        if "browser_name" in getattr(item, "fixturenames", ())
        and not item.nodeid.startswith("tests/browser/")
    ]
    if misplaced:
        raise pytest.UsageError(
            "These tests take a Playwright fixture (rename the argument): " + ", ".join(misplaced)
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", "--personas-only", verbosity=0)
        # What the worker does after each commit in production (no worker consumes the
        # tests' broker): every test starts from a sealed log.
        audit_seal()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Every test starts with an empty cache (the process's own, as CACHE_URL is unset): the
    login slow-down and the throttles count in it, and a test must not inherit the failures
    another test ran from the same address before it in the same worker."""
    cache.clear()


def _persona(username: str) -> Officer:
    return Officer.objects.select_related("agency__party").get(username=username)


@pytest.fixture
def lo_ro(db) -> Officer:
    """Liaison officer of the Romanian Police (member state)."""
    return _persona("lo.ro")


@pytest.fixture
def lo_bg(db) -> Officer:
    return _persona("lo.bg")


@pytest.fixture
def lo_tr(db) -> Officer:
    """Liaison officer of Turkish Customs."""
    return _persona("lo.tr")


@pytest.fixture
def lo_al(db) -> Officer:
    return _persona("lo.al")


@pytest.fixture
def nfp_bg(db) -> Officer:
    """Officer of Bulgaria's National Focal Point."""
    return _persona("nfp.bg")


@pytest.fixture
def nfp_ro(db) -> Officer:
    return _persona("nfp.ro")


@pytest.fixture
def obs_at(db) -> Officer:
    """Representative of Austria, an observer."""
    return _persona("obs.at")


@pytest.fixture
def op_it(db) -> Officer:
    """Representative of Italy, an operational partner."""
    return _persona("op.it")


@pytest.fixture
def analyst(db) -> Officer:
    return _persona("analyst")


@pytest.fixture
def dpo(db) -> Officer:
    return _persona("dpo")


@pytest.fixture
def directory_admin(db) -> Officer:
    return _persona("admin")


@pytest.fixture
def outsider(db) -> Officer:
    """A liaison officer of Greece: a party with no business in what the test looks at."""
    return _persona("lo.gr")


@pytest.fixture
def login(client: Client):
    """``login(officer)`` gives the test client a verified (password + TOTP) session."""

    def _login(officer: Officer) -> Client:
        return verified_client(client, officer)

    return _login


@pytest.fixture
def api() -> Callable[[Officer], APIClient]:
    """``api(officer)`` gives an API client authenticated as the officer (the token and TOTP
    checks are tested in tests/selec/test_api_auth.py)."""

    def _client(officer: Officer) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=officer)
        return client

    return _client


# --- Celery ---------------------------------------------------------------------------------


@contextmanager
def _project_like_app() -> Iterator[Celery]:
    app = create_app(set_as_current=False)
    # The embedded worker must leave the test run's logging alone.
    app.conf.update(worker_hijack_root_logger=False)
    with setup_default_app(app):
        app.set_default()
        app.set_current()
        yield app


@pytest.fixture
def in_process_tasks(settings) -> Iterator[Celery]:
    """What a checkout without CELERY_BROKER_URL runs: tasks in the calling process."""
    settings.CELERY_BROKER_URL = "memory://"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with _project_like_app() as app:
        yield app


@pytest.fixture
def unreachable_broker(settings, monkeypatch) -> Iterator[Celery]:
    """A broker that refuses connections, as Redis does when it is down."""
    broker_url = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    settings.CELERY_BROKER_URL = broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Celery prefers the CELERY_BROKER_URL environment variable (set in CI) to its settings.
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    with _project_like_app() as app:
        yield app


@pytest.fixture
def celery_app(settings) -> Iterator[Celery]:
    """Replaces ``celery.contrib.pytest``'s app: the broker of the environment when there is
    one (Redis in CI), the in-memory broker otherwise; never in-process execution."""
    # Read from the environment, not the settings: Celery prefers the environment's
    # CELERY_BROKER_URL to its settings, and a fixture set up before this one may have set the
    # settings' to another (``in_process_tasks``: memory). The key prefix below must follow the
    # broker the worker really uses, or the worker shares the unprefixed queue and waiting
    # flags with every other test process.
    broker_url = os.environ.get("CELERY_BROKER_URL") or "memory://"
    settings.CELERY_BROKER_URL = broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # The worker's runs do not wait to gather commits (selec.celery): a run still waiting when
    # its test ends would outlive the test's worker. The test of the gathering sets its own.
    settings.BACKGROUND_GATHER_SECONDS = 0
    prefix = f"selec-test-{uuid.uuid4().hex}:"
    if broker_url.startswith("redis"):
        # Test runs in parallel (xdist) share the Redis server: a key prefix of its own keeps
        # each worker from taking another test's messages, and old ones left in the queue.
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "global_keyprefix": prefix,
        }
    with _project_like_app() as app:
        yield app
    if broker_url.startswith("redis"):
        client = redis.Redis.from_url(broker_url)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(scope="session")
def celery_worker_parameters() -> dict[str, object]:
    # The plugin's start-up ping waits for a result, and the project keeps no results; the
    # worker fixture already waits until the worker consumes.
    return {"perform_ping_check": False}
