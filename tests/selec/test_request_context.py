"""The client address the request context records is the one the database stores, so that an
audit event written during a request matches its digest and is sealed."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import RequestFactory

from partners.models import Agency, Officer
from selec.core.audit_verification import first_broken_event
from selec.core.models import AuditEvent
from selec.core.request_context import client_address

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]

HQ_PROXY = "10.20.0.1"


def _request(remote: str, forwarded: str | None = None) -> HttpRequest:
    headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}
    return RequestFactory().get("/", headers=headers, REMOTE_ADDR=remote)


@pytest.mark.parametrize(
    ("sent", "recorded"),
    [
        ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
        ("::FFFF:0a00:0001", "::ffff:10.0.0.1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("198.51.100.4", "198.51.100.4"),
    ],
)
def test_the_address_is_given_as_the_database_stores_it(settings, sent: str, recorded: str) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request(sent)) == recorded
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(HQ_PROXY, f"6.6.6.6, {sent}")) == recorded


@pytest.mark.parametrize("proxies", [0, 1])
def test_an_event_from_an_ipv4_mapped_address_is_sealed_and_verifies(
    login, settings, django_capture_on_commit_callbacks, directory_admin: Officer, proxies: int
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    if proxies:
        address = {"REMOTE_ADDR": HQ_PROXY, "HTTP_X_FORWARDED_FOR": "::ffff:10.0.0.1"}
    else:
        address = {"REMOTE_ADDR": "::ffff:10.0.0.1"}
    client = login(directory_admin)
    agency = Agency.objects.get(name="Romanian Customs Authority")
    # The commit's callbacks run as a real commit would run them: the sealing task, in-process.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/partners/agency/{agency.pk}/change/",
            {"name": "Romanian Customs", "kind": "customs"},
            **address,
        )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_type="partners.agency").latest("id")
    assert event.ip_address == "::ffff:10.0.0.1"
    assert event.is_sealed
    assert first_broken_event() is None
