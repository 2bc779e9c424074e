"""What a provider answers is what it did: "Erased" only once the exchange's content is erased,
"Rectified" only once the exchange was corrected since the request was received. The DPO tells
the person so: a decision that is not true is refused, with nothing saved, and the page says
where to act first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exchanges.models import Exchange
from partners.models import Officer
from records.services_erasure import exchange_erase
from subjects.models import Decision, ItemStatus, RequestKind, SubjectRequestItem
from subjects.services_answers import subject_item_answer
from tests.records.corrections_scenario import correct
from tests.subjects.scenario import Api, Holdings, Login, a_request

pytestmark = pytest.mark.django_db


def _item(
    dpo: Officer, holdings: Holdings, kind: str, received_on: dt.date | None = None
) -> SubjectRequestItem:
    request = a_request(dpo, kind=kind, received_on=received_on)
    return request.items.get(exchange=holdings.romanian)


def _status(item: SubjectRequestItem) -> str:
    return SubjectRequestItem.objects.get(pk=item.pk).status


def test_erased_is_refused_on_the_page_until_the_content_is_erased(
    login: Login, dpo: Officer, lo_ro: Officer, holdings: Holdings
) -> None:
    item = _item(dpo, holdings, RequestKind.ERASURE)
    page = f"/subject-requests/items/{item.pk}/"
    client = login(lo_ro)

    refused = client.post(page, {"decision": Decision.ERASED, "answer": ""})

    assert refused.status_code == 400
    html = refused.content.decode()
    assert "The exchange&#x27;s content is not erased" in html
    assert f'href="/records/erasure/{holdings.romanian.reference}/?next=' in html
    assert _status(item) == ItemStatus.PENDING

    exchange_erase(officer=lo_ro, exchange=holdings.romanian, reason="The person asked (DSR).")
    answered = client.post(page, {"decision": Decision.ERASED, "answer": ""})

    assert answered.status_code == 302
    assert SubjectRequestItem.objects.get(pk=item.pk).decision == Decision.ERASED


def test_a_refusal_of_erasure_needs_no_erasure(
    dpo: Officer, lo_ro: Officer, holdings: Holdings
) -> None:
    item = _item(dpo, holdings, RequestKind.ERASURE)

    subject_item_answer(
        officer=lo_ro, item_id=item.pk, decision=Decision.REFUSED, answer="Ongoing case."
    )

    assert _status(item) == ItemStatus.ANSWERED
    assert Exchange.objects.get(pk=holdings.romanian.pk).erased_at is None


def test_rectified_is_refused_by_the_api_until_the_exchange_is_corrected(
    api: Api, dpo: Officer, lo_ro: Officer, holdings: Holdings
) -> None:
    item = _item(dpo, holdings, RequestKind.RECTIFICATION)
    answer = f"/api/v1/subject-requests/items/{item.pk}/answer/"
    body = {"decision": "rectified", "answer": "Date of birth corrected."}

    refused = api(lo_ro).post(answer, body, format="json")

    assert refused.status_code == 400
    [message] = refused.json()["errors"]["decision"]
    assert "has not been corrected since the request was received" in message
    assert _status(item) == ItemStatus.PENDING

    correct(lo_ro, holdings.romanian, body="Born in 1981, not 1980.", note="DSR")
    answered = api(lo_ro).post(answer, body, format="json")

    assert answered.status_code == 200
    assert answered.json()["decision"] == "rectified"


def test_a_correction_made_before_the_request_was_received_does_not_rectify(
    dpo: Officer, lo_ro: Officer, holdings: Holdings
) -> None:
    correct(lo_ro, holdings.romanian, body="Born in 1981, not 1980.", note="Routine check")
    received = timezone.localdate() - dt.timedelta(days=3)
    # The correction was made the day before the person's request reached the DPO.
    Exchange.objects.filter(pk=holdings.romanian.pk).update(
        corrected_at=timezone.now() - dt.timedelta(days=4)
    )
    item = _item(dpo, holdings, RequestKind.RECTIFICATION, received_on=received)

    with pytest.raises(ValidationError) as refused:
        subject_item_answer(officer=lo_ro, item_id=item.pk, decision=Decision.RECTIFIED, answer="")

    assert "decision" in refused.value.message_dict
    assert _status(item) == ItemStatus.PENDING
    # Corrected again, since the request was received: rectified.
    correct(lo_ro, holdings.romanian, body="Born on 12 April 1981.", note="DSR")
    subject_item_answer(officer=lo_ro, item_id=item.pk, decision=Decision.RECTIFIED, answer="")
    assert _status(item) == ItemStatus.ANSWERED


def test_the_rectification_item_links_to_the_correction_page(
    login: Login, dpo: Officer, lo_ro: Officer, holdings: Holdings
) -> None:
    item = _item(dpo, holdings, RequestKind.RECTIFICATION)

    html = login(lo_ro).get(f"/subject-requests/items/{item.pk}/").content.decode()

    assert f'href="/records/correct/{holdings.romanian.reference}/"' in html
    assert "Erase this exchange" not in html
