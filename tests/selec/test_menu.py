"""The main menu offers each officer the pages the policies open to them, and no other."""

from __future__ import annotations

import pytest
from django.test import Client

from analytics.access import statistics_access_for
from partners.models import Officer

pytestmark = pytest.mark.django_db

LINKS = {
    "exchanges": ('href="/exchanges/new/"', 'href="/exchanges/dissemination-requests/"'),
    "cases": ('href="/cases/"',),
    "hits": ('href="/hits/"',),
    "statistics": ('href="/analytics/',),
    "access_confirmations": ('href="/account/confirmations/"',),
    "reset_confirmations": ('href="/account/authenticator-resets/"',),
    "records": ('href="/records/review/"', 'href="/records/flags/"'),
    "subject_queue": ('href="/subject-requests/queue/"',),
    "onboarding": ('href="/directory/manage/"', 'href="/directory/manage/authenticator-resets/"'),
    "data_protection": (
        'href="/dpo/audit/"',
        'href="/dpo/access/"',
        'href="/dpo/entity/?show=report"',
        'href="/dpo/retention/"',
        'href="/dpo/integrity/"',
    ),
    "subject_requests": ('href="/subject-requests/"',),
}


def offered(page: str) -> set[str]:
    shown = {name for name, links in LINKS.items() if all(link in page for link in links)}
    partly = {name for name, links in LINKS.items() if any(link in page for link in links)}
    assert shown == partly, "a menu entry is drawn by halves"
    return shown


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "lo_ro",
            {
                "exchanges",
                "cases",
                "hits",
                "access_confirmations",
                "reset_confirmations",
                "records",
                "subject_queue",
            },
        ),
        (
            "nfp_bg",
            {
                "exchanges",
                "cases",
                "hits",
                "access_confirmations",
                "reset_confirmations",
                "records",
                "subject_queue",
            },
        ),
        (
            "obs_at",
            {
                "exchanges",
                "cases",
                "hits",
                "access_confirmations",
                "reset_confirmations",
                "records",
                "subject_queue",
            },
        ),
        ("analyst", {"cases", "hits"}),
        ("dpo", {"data_protection", "subject_requests"}),
        ("directory_admin", {"onboarding", "reset_confirmations"}),
    ],
)
def test_each_officer_is_offered_what_the_policies_open_to_them(
    persona: str, expected: set[str], login, request: pytest.FixtureRequest
) -> None:
    officer: Officer = request.getfixturevalue(persona)
    page = login(officer).get("/account/").content.decode()
    if statistics_access_for(officer).sees_statistics:
        expected = expected | {"statistics"}
    assert offered(page) == expected


def test_an_officer_awaiting_confirmation_is_offered_only_the_way_to_it(
    lo_ro: Officer, login
) -> None:
    Officer.objects.filter(pk=lo_ro.pk).update(content_access="pending")
    page = login(lo_ro).get("/account/").content.decode()
    assert offered(page) == set()
    assert "Your access awaits confirmation" in page


def test_an_anonymous_page_has_no_menu(client: Client) -> None:
    page = client.get("/account/login/").content.decode()
    assert offered(page) == set()
