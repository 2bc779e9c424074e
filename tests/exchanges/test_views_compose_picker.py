"""The compose page's recipient picker and the place of "Who will see this": boxes grouped by
party with its status, the officer's recent recipients first, a constant number of queries,
and the panel before the Send button."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test.html import Element, parse_html
from django.urls import reverse

from exchanges.forms_entities import ENTITY_FORMS
from exchanges.models import Exchange
from partners.models import Officer, Party
from partners.services.directory import agency_create
from taskforces.models import CrimeArea
from tests.exchanges.scenario import agency_ids, send
from tests.form_labels import text_of

pytestmark = pytest.mark.django_db

COMPOSE = reverse("exchanges:compose")


def _elements(element: Element) -> Iterator[Element]:
    yield element
    for child in element.children:
        if isinstance(child, Element):
            yield from _elements(child)


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element.children if isinstance(c, Element) and c.name == name]


def _groups(content: str) -> list[tuple[str, list[str]]]:
    """Each group of the page's recipient picker: its legend and its boxes' agencies."""
    (body,) = [
        e for e in _elements(parse_html(content)) if ("id", "recipient-groups") in e.attributes
    ]
    groups = []
    for group in _children(body, "fieldset"):
        (legend,) = _children(group, "legend")
        names = [text_of(_children(option, "label")[0]) for option in _children(group, "div")]
        groups.append((text_of(legend), names))
    return groups


def _ticked(content: str) -> list[int]:
    return [
        int(dict(e.attributes)["value"] or 0)
        for e in _elements(parse_html(content))
        if e.name == "input"
        and dict(e.attributes).get("name") == "recipients"
        and "checked" in dict(e.attributes)
    ]


def _management() -> dict[str, Any]:
    """The entity formsets' management forms, with no entity row."""
    data: dict[str, Any] = {}
    for form, _title, _add in ENTITY_FORMS:
        prefix = form.kind.value
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


def test_the_recipients_are_boxes_grouped_by_party_with_its_status(login, lo_ro: Officer) -> None:
    agency_create(
        actor=None, party=Party.objects.get(code="HR"), name="Croatian Police", kind="police"
    )
    content = html.unescape(login(lo_ro).get(COMPOSE).content.decode())
    groups = dict(_groups(content))
    assert groups["Bulgaria (member)"][:2] == [
        "National Focal Point of Bulgaria",
        "Bulgarian Customs Agency",
    ]
    assert "Police of Austria" in groups["Austria (observer)"]
    assert "Police of Italy" in groups["Italy (operational partner)"]
    assert "Romanian Customs Authority" in groups["Romania (member)"]
    offered = [name for names in groups.values() for name in names]
    # The officer's own agency and former members' agencies have no box.
    assert "Romanian Police" not in offered
    assert "Croatian Police" not in content
    assert len(offered) == len(set(offered))
    assert 'type="checkbox" name="recipients"' in content
    assert "Recently addressed by you" not in content
    # The filter box is there for compose.js to show; without JavaScript it stays hidden.
    assert '<div class="picker-filter" hidden>' in content
    assert '<label for="recipient-filter">Filter agencies</label>' in content


def test_the_officers_recent_recipients_come_first(login, lo_ro: Officer) -> None:
    send(lo_ro, "Police of Austria")
    send(lo_ro, "Turkish Customs")
    groups = _groups(html.unescape(login(lo_ro).get(COMPOSE).content.decode()))
    assert groups[0] == ("Recently addressed by you", ["Turkish Customs", "Police of Austria"])
    assert "Turkish Customs" not in dict(groups)["Türkiye (member)"]


def test_another_officers_sends_do_not_change_the_officers_page(
    login, lo_ro: Officer, outsider: Officer
) -> None:
    send(outsider, "Turkish Customs")
    content = login(lo_ro).get(COMPOSE).content.decode()
    assert "Recently addressed by you" not in content


def test_a_prefilled_recipient_is_ticked(login, lo_ro: Officer) -> None:
    (bulgarian,) = agency_ids("Bulgarian Police")
    content = login(lo_ro).get(f"{COMPOSE}?to={bulgarian}").content.decode()
    assert _ticked(content) == [bulgarian]


def test_the_page_costs_the_same_queries_with_a_history_of_sends(
    login, lo_ro: Officer, django_assert_max_num_queries
) -> None:
    client = login(lo_ro)
    client.get(COMPOSE)  # warm the session and caches
    with django_assert_max_num_queries(100) as without_history:
        client.get(COMPOSE)
    for recipients in [
        ("Bulgarian Police", "Turkish Customs"),
        ("Hellenic Police", "Serbian Police", "Police of Austria"),
        ("Moldovan Police", "Police of Italy", "Bulgarian Police"),
    ]:
        send(lo_ro, *recipients)
    with django_assert_max_num_queries(len(without_history)):
        response = client.get(COMPOSE)
    assert "Recently addressed by you" in response.content.decode()


def test_the_audience_panel_comes_before_send_and_follows_the_boxes(login, lo_ro: Officer) -> None:
    content = login(lo_ro).get(COMPOSE).content.decode()
    panel = content.index('id="audience"')
    button = re.search(r'<button type="submit" form="compose-form">Send</button>', content)
    assert button is not None
    assert panel < button.start()
    assert content.index('id="compose-form"') < panel
    assert 'hx-trigger="change from:#recipients,' in content
    assert 'hx-include="#recipients,' in content


def test_ticked_boxes_send_to_those_agencies_and_a_refusal_keeps_them_ticked(
    login, lo_ro: Officer
) -> None:
    client = login(lo_ro)
    data = {
        "kind": "request",
        "recipients": agency_ids("Bulgarian Police", "Police of Austria"),
        "crime_area": CrimeArea.objects.get(code="drugs").pk,
        "priority": "urgent",
        "subject": "Victims recruited through a modelling agency",
        "body": "Names of the recruiters in the attached list.",
        "personal_data": "on",
        "source_reliability": "B",
        "information_accuracy": "2",
        **_management(),
    }
    before = Exchange.objects.count()
    refused = client.post(COMPOSE, data)
    # Personal data never goes to an observer, whatever the page offered.
    assert refused.status_code == 200
    assert Exchange.objects.count() == before
    content = refused.content.decode()
    assert sorted(_ticked(content)) == sorted(agency_ids("Bulgarian Police", "Police of Austria"))

    data["recipients"] = agency_ids("Bulgarian Police", "Turkish Customs")
    sent = client.post(COMPOSE, data)
    assert sent.status_code == 302
    exchange = Exchange.objects.get(reference=sent["Location"].rstrip("/").rsplit("/", 1)[1])
    assert sorted(exchange.recipients.values_list("agency_id", flat=True)) == sorted(
        agency_ids("Bulgarian Police", "Turkish Customs")
    )
