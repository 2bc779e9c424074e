"""Nobody but the DPO learns that the tools exist: 404 on every page and endpoint, to
directory administrators, analysts, liaison and NFP officers alike (whatever they ask); 401 to
an API caller without credentials, the login page to a browser without a session."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from partners.models import Officer
from selec.core.models import AuditEvent, AuditVerificationRun

pytestmark = pytest.mark.django_db

# An entity's tokens, as a link carries them.
AN_ENTITY = "person:" + "0" * 64
PAGES = [
    "/dpo/audit/",
    "/dpo/audit/?officer=lo.ro",
    "/dpo/audit/export/",
    "/dpo/access/",
    "/dpo/access/?reference=SELEC-2026-000001",
    "/dpo/access/SELEC-2026-000001/",
    "/dpo/access/not-a-reference/",
    "/dpo/entity/",
    "/dpo/entity/?kind=vehicle&show=events",
    "/dpo/access/entity/",
    f"/dpo/access/entity/?entity={AN_ENTITY}",
    f"/dpo/audit/?entity={AN_ENTITY}",
    "/dpo/integrity/",
    "/dpo/integrity/?polled=1",
]
ENDPOINTS = [
    "/api/v1/audit/events/",
    "/api/v1/audit/events/?format=csv",
    "/api/v1/audit/events/?format=xml",
    "/api/v1/audit/events/?cursor=garbage&event=nothing",
    "/api/v1/audit/access/SELEC-2026-000001/",
    "/api/v1/audit/access/not-a-reference/",
    f"/api/v1/audit/access/entity/?entity={AN_ENTITY}",
    "/api/v1/audit/access/entity/?entity=garbage",
    f"/api/v1/audit/events/?entity={AN_ENTITY}",
    "/api/v1/audit/entity-tokens/",
]
OTHERS = ["directory_admin", "analyst", "lo_ro", "nfp_bg", "obs_at"]


@pytest.mark.parametrize("persona", OTHERS)
def test_every_page_is_404_to_anybody_but_the_dpo(
    persona: str, request: pytest.FixtureRequest, login: Callable[[Officer], Client]
) -> None:
    client = login(request.getfixturevalue(persona))
    for url in PAGES:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("persona", OTHERS)
def test_every_endpoint_is_404_to_anybody_but_the_dpo(
    persona: str, request: pytest.FixtureRequest, api: Callable[[Officer], APIClient]
) -> None:
    client = api(request.getfixturevalue(persona))
    before = AuditEvent.objects.count()
    for url in ENDPOINTS:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url
    # Nothing was read: no search or export recorded (only the refusals, on the report).
    assert not AuditEvent.objects.filter(event__startswith="audit.").exists()
    assert AuditEvent.objects.count() - before <= len(ENDPOINTS)


def test_a_deactivated_dpo_is_refused_like_anybody(
    dpo: Officer, api: Callable[[Officer], APIClient]
) -> None:
    dpo.is_active = False
    assert api(dpo).get("/api/v1/audit/events/").status_code == 404


def test_an_api_caller_without_credentials_gets_401() -> None:
    for url in ENDPOINTS:
        assert APIClient().get(url).status_code == 401, url


def test_a_browser_without_a_session_is_sent_to_the_login(client: Client) -> None:
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/account/login/"), url


@pytest.mark.parametrize("persona", OTHERS)
def test_nobody_but_the_dpo_starts_a_verification(
    persona: str, request: pytest.FixtureRequest, login: Callable[[Officer], Client]
) -> None:
    client = login(request.getfixturevalue(persona))

    assert client.post("/dpo/integrity/verify/").status_code == 404
    assert not AuditVerificationRun.objects.exists()
