"""A data subject request's life: the DPO records it from the search and forwards it, each
provider answers its items in its queue, and the request is answered when every item is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from exchanges.models import Exchange
from partners.models import Officer
from selec.core.models import AuditAction, AuditEvent, Notification
from subjects.models import (
    Decision,
    ItemStatus,
    RequestKind,
    SubjectAuditEvent,
    SubjectNotificationKind,
    SubjectRequest,
)
from subjects.services_answers import subject_item_answer
from tests.hits.scenario import A_DATE_OF_BIRTH
from tests.records.corrections_scenario import correct
from tests.subjects.scenario import (
    CANARIES,
    CYRILLIC,
    LATIN,
    Api,
    Holdings,
    Login,
    a_request,
    the_man,
)

pytestmark = pytest.mark.django_db


def _item_of(request: SubjectRequest, exchange: Exchange) -> int:
    return request.items.get(exchange=exchange).pk


def test_the_dpo_records_and_forwards_a_request_from_the_search_page(
    login: Login, dpo: Officer, holdings: Holdings
) -> None:
    today = timezone.localdate()
    response = login(dpo).post(
        "/subject-requests/new/",
        {
            "names": LATIN,
            "date_of_birth": A_DATE_OF_BIRTH,
            "kind": RequestKind.ERASURE,
            "received_on": today.isoformat(),
            "note": "By letter through the Serbian authority.",
        },
    )

    request = SubjectRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/subject-requests/{request.reference}/"
    assert request.reference == f"DSR-{today.year}-0001"
    assert request.due_on == today + dt.timedelta(days=30)
    assert request.identifiers == {"names": LATIN, "date_of_birth": A_DATE_OF_BIRTH}
    items = {item.exchange_id: item for item in request.items.all()}
    assert set(items) == {holdings.romanian.pk, holdings.bulgarian.pk}
    assert items[holdings.romanian.pk].provider_agency.name == "Romanian Police"
    assert items[holdings.romanian.pk].matched == ["person"]
    assert {item.status for item in items.values()} == {ItemStatus.PENDING}


def test_forwarding_is_audited_and_each_provider_is_told_the_reference_only(
    dpo: Officer, holdings: Holdings
) -> None:
    request = a_request(dpo)

    event = AuditEvent.objects.get(event=SubjectAuditEvent.CREATED)
    assert event.action == AuditAction.COLLECTION
    assert event.object_id == str(request.pk)
    assert event.details["request"] == request.reference
    assert event.details["exchanges"] == 2
    assert sorted(event.details["references"]) == sorted(
        [holdings.romanian.reference, holdings.bulgarian.reference]
    )
    assert LATIN not in str(event.details)
    notices = Notification.objects.filter(kind=SubjectNotificationKind.TO_ANSWER)
    # The officers of both provider agencies; not the recipient, not the other parties.
    assert sorted(n.officer.username for n in notices) == ["lo.bg", "lo.ro"]
    for notice in notices:
        assert request.reference in notice.title
        assert LATIN not in notice.title
        assert CYRILLIC not in notice.title
        assert notice.link == "/subject-requests/queue/"


def test_an_erased_exchange_is_not_forwarded(dpo: Officer, holdings: Holdings) -> None:
    Exchange.objects.filter(pk=holdings.romanian.pk).update(erased_at=timezone.now())

    request = a_request(dpo)

    assert [item.exchange_id for item in request.items.all()] == [holdings.bulgarian.pk]


def test_a_request_that_finds_nothing_is_answered_at_once(dpo: Officer, login: Login) -> None:
    request = a_request(dpo)

    assert not request.items.exists()
    assert request.answered_at is not None
    page = login(dpo).get(f"/subject-requests/{request.reference}/").content.decode()
    assert "nothing to forward" in page
    assert 'class="badge subject-answered"' in page


def test_the_due_date_and_the_receipt_are_checked(dpo: Officer, holdings: Holdings) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as future:
        a_request(dpo, received_on=today + dt.timedelta(days=1))
    assert "received_on" in future.value.message_dict
    with pytest.raises(ValidationError) as early:
        a_request(dpo, received_on=today, due_on=today - dt.timedelta(days=1))
    assert "due_on" in early.value.message_dict
    assert not SubjectRequest.objects.exists()

    chosen = a_request(dpo, received_on=today, due_on=today + dt.timedelta(days=10))
    assert chosen.due_on == today + dt.timedelta(days=10)
    assert set(chosen.items.values_list("due_on", flat=True)) == {chosen.due_on}


def test_a_form_error_keeps_the_search_and_saves_nothing(
    login: Login, dpo: Officer, holdings: Holdings
) -> None:
    response = login(dpo).post(
        "/subject-requests/new/",
        {"names": LATIN, "date_of_birth": A_DATE_OF_BIRTH, "received_on": "2026-01-01"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert holdings.romanian.reference in html  # the results are shown again
    assert 'name="kind"' in html
    assert not SubjectRequest.objects.exists()


def test_each_provider_answers_in_its_queue_and_the_request_is_then_answered(
    login: Login, dpo: Officer, lo_ro: Officer, lo_bg: Officer, holdings: Holdings
) -> None:
    request = a_request(dpo)
    romanian, bulgarian = (_item_of(request, e) for e in (holdings.romanian, holdings.bulgarian))

    queue = login(lo_ro).get("/subject-requests/queue/").content.decode()
    assert f'id="item-{romanian}"' in queue
    assert f'id="item-{bulgarian}"' not in queue
    assert LATIN not in queue  # the identifiers stay with the DPO
    assert "Letter of 2 December" not in queue

    page = login(lo_ro).get(f"/subject-requests/items/{romanian}/")
    assert page.status_code == 200
    assert LATIN not in page.content.decode()
    answered = login(lo_ro).post(
        f"/subject-requests/items/{romanian}/",
        {"decision": Decision.ACCESS_GIVEN, "answer": "A copy sent to the DPO on paper."},
    )
    assert answered.status_code == 302
    request.refresh_from_db()
    assert request.answered_at is None

    detail = login(dpo).get(f"/subject-requests/{request.reference}/").content.decode()
    assert "1 of 2 answered" in detail
    assert "A copy sent to the DPO on paper." in detail
    assert LATIN in detail  # the DPO sees the identifiers recorded

    subject_item_answer(officer=lo_bg, item_id=bulgarian, decision=Decision.NO_DATA, answer="")
    request.refresh_from_db()
    assert request.answered_at is not None
    [done] = Notification.objects.filter(kind=SubjectNotificationKind.COMPLETED)
    assert done.officer == dpo
    assert request.reference in done.title
    listing = login(dpo).get("/subject-requests/").content.decode()
    assert "2 of 2 answered" in listing
    events = AuditEvent.objects.filter(event=SubjectAuditEvent.ANSWERED)
    assert sorted(e.details["reference"] for e in events) == sorted(
        [holdings.romanian.reference, holdings.bulgarian.reference]
    )
    assert all("copy" not in str(e.details) for e in events)


def test_the_api_follows_the_same_life(
    api: Api, dpo: Officer, lo_ro: Officer, holdings: Holdings
) -> None:
    created = api(dpo).post(
        "/api/v1/subject-requests/",
        {
            "subject": {"names": CYRILLIC, "date_of_birth": A_DATE_OF_BIRTH},
            "kind": "rectification",
            "received_on": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "open"
    assert body["items_total"] == 2
    assert body["subject"] == {"names": CYRILLIC, "date_of_birth": A_DATE_OF_BIRTH}
    reference = body["reference"]

    queue = api(lo_ro).get("/api/v1/subject-requests/items/").json()
    [item] = queue["results"]
    assert item["request"] == reference
    assert item["kind"] == "rectification"
    assert item["exchange"] == holdings.romanian.reference
    assert "subject" not in item

    refused = api(lo_ro).post(
        f"/api/v1/subject-requests/items/{item['id']}/answer/",
        {"decision": "access_given", "answer": "x"},
        format="json",
    )
    assert refused.status_code == 400
    assert "decision" in refused.json()["errors"]
    correct(lo_ro, holdings.romanian, body="Date of birth corrected to 1981.", note="DSR")
    answered = api(lo_ro).post(
        f"/api/v1/subject-requests/items/{item['id']}/answer/",
        {"decision": "rectified", "answer": "Date of birth corrected."},
        format="json",
    )
    assert answered.status_code == 200
    assert answered.json()["status"] == "answered"
    assert answered.json()["answered_by"] == "lo.ro"

    detail = api(dpo).get(f"/api/v1/subject-requests/{reference}/").json()
    assert detail["items_answered"] == 1
    decisions = {i["exchange"]: i["decision"] for i in detail["items"]}
    assert decisions == {holdings.romanian.reference: "rectified", holdings.bulgarian.reference: ""}
    listed = api(dpo).get("/api/v1/subject-requests/").json()
    assert [r["reference"] for r in listed["results"]] == [reference]
    for canary in CANARIES.values():
        assert canary not in str(detail)


@pytest.mark.parametrize(
    ("kind", "decision", "answer", "field"),
    [
        (RequestKind.ERASURE, Decision.ACCESS_GIVEN, "x", "decision"),
        (RequestKind.ACCESS, Decision.ERASED, "", "decision"),
        (RequestKind.ACCESS, Decision.REFUSED, "", "answer"),  # the grounds are required
        (RequestKind.ACCESS, Decision.ACCESS_GIVEN, " ", "answer"),
    ],
)
def test_a_decision_must_fit_the_request(
    dpo: Officer,
    lo_ro: Officer,
    holdings: Holdings,
    kind: str,
    decision: str,
    answer: str,
    field: str,
) -> None:
    request = a_request(dpo, kind=kind)

    with pytest.raises(ValidationError) as refused:
        subject_item_answer(
            officer=lo_ro,
            item_id=_item_of(request, holdings.romanian),
            decision=decision,
            answer=answer,
        )

    assert field in refused.value.message_dict
    assert request.items.filter(status=ItemStatus.ANSWERED).count() == 0


def test_an_item_is_answered_once(dpo: Officer, lo_ro: Officer, holdings: Holdings) -> None:
    item = _item_of(a_request(dpo), holdings.romanian)
    subject_item_answer(officer=lo_ro, item_id=item, decision=Decision.NO_DATA, answer="")

    with pytest.raises(ValidationError):
        subject_item_answer(officer=lo_ro, item_id=item, decision=Decision.REFUSED, answer="No.")


def test_an_erasure_item_links_to_the_erasure_page_when_there_is_one(
    login: Login, dpo: Officer, lo_ro: Officer, holdings: Holdings
) -> None:
    item = _item_of(a_request(dpo, kind=RequestKind.ERASURE), holdings.romanian)

    html = login(lo_ro).get(f"/subject-requests/items/{item}/").content.decode()

    erasure = reverse("records:erasure", kwargs={"reference": holdings.romanian.reference})
    # The way back to the item comes with it.
    assert f'href="{erasure}?next=%2Fsubject-requests%2Fitems%2F{item}%2F"' in html
    assert 'value="erased"' in html
    assert 'value="access_given"' not in html


def test_the_dpo_reading_a_request_is_audited(
    login: Login, dpo: Officer, holdings: Holdings
) -> None:
    request = a_request(dpo)

    login(dpo).get(f"/subject-requests/{request.reference}/")

    event = AuditEvent.objects.get(event=SubjectAuditEvent.CONSULTED)
    assert event.actor == dpo
    assert event.object_id == str(request.pk)
    assert event.details == {"request": request.reference}


def test_the_identifiers_rest_encrypted(dpo: Officer, holdings: Holdings) -> None:
    from django.db import connection

    request = a_request(dpo, identifiers=the_man(document_number="RS4455667"))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT identifiers, note FROM subjects_subjectrequest WHERE id = %s", [request.pk]
        )
        stored = " ".join(cursor.fetchone())
    assert LATIN not in stored
    assert "RS4455667" not in stored
    assert "Letter of 2 December" not in stored
