"""The erasure of an exchange's content and its dry run: the plan the dry run shows is the
erasure, row for row; the statistics count the same; the holders of a copy are told; an
erasure is whole or nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.models import ExchangeStatistic
from analytics.services import statistics_compute
from analytics.tables import crime_types_table, parties_table
from exchanges.models import (
    Attachment,
    DisseminationRequest,
    Entity,
    Exchange,
    RestrictionConfirmation,
)
from hits.models import EntityToken, Hit
from partners.models import Officer
from records.models import (
    InaccuracyFlag,
    RecordsAuditEvent,
    RecordsNotificationKind,
    ReviewDecision,
    ReviewOutcome,
)
from records.policy_erasure import AlreadyErased, reply_tree, told_of_erasure
from records.selectors_erasure import erasure_plan
from records.services_erasure import erasure_preview, exchange_erase
from selec.core.audit import justification_of
from selec.core.models import AuditEvent, Notification, OutboxMessage
from tests.helpers import agency_of
from tests.records.erasure_scenario import CANARIES, Thread, erasure_thread

REASON = "No longer needed: the Calafat case closed in March"


@pytest.fixture
def thread(lo_ro: Officer, lo_bg: Officer, lo_al: Officer) -> Thread:
    return erasure_thread(lo_ro, lo_bg, lo_al)


def _rows(labels: list[str]) -> dict[str, set[int]]:
    return {
        label: set(apps.get_model(label).objects.values_list("pk", flat=True)) for label in labels
    }


def _erase(officer: Officer, exchange: Exchange, reason: str = REASON):
    return exchange_erase(officer=officer, exchange=exchange, reason=reason)


# --- The rules ------------------------------------------------------------------------------


def test_the_reply_tree_is_the_exchange_then_what_answers_it_level_by_level() -> None:
    # 1 <- 2 <- 4, 1 <- 3, and 5 answers 4; 6 answers nothing of the subtree.
    parents = {1: None, 2: 1, 3: 1, 4: 2, 5: 4, 6: None}
    assert reply_tree(1, parents) == [1, 2, 3, 4, 5]
    assert reply_tree(2, parents) == [2, 4, 5]
    assert reply_tree(5, parents) == [5]


def test_the_erasing_agency_is_not_told_and_a_replys_provider_is() -> None:
    assert told_of_erasure(
        recipient_agency_ids=[2, 3], provider_agency_id=1, erasing_agency_id=1
    ) == {2, 3}
    assert told_of_erasure(recipient_agency_ids=[1], provider_agency_id=2, erasing_agency_id=1) == {
        2
    }


# --- The plan and the erasure ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_dry_run_lists_exactly_the_rows_the_erasure_removes(
    thread: Thread, lo_ro: Officer
) -> None:
    plan = erasure_plan(thread.request, erasing_agency_id=agency_of(lo_ro).pk)
    labels = list(plan.deleted)
    before = _rows(labels)

    done = _erase(lo_ro, thread.request)

    after = _rows(labels)
    removed = {label: frozenset(before[label] - after[label]) for label in labels}
    assert removed == plan.deleted
    assert all(after[label] == before[label] - plan.deleted[label] for label in labels)
    assert done.decision.removed == plan.counts() == done.plan.counts()
    assert plan.counts() == {
        "emptied": {"exchanges": 3, "dissemination_requests": 1, "inaccuracy_flags": 1},
        "deleted": {
            "entities": 4,
            "entity_tokens": len(plan.deleted["hits.EntityToken"]),
            "hits": 2,
            "attachments": 2,
            "restriction_confirmations": 1,
        },
    }
    assert plan.counts()["deleted"]["entity_tokens"] >= 4
    assert plan.references == [
        thread.request.reference,
        thread.reply.reference,
        thread.second_reply.reference,
    ]
    # The hits went with the erased entities; Albania's entities and tokens stay.
    assert not Hit.objects.filter(exchange_a=thread.theirs).exists()
    assert not Hit.objects.filter(exchange_b=thread.theirs).exists()
    assert Entity.objects.filter(exchange=thread.theirs).count() == 2
    assert EntityToken.objects.filter(entity__exchange=thread.theirs).exists()


@pytest.mark.django_db
def test_the_erasure_empties_the_texts_and_keeps_the_rows_and_metadata(
    thread: Thread, lo_ro: Officer
) -> None:
    ids = [thread.request.pk, thread.reply.pk, thread.second_reply.pk]
    metadata = [
        "reference",
        "kind",
        "sent_at",
        "due_at",
        "sender_agency_id",
        "author_id",
        "crime_area_id",
        "task_force_id",
        "case_id",
        "priority",
        "restrict_evidence",
        "restrict_dissemination",
        "personal_data",
        "source_reliability",
        "information_accuracy",
        "in_reply_to_id",
        "thread_root_id",
    ]
    kept_before = list(Exchange.objects.filter(pk__in=ids).order_by("pk").values(*metadata))
    receipts_before = list(
        thread.request.recipients.order_by("pk").values("agency_id", "via", "read_at")
    )

    done = _erase(lo_ro, thread.request)

    assert list(Exchange.objects.filter(pk__in=ids).order_by("pk").values(*metadata)) == kept_before
    assert (
        list(thread.request.recipients.order_by("pk").values("agency_id", "via", "read_at"))
        == receipts_before
    )
    for exchange in Exchange.objects.filter(pk__in=ids):
        assert (exchange.subject, exchange.body, exchange.restriction_text) == ("", "", "")
        assert exchange.erased_at == done.erased_at
        assert exchange.review_due_on is None
    asked = DisseminationRequest.objects.get(exchange=thread.request)
    assert (asked.intended_use, asked.justification, asked.decision_note) == ("", "", "")
    assert asked.status == "granted"
    flag = InaccuracyFlag.objects.get(exchange=thread.request)
    assert (flag.note, flag.answer, flag.outcome) == ("", "", "upheld")
    for model in (Entity, Attachment, RestrictionConfirmation):
        assert not model.objects.filter(exchange_id__in=ids).exists()
    # Albania's exchanges are untouched.
    assert Exchange.objects.get(pk=thread.other.pk).subject != ""
    assert Entity.objects.filter(exchange=thread.other).count() == 1


@pytest.mark.django_db
def test_the_erasure_is_recorded_by_a_decision_and_an_audit_event(
    thread: Thread, lo_ro: Officer
) -> None:
    done = _erase(lo_ro, thread.request)

    decision = ReviewDecision.objects.get(exchange=thread.request)
    assert decision.outcome == ReviewOutcome.ERASE
    assert decision.reason == REASON
    assert decision.next_review_on is None
    assert decision.removed == done.plan.counts()
    event = AuditEvent.objects.get(event=RecordsAuditEvent.ERASED)
    assert event.action == "erasure"
    assert event.actor_username == "lo.ro"
    assert event.details["reference"] == thread.request.reference
    assert event.details["erased"] == done.plan.references
    assert event.details["removed"] == done.plan.counts()
    assert justification_of(event) == REASON
    assert REASON not in str(event.details)


@pytest.mark.django_db
def test_the_dry_run_is_audited_and_changes_nothing(thread: Thread, lo_ro: Officer) -> None:
    plan = erasure_preview(officer=lo_ro, exchange=thread.request)

    event = AuditEvent.objects.get(event=RecordsAuditEvent.ERASURE_PREVIEWED)
    assert event.details == {
        "reference": thread.request.reference,
        "erased": plan.references,
        "removed": plan.counts(),
    }
    assert Exchange.objects.get(pk=thread.request.pk).subject == CANARIES["subject"]
    assert Entity.objects.filter(exchange=thread.request).count() == 2
    assert not ReviewDecision.objects.exists()


@pytest.mark.django_db
def test_erasing_a_reply_erases_what_answers_it_and_nothing_above(
    thread: Thread, lo_bg: Officer, lo_ro: Officer
) -> None:
    done = _erase(lo_bg, thread.reply)

    assert done.plan.references == [thread.reply.reference, thread.second_reply.reference]
    assert Exchange.objects.get(pk=thread.request.pk).subject == CANARIES["subject"]
    assert Exchange.objects.get(pk=thread.request.pk).erased_at is None
    assert Entity.objects.filter(exchange=thread.request).count() == 2
    # Romania received the erased reply and provided the second: told of both.
    titles = set(
        Notification.objects.filter(officer=lo_ro, kind=RecordsNotificationKind.ERASED).values_list(
            "title", flat=True
        )
    )
    assert titles == {
        f"Content of {thread.reply.reference} erased by its provider",
        f"Content of {thread.second_reply.reference} erased by its provider",
    }
    # Then the request's erasure skips what is erased already.
    assert _erase(lo_ro, thread.request).plan.references == [thread.request.reference]


# --- Statistics ------------------------------------------------------------------------------


def _statistics(year: int) -> tuple[object, ...]:
    statistics_compute(year=year)
    stored = sorted(
        ExchangeStatistic.objects.filter(year=year).values_list(
            "crime_area_id",
            "kind",
            "channel",
            "sender_party_id",
            "sender_is_member",
            "recipient_party_id",
            "task_force_id",
            "exchanges",
        ),
        key=repr,
    )
    return stored, crime_types_table(year).rows, parties_table(year).rows


@pytest.mark.django_db
def test_the_statistics_count_the_same_after_the_erasure(thread: Thread, lo_ro: Officer) -> None:
    year = timezone.localtime(thread.request.sent_at).year
    before = _statistics(year)
    assert before[0], "the year's statistics count the thread"

    _erase(lo_ro, thread.request)

    assert _statistics(year) == before


# --- Notices --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_agency_holding_a_copy_gets_a_notice_naming_the_reference_only(
    thread: Thread,
    lo_ro: Officer,
    lo_bg: Officer,
    lo_tr: Officer,
    nfp_bg: Officer,
    nfp_ro: Officer,
    lo_al: Officer,
) -> None:
    _erase(lo_ro, thread.request)

    def told(officer: Officer) -> dict[str, str]:
        return dict(
            Notification.objects.filter(
                officer=officer, kind=RecordsNotificationKind.ERASED
            ).values_list("title", "link")
        )

    every = [thread.request, thread.reply, thread.second_reply]
    expected = {
        f"Content of {e.reference} erased by its provider": f"/exchanges/{e.reference}/"
        for e in every
    }
    # Bulgaria received the request and the second reply and provided the first; its NFP
    # watches its traffic; Turkish Customs received the request by a forward.
    assert told(lo_bg) == expected
    assert told(nfp_bg) == expected
    assert told(lo_tr) == {
        f"Content of {thread.request.reference} erased by its provider": (
            f"/exchanges/{thread.request.reference}/"
        )
    }
    # The erasing agency knows; Albania, whose exchange made hits, held no copy.
    assert told(lo_ro) == told(nfp_ro) == told(lo_al) == {}
    mails = OutboxMessage.objects.filter(dedupe_key__startswith=RecordsNotificationKind.ERASED)
    assert mails.exists()
    for mail in mails:
        assert not any(value in mail.subject + mail.body for value in CANARIES.values())


# --- Refusals and failures ------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_provider_may_erase_or_preview(
    thread: Thread, lo_bg: Officer, lo_tr: Officer, nfp_ro: Officer, dpo: Officer
) -> None:
    for officer in (lo_bg, lo_tr, nfp_ro, dpo):
        with pytest.raises(Http404):
            _erase(officer, thread.request)
        with pytest.raises(Http404):
            erasure_preview(officer=officer, exchange=thread.request)
    assert Exchange.objects.get(pk=thread.request.pk).erased_at is None


@pytest.mark.django_db
def test_an_exchange_erased_already_is_refused(thread: Thread, lo_ro: Officer) -> None:
    _erase(lo_ro, thread.request)
    erased = Exchange.objects.get(pk=thread.request.pk)

    with pytest.raises(AlreadyErased, match="erased on"):
        _erase(lo_ro, erased)
    with pytest.raises(AlreadyErased):
        erasure_preview(officer=lo_ro, exchange=erased)
    assert ReviewDecision.objects.filter(exchange=erased).count() == 1
    assert AuditEvent.objects.filter(event=RecordsAuditEvent.ERASED).count() == 1


@pytest.mark.django_db
def test_an_erasure_without_a_reason_is_refused(thread: Thread, lo_ro: Officer) -> None:
    with pytest.raises(ValidationError) as refused:
        _erase(lo_ro, thread.request, reason="   ")
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _erase(lo_ro, thread.request, reason="x" * 2001)
    assert "reason" in refused.value.message_dict
    assert Exchange.objects.get(pk=thread.request.pk).erased_at is None


def _state(thread: Thread) -> dict[str, object]:
    ids = [thread.request.pk, thread.reply.pk, thread.second_reply.pk]
    return {
        "texts": [
            (e.subject, e.body, e.restriction_text, e.erased_at, e.review_due_on)
            for e in Exchange.objects.filter(pk__in=ids).order_by("pk")
        ],
        "requests": [
            (d.intended_use, d.justification, d.decision_note)
            for d in DisseminationRequest.objects.filter(exchange_id__in=ids)
        ],
        "flags": [(f.note, f.answer) for f in InaccuracyFlag.objects.filter(exchange_id__in=ids)],
        "rows": _rows(
            [
                "exchanges.Entity",
                "exchanges.Attachment",
                "exchanges.RestrictionConfirmation",
                "hits.EntityToken",
                "hits.Hit",
            ]
        ),
        "decisions": ReviewDecision.objects.count(),
        "events": AuditEvent.objects.filter(event=RecordsAuditEvent.ERASED).count(),
        "notices": Notification.objects.filter(kind=RecordsNotificationKind.ERASED).count(),
    }


@pytest.mark.django_db
def test_an_erasure_that_fails_midway_leaves_everything_as_it_was(
    thread: Thread, lo_ro: Officer
) -> None:
    before = _state(thread)
    assert Exchange.objects.get(pk=thread.request.pk).subject == CANARIES["subject"]
    # A table that holds on to one of the attachments: deleting it breaks a foreign key after
    # the texts were emptied and the tokens and hits deleted, in the erasure's transaction.
    attachment = Attachment.objects.filter(exchange=thread.reply).get()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE erasure_blocker "
            "(attachment_id bigint NOT NULL REFERENCES exchanges_attachment (id))"
        )
        cursor.execute("INSERT INTO erasure_blocker VALUES (%s)", [attachment.pk])

    with pytest.raises(IntegrityError), CaptureQueriesContext(connection) as queries:
        _erase(lo_ro, thread.request)

    statements = [q["sql"] for q in queries.captured_queries]
    assert any(s.startswith('UPDATE "exchanges_exchange"') for s in statements)
    assert any(s.startswith('DELETE FROM "exchanges_entitytoken"') for s in statements)
    assert _state(thread) == before


# --- Cost -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dry_run_costs_the_same_queries_whatever_the_number_of_entities(
    lo_ro: Officer, lo_bg: Officer, lo_al: Officer
) -> None:
    small = erasure_thread(lo_ro, lo_bg, lo_al)
    large = erasure_thread(lo_ro, lo_bg, lo_al, entities=25)
    counts = []
    for thread in (small, large):
        with CaptureQueriesContext(connection) as queries:
            plan = erasure_preview(officer=lo_ro, exchange=thread.request)
        counts.append(len(queries.captured_queries))
        assert plan.exchanges[0].entities == len(Entity.objects.filter(exchange=thread.request))
    assert counts[0] == counts[1]
    assert counts[1] <= 16, counts
