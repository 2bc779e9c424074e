"""Saved views of the inbox: an officer names the filters they use every day and finds them
again in one click; the views are their own, checked when saved, bounded, and audited."""

from __future__ import annotations

import pytest

from exchanges.models import ExchangeAuditEvent, SavedInboxFilter
from exchanges.models_saved_filters import SAVED_FILTERS_PER_OFFICER
from partners.models import Officer
from selec.core.models import AuditEvent
from tests.exchanges.inbox_pages import INBOX, _get

SAVE = f"{INBOX}views/"


def _views(officer: Officer) -> list[tuple[str, str]]:
    return list(
        SavedInboxFilter.objects.filter(officer=officer)
        .order_by("name")
        .values_list("name", "query")
    )


def test_an_officer_saves_the_current_filters_and_finds_them_on_the_inbox(
    login, lo_bg: Officer
) -> None:
    client = login(lo_bg)
    response = client.post(
        SAVE, {"name": "  Overdue   drugs ", "query": "crime_area=drugs&overdue=on&sort=due"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{INBOX}?crime_area=drugs&overdue=on&sort=due"
    assert _views(lo_bg) == [("Overdue drugs", "crime_area=drugs&overdue=on&sort=due")]
    content = _get(client)
    assert f'href="{INBOX}?crime_area=drugs&amp;overdue=on&amp;sort=due">Overdue drugs</a>' in (
        content
    )
    [event] = AuditEvent.objects.filter(event=ExchangeAuditEvent.INBOX_FILTER_SAVED)
    assert event.actor == lo_bg
    assert event.details["name"] == "Overdue drugs"


def test_what_the_inbox_does_not_understand_is_not_saved(login, lo_bg: Officer) -> None:
    login(lo_bg).post(
        SAVE,
        {
            "name": "Mine",
            "query": "priority=urgent&priority_x=1&sent_from=31.02.2026&after=junk&kind=",
        },
    )
    assert _views(lo_bg) == [("Mine", "priority=urgent")]


def test_saving_under_a_name_in_use_replaces_that_view(login, lo_bg: Officer) -> None:
    client = login(lo_bg)
    client.post(SAVE, {"name": "Daily", "query": "priority=urgent"})
    client.post(SAVE, {"name": "Daily", "query": "priority=immediate"})
    assert _views(lo_bg) == [("Daily", "priority=immediate")]


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_a_view_needs_a_name_of_reasonable_length(login, lo_bg: Officer, name: str) -> None:
    response = login(lo_bg).post(SAVE, {"name": name, "query": "priority=urgent"}, follow=True)
    assert response.status_code == 200
    assert _views(lo_bg) == []
    assert 'class="notice"' in response.content.decode()


def test_the_number_of_views_is_bounded(login, lo_bg: Officer) -> None:
    client = login(lo_bg)
    for n in range(SAVED_FILTERS_PER_OFFICER):
        client.post(SAVE, {"name": f"View {n:02d}", "query": "priority=urgent"})
    response = client.post(SAVE, {"name": "One more", "query": ""}, follow=True)
    assert "delete one first" in response.content.decode()
    assert len(_views(lo_bg)) == SAVED_FILTERS_PER_OFFICER


def test_an_officer_deletes_their_own_view_and_nobody_elses(
    login, lo_bg: Officer, lo_ro: Officer
) -> None:
    login(lo_ro).post(SAVE, {"name": "Romanian view", "query": "priority=urgent"})
    theirs = SavedInboxFilter.objects.get(officer=lo_ro)
    client = login(lo_bg)
    assert client.post(f"{INBOX}views/{theirs.pk}/delete/").status_code == 404
    assert "Romanian view" not in _get(client)
    client.post(SAVE, {"name": "Mine", "query": ""})
    mine = SavedInboxFilter.objects.get(officer=lo_bg)
    assert client.post(f"{INBOX}views/{mine.pk}/delete/").status_code == 302
    assert _views(lo_bg) == []
    assert _views(lo_ro) == [("Romanian view", "priority=urgent")]
    assert AuditEvent.objects.filter(event=ExchangeAuditEvent.INBOX_FILTER_DELETED).count() == 1


def test_the_views_are_changed_by_post_only(login, lo_bg: Officer) -> None:
    assert login(lo_bg).get(SAVE).status_code == 405
