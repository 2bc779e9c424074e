"""Language and time zone: saved from the account, validated (a language the installation
does not offer, or an unknown zone, is refused), audited, and used on the next pages. The
account page costs a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from partners.models import Officer, PartnerAuditEvent
from tests.helpers import issued_token
from tests.partners.account_helpers import events

pytestmark = pytest.mark.django_db

TWO_LANGUAGES = [("en", "English"), ("ro", "Română")]


@override_settings(LANGUAGES=TWO_LANGUAGES)
def test_language_and_time_zone_are_saved_and_used(login, lo_ro: Officer) -> None:
    client = login(lo_ro)
    response = client.post("/account/preferences/", {"language": "ro", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    lo_ro.refresh_from_db()
    assert (lo_ro.language, lo_ro.time_zone) == ("ro", "Asia/Tokyo")
    [event] = events(lo_ro, PartnerAuditEvent.PREFERENCES_CHANGED)
    assert event.details["language"] == ["", "ro"]
    assert event.details["time_zone"] == ["Europe/Bucharest", "Asia/Tokyo"]
    page = client.get("/account/sessions/")
    assert page["Content-Language"] == "ro"
    assert b'<html lang="ro">' in page.content
    assert b" JST</time>" in page.content


@override_settings(LANGUAGES=TWO_LANGUAGES)
def test_a_language_no_longer_offered_is_not_served(login, lo_ro: Officer) -> None:
    Officer.objects.filter(pk=lo_ro.pk).update(language="de")
    assert login(lo_ro).get("/account/")["Content-Language"] == "en"


@pytest.mark.parametrize(
    "data",
    [
        {"language": "de", "time_zone": "Europe/Berlin"},
        {"language": "", "time_zone": "Mars/Olympus_Mons"},
    ],
)
def test_a_language_not_offered_or_an_unknown_zone_is_refused(
    login, lo_ro: Officer, data: dict[str, str]
) -> None:
    response = login(lo_ro).post("/account/preferences/", data)
    assert response.status_code == 400
    assert b"Nothing was saved." in response.content
    lo_ro.refresh_from_db()
    assert (lo_ro.language, lo_ro.time_zone) == ("", "Europe/Bucharest")
    assert events(lo_ro, PartnerAuditEvent.PREFERENCES_CHANGED) == []


def test_saving_the_same_values_records_nothing(login, lo_ro: Officer) -> None:
    response = login(lo_ro).post(
        "/account/preferences/", {"language": "", "time_zone": "Europe/Bucharest"}
    )
    assert response.status_code == 302
    assert events(lo_ro, PartnerAuditEvent.PREFERENCES_CHANGED) == []


def test_the_account_page_links_the_tools_at_a_constant_cost(
    login, lo_ro: Officer, django_assert_num_queries
) -> None:
    client = login(lo_ro)
    issued_token(lo_ro)
    with CaptureQueriesContext(connection) as one:
        page = client.get("/account/")
    for href in (
        "/account/password/",
        "/account/sessions/",
        "/account/backup-codes/",
        "/account/preferences/",
    ):
        assert href.encode() in page.content
    for _ in range(4):
        issued_token(lo_ro)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/account/")
