"""The notifications page, marking read, and the unread count in the header."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.models import ExchangeNotificationKind
from partners.models import Officer
from selec.core.models import Notification
from tests.exchanges.scenario import send

pytestmark = pytest.mark.django_db

PAGE = "/notifications/"


def _notify(
    officer: Officer, title: str, *, link: str = "/exchanges/", **kwargs: object
) -> Notification:
    return Notification.objects.create(
        officer=officer,
        kind=ExchangeNotificationKind.NEW_EXCHANGE,
        title=title,
        link=link,
        dedupe_key=f"test:{title}",
        **kwargs,
    )


def _item(content: str, title: str) -> str:
    end = content.index(title)
    start = content.rindex("<li", 0, end)
    return content[start : content.index("</li>", end)]


def test_an_officer_lists_their_notifications_newest_first_unread_highlighted(
    login, lo_bg: Officer
) -> None:
    now = timezone.now()
    _notify(lo_bg, "Older and read", created_at=now - dt.timedelta(hours=2), read_at=now)
    _notify(lo_bg, "Newer and unread", created_at=now - dt.timedelta(hours=1))
    content = login(lo_bg).get(PAGE).content.decode()
    assert content.index("Newer and unread") < content.index("Older and read")
    unread = _item(content, "Newer and unread")
    assert 'class="notification unread"' in unread
    assert ">New</span>" in unread
    assert (
        f'action="/notifications/{Notification.objects.get(title="Newer and unread").pk}/read/"'
        in unread
    )
    read = _item(content, "Older and read")
    assert "unread" not in read
    assert "/read/" not in read
    assert '<a href="/exchanges/">Older and read</a>' in read
    assert "<time datetime=" in read


def test_a_sent_exchange_shows_up_for_its_recipients_only(
    login, lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", attachments=(), subject="Secret subject line")
    for officer in (lo_bg, nfp_bg):
        content = login(officer).get(PAGE).content.decode()
        assert exchange.reference in content
        assert f'<a href="/exchanges/{exchange.reference}/">' in content
        assert "Secret" not in content
    outsider_content = login(outsider).get(PAGE).content.decode()
    assert exchange.reference not in outsider_content
    assert "You have no notifications." in outsider_content


@pytest.mark.parametrize("persona", ["lo_ro", "lo_bg", "nfp_bg", "obs_at", "analyst", "outsider"])
def test_every_persona_gets_the_page(login, persona: str, request) -> None:
    assert login(request.getfixturevalue(persona)).get(PAGE).status_code == 200


def test_opening_a_notification_marks_it_read_and_follows_its_link(login, lo_bg: Officer) -> None:
    notification = _notify(lo_bg, "New request", link="/exchanges/SELEC-2026-000001/")
    response = login(lo_bg).post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == "/exchanges/SELEC-2026-000001/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "link",
    ["", "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_a_link_off_the_site_is_not_followed(login, lo_bg: Officer, link: str) -> None:
    notification = _notify(lo_bg, "Odd link", link=link)
    client = login(lo_bg)
    content = client.get(PAGE).content.decode()
    assert "Odd link" in content
    if link:
        assert f'href="{link}"' not in content
    response = client.post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == PAGE
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_officers_notification_answers_404_and_stays_unread(
    login, lo_bg: Officer, outsider: Officer
) -> None:
    theirs = _notify(lo_bg, "Not for the outsider")
    client = login(outsider)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post("/notifications/999999/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "Not for the outsider" not in client.get(PAGE).content.decode()


def test_marking_read_needs_a_post(login, lo_bg: Officer) -> None:
    notification = _notify(lo_bg, "Read me")
    client = login(lo_bg)
    assert client.get(f"/notifications/{notification.pk}/read/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_touches_only_the_officers_own(
    login, lo_bg: Officer, outsider: Officer
) -> None:
    mine = [_notify(lo_bg, f"Mine {i}") for i in range(3)]
    theirs = _notify(outsider, "Theirs")
    client = login(lo_bg)
    response = client.post("/notifications/read-all/", follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    content = response.content.decode()
    assert "3 notifications marked read." in content
    assert 'class="notification unread"' not in content
    assert all(n.read_at for n in Notification.objects.filter(pk__in=[n.pk for n in mine]))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_header_shows_the_unread_count(login, lo_bg: Officer) -> None:
    client = login(lo_bg)
    content = client.get("/").content.decode()
    assert 'aria-label="Notifications, 0 unread"' in content
    assert 'class="badge count"' not in content
    first = _notify(lo_bg, "One")
    content = client.get("/").content.decode()
    assert 'aria-label="Notifications, 1 unread"' in content
    assert '<span class="badge count">1</span>' in content
    _notify(lo_bg, "Two")
    assert '<span class="badge count">2</span>' in client.get(PAGE).content.decode()
    client.post(f"/notifications/{first.pk}/read/")
    assert '<span class="badge count">1</span>' in client.get("/exchanges/").content.decode()


def _page_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE).status_code == 200
    return len(captured.captured_queries)


def test_the_page_is_bounded_and_costs_the_same_queries_whatever_the_count(
    login, lo_bg: Officer
) -> None:
    for i in range(10):
        _notify(lo_bg, f"Early {i}")
    client = login(lo_bg)
    client.get(PAGE)  # warm up
    small = _page_queries(client)
    Notification.objects.bulk_create(
        [
            Notification(
                officer=lo_bg,
                kind=ExchangeNotificationKind.REPLY,
                title=f"Late {i}",
                link="/exchanges/",
                dedupe_key=f"late:{i}",
            )
            for i in range(190)
        ]
    )
    assert _page_queries(client) == small
    content = client.get(PAGE).content.decode()
    assert content.count('<li class="notification') == 50
