"""Keeping an exchange after its retention review: the provider alone (404 to anybody else),
with a reason and a next date after today and within the crime area's period; the date moves
(with the provider's own replies that shared it), the decision is stored with its reason
encrypted, and audited with the reason as justification."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from rest_framework.test import APIClient

from exchanges.models import Exchange
from partners.models import Officer
from records.models import RecordsAuditEvent, ReviewDecision, ReviewOutcome
from records.services_review import review_keep
from selec.core.audit import justification_of
from selec.core.models import AuditAction, AuditEvent
from taskforces.models import CrimeArea
from tests.records.reviews import freeze, moment, replied, sent

pytestmark = pytest.mark.django_db

REASON = "Proceedings against Stoyan Petrov open at the Ruse court until 2031."
NEXT = dt.date(2031, 6, 30)


@pytest.fixture
def thread(monkeypatch: pytest.MonkeyPatch, lo_ro: Officer, lo_bg: Officer) -> dict[str, Exchange]:
    """lo.ro's exchange (review 10 Mar 2029), the Bulgarian answer, lo.ro's two replies to it
    (one of which got a date of its own); the clock at 1 March 2029."""
    freeze(monkeypatch, moment(2026, 3, 10))
    root = sent(lo_ro, "Bulgarian Police")
    freeze(monkeypatch, moment(2026, 3, 12))
    answer = replied(lo_bg, root)
    freeze(monkeypatch, moment(2026, 3, 13))
    follows = replied(lo_ro, answer)
    own_date = replied(lo_ro, answer)
    Exchange.objects.filter(pk=own_date.pk).update(review_due_on=dt.date(2029, 9, 1))
    freeze(monkeypatch, moment(2029, 3, 1))
    return {"root": root, "answer": answer, "follows": follows, "own_date": own_date}


def _dates(thread: dict[str, Exchange]) -> dict[str, dt.date | None]:
    stored = dict(
        Exchange.objects.filter(pk__in=[e.pk for e in thread.values()]).values_list(
            "pk", "review_due_on"
        )
    )
    return {name: stored[exchange.pk] for name, exchange in thread.items()}


def test_keeping_moves_the_date_and_the_provider_s_replies_that_shared_it(
    thread, lo_ro: Officer
) -> None:
    decision = review_keep(
        officer=lo_ro, exchange=thread["root"], reason=REASON, next_review_on=NEXT
    )

    assert _dates(thread) == {
        "root": NEXT,
        # The Bulgarian Police decide on their own reply.
        "answer": dt.date(2029, 3, 10),
        "follows": NEXT,
        "own_date": dt.date(2029, 9, 1),
    }
    stored = ReviewDecision.objects.get()
    assert stored == decision
    assert (stored.outcome, stored.next_review_on, stored.decided_by, stored.agency) == (
        ReviewOutcome.KEEP,
        NEXT,
        lo_ro,
        lo_ro.agency,
    )
    assert stored.reason == REASON


def test_keeping_is_audited_with_the_reason_as_justification_never_in_clear(
    thread, lo_ro: Officer
) -> None:
    review_keep(officer=lo_ro, exchange=thread["root"], reason=REASON, next_review_on=NEXT)

    event = AuditEvent.objects.get(event=RecordsAuditEvent.REVIEW_KEPT)
    assert (event.actor, event.action, event.object_id) == (
        lo_ro,
        AuditAction.ALTERATION,
        str(thread["root"].pk),
    )
    assert {k: v for k, v in event.details.items() if not k.startswith("justification")} == {
        "reference": thread["root"].reference,
        "next_review_on": "2031-06-30",
        "replies_following": [thread["follows"].reference],
    }
    assert justification_of(event) == REASON
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM records_reviewdecision WHERE reason LIKE %s", ["%Petrov%"]
        )
        assert cursor.fetchone() == (0,)


def test_keeping_a_reply_moves_that_reply_only(thread, lo_ro: Officer) -> None:
    review_keep(officer=lo_ro, exchange=thread["follows"], reason=REASON, next_review_on=NEXT)

    assert _dates(thread)["follows"] == NEXT
    assert _dates(thread)["root"] == dt.date(2029, 3, 10)


@pytest.mark.parametrize("persona", ["lo_bg", "nfp_ro", "nfp_bg", "outsider", "analyst", "dpo"])
def test_only_the_provider_keeps_anybody_else_gets_404(
    thread, persona: str, request: pytest.FixtureRequest
) -> None:
    officer = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        review_keep(officer=officer, exchange=thread["root"], reason=REASON, next_review_on=NEXT)
    assert not ReviewDecision.objects.exists()
    assert _dates(thread)["root"] == dt.date(2029, 3, 10)


@pytest.mark.parametrize(
    ("next_review_on", "reason", "field"),
    [
        (dt.date(2029, 3, 1), REASON, "next_review_on"),  # today
        (dt.date(2028, 12, 31), REASON, "next_review_on"),  # the past
        (dt.date(2032, 3, 2), REASON, "next_review_on"),  # beyond three years
        (None, REASON, "next_review_on"),
        (NEXT, "   ", "reason"),
        (NEXT, "x" * 2001, "reason"),
    ],
)
def test_a_keep_outside_the_rules_is_refused_and_nothing_is_stored(
    thread, lo_ro: Officer, next_review_on: dt.date | None, reason: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        review_keep(
            officer=lo_ro, exchange=thread["root"], reason=reason, next_review_on=next_review_on
        )
    assert set(refused.value.message_dict) == {field}
    assert not ReviewDecision.objects.exists()
    assert not AuditEvent.objects.filter(event=RecordsAuditEvent.REVIEW_KEPT).exists()
    assert _dates(thread)["root"] == dt.date(2029, 3, 10)


def test_the_next_review_may_be_as_far_as_the_crime_area_s_period(
    lo_ro: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    CrimeArea.objects.filter(code="terrorism").update(personal_data_review_years=10)
    freeze(monkeypatch, moment(2029, 3, 1))
    exchange = sent(lo_ro, "Bulgarian Police", area="terrorism")

    review_keep(officer=lo_ro, exchange=exchange, reason=REASON, next_review_on=dt.date(2039, 3, 1))
    with pytest.raises(ValidationError):
        review_keep(
            officer=lo_ro, exchange=exchange, reason=REASON, next_review_on=dt.date(2039, 3, 2)
        )


def test_nothing_to_keep_without_a_pending_review(thread, lo_ro: Officer) -> None:
    plain = sent(lo_ro, "Bulgarian Police", personal=False)
    # As an erasure leaves it: its date cleared, the moment of the erasure kept.
    Exchange.objects.filter(pk=thread["root"].pk).update(
        review_due_on=None, erased_at=moment(2029, 2, 1)
    )
    for exchange in (plain, thread["root"]):
        with pytest.raises(ValidationError, match="no retention review pending"):
            review_keep(officer=lo_ro, exchange=exchange, reason=REASON, next_review_on=NEXT)


# --- The page ---------------------------------------------------------------------------------


def _keep_page(exchange: Exchange) -> str:
    return f"/records/review/{exchange.reference}/keep/"


def test_the_page_keeps_and_returns_to_the_queue(
    thread, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    client = login(lo_ro)
    form = client.get(_keep_page(thread["root"]))
    assert form.status_code == 200
    assert 'max="2032-03-01"' in form.content.decode()

    response = client.post(
        _keep_page(thread["root"]), {"reason": REASON, "next_review_on": "2031-06-30"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/records/review/"
    assert _dates(thread)["root"] == NEXT
    shown = client.get("/records/review/").content.decode()
    assert f"{thread['root'].reference} is kept; its next review is on 30 Jun 2031." in shown


def test_the_page_shows_what_is_wrong_and_saves_nothing(
    thread, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    response = login(lo_ro).post(
        _keep_page(thread["root"]), {"reason": REASON, "next_review_on": "2040-01-01"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved." in html
    assert "at most 3 years ahead" in html
    assert not ReviewDecision.objects.exists()


@pytest.mark.parametrize("persona", ["lo_bg", "outsider", "analyst", "dpo"])
def test_the_page_is_404_to_anybody_but_the_provider(
    thread, persona: str, request: pytest.FixtureRequest, login: Callable[[Officer], Client]
) -> None:
    client = login(request.getfixturevalue(persona))
    for address in (_keep_page(thread["root"]), "/records/review/SELEC-1999-000001/keep/"):
        assert client.get(address).status_code == 404
        assert (
            client.post(address, {"reason": REASON, "next_review_on": "2031-06-30"}).status_code
            == 404
        )
    assert not ReviewDecision.objects.exists()


# --- The API ----------------------------------------------------------------------------------


def _keep_api(exchange: Exchange) -> str:
    return f"/api/v1/review/{exchange.reference}/keep/"


def test_the_api_keeps(thread, lo_ro: Officer, api: Callable[[Officer], APIClient]) -> None:
    response = api(lo_ro).post(
        _keep_api(thread["root"]), {"reason": REASON, "next_review_on": "2031-06-30"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "reference": thread["root"].reference,
        "outcome": "keep",
        "decided_at": body["decided_at"],
        "next_review_on": "2031-06-30",
    }
    assert REASON not in response.content.decode()
    assert _dates(thread)["root"] == NEXT


def test_the_api_answers_a_refused_keep_in_the_error_shape(
    thread, lo_ro: Officer, lo_bg: Officer, api: Callable[[Officer], APIClient]
) -> None:
    past = api(lo_ro).post(
        _keep_api(thread["root"]), {"reason": REASON, "next_review_on": "2020-01-01"}, format="json"
    )
    assert past.status_code == 400
    assert past.json() == {"errors": {"next_review_on": ["The next review must be after today."]}}

    others = api(lo_bg).post(
        _keep_api(thread["root"]), {"reason": REASON, "next_review_on": "2031-06-30"}, format="json"
    )
    assert others.status_code == 404
    assert others.json() == {"detail": "Not found."}
    assert api(lo_ro).post("/api/v1/review/%00/keep/", {}, format="json").status_code == 404
