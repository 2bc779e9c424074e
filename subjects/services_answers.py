"""The providers' side of data subject requests: answering an item, and the daily notice of
the items past their due date.

A request is answered when its last item is: the item's answer locks the request's row first,
so two providers answering the last two items at once are taken one after the other, and the
second sees the first's answer.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exchanges.policy import Perm
from exchanges.selectors import require_perm
from partners.models import Officer, Role
from partners.selectors import officers_concerned
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.notifications import notify_officers
from subjects.access import provider_or_404
from subjects.models import (
    ANSWER_MAX_LENGTH,
    ItemStatus,
    SubjectAuditEvent,
    SubjectNotificationKind,
    SubjectRequest,
    SubjectRequestItem,
)
from subjects.policy import decision_problem


def _dpos() -> QuerySet[Officer]:
    """The data protection officers, who follow every request."""
    return Officer.objects.filter(role=Role.DPO, is_active=True)


@transaction.atomic
def subject_item_answer(
    *, officer: Officer, item_id: int, decision: str, answer: str
) -> SubjectRequestItem:
    """The provider's decision on one item of its agency's queue (404 for another agency's),
    with its answer (encrypted). The officer acts as the exchange's provider: they must hold
    ``manage_exchange`` on it, unless its content is already erased. "Erased" and "rectified"
    are refused until the exchange is (``subjects.policy.decision_problem``)."""
    agency_id = provider_or_404(officer)
    found = (
        SubjectRequestItem.objects.filter(pk=item_id, provider_agency_id=agency_id)
        .values_list("request_id", flat=True)
        .first()
    )
    if found is None:
        raise Http404("No such item.")
    # The request's row first (see the module's text), then the item's.
    request = (
        SubjectRequest.objects.select_for_update()
        .only("pk", "reference", "kind", "received_on")
        .get(pk=found)
    )
    item = (
        SubjectRequestItem.objects.select_for_update(of=("self",))
        .select_related("exchange")
        .defer("exchange__subject", "exchange__body", "exchange__restriction_text")
        .get(pk=item_id)
    )
    if item.exchange.erased_at is None:
        require_perm(officer, item.exchange, Perm.MANAGE)
    answer = answer.strip()
    _check_answer(request, item, decision=decision, answer=answer)
    now = timezone.now()
    item.status, item.decision, item.answer = ItemStatus.ANSWERED, decision, answer
    item.answered_by, item.answered_at = officer, now
    item.save(update_fields=["status", "decision", "answer", "answered_by", "answered_at"])
    audit_record(
        actor=officer,
        action=AuditAction.DISCLOSURE,
        event=SubjectAuditEvent.ANSWERED,
        target=item,
        reason="data subject request answered for one exchange",
        details={
            "request": request.reference,
            "reference": item.exchange.reference,
            "decision": decision,
        },
    )
    pending = SubjectRequestItem.objects.filter(request_id=request.pk, status=ItemStatus.PENDING)
    if not pending.exists():
        SubjectRequest.objects.filter(pk=request.pk).update(answered_at=now)
        notify_officers(
            officers=_dpos(),
            kind=SubjectNotificationKind.COMPLETED,
            # Composed once per recipient language.
            title=lambda: (
                _("Data subject request %(reference)s: every provider answered")
                % {"reference": request.reference}
            ),
            link=reverse("subjects:detail", kwargs={"reference": request.reference}),
            object_type=SubjectRequest._meta.label_lower,
            object_id=str(request.pk),
            dedupe_key=f"subject-request-completed:{request.pk}",
        )
    return item


def _check_answer(
    request: SubjectRequest, item: SubjectRequestItem, *, decision: str, answer: str
) -> None:
    """ValidationError by field unless the item may be answered so: pending, the answer's
    length, and the decision as the policy reads the exchange's state."""
    if item.status != ItemStatus.PENDING:
        raise ValidationError({"decision": [_("This item is already answered.")]})
    if len(answer) > ANSWER_MAX_LENGTH:
        raise ValidationError(
            {
                "answer": [
                    _("At most %(max_length)d characters.") % {"max_length": ANSWER_MAX_LENGTH}
                ]
            }
        )
    exchange = item.exchange
    corrected_at = exchange.corrected_at
    problem = decision_problem(
        kind=request.kind,
        decision=decision,
        answer=answer,
        erased=exchange.erased_at is not None,
        corrected_on=timezone.localdate(corrected_at) if corrected_at else None,
        received_on=request.received_on,
    )
    if problem is not None:
        raise ValidationError({problem[0]: [problem[1]]})


def _item_overdue_title(reference: str, due_on: dt.date) -> str:
    return _("Data subject request %(reference)s is overdue (due %(date)s)") % {
        "reference": reference,
        "date": _when(due_on),
    }


def _request_overdue_title(reference: str, count: int) -> str:
    return ngettext(
        "Data subject request %(reference)s is overdue: %(count)d answer pending",
        "Data subject request %(reference)s is overdue: %(count)d answer(s) pending",
        count,
    ) % {"reference": reference, "count": count}


@transaction.atomic
def overdue_notify(*, today: dt.date | None = None) -> int:
    """Tell each provider agency of its items past their due date, and the DPOs of the
    requests they hold up: at most one notice per item (per request, for the DPOs) and day,
    whenever and however often it runs. Returns the number of notices."""
    today = today or timezone.localdate()
    items = list(
        SubjectRequestItem.objects.filter(status=ItemStatus.PENDING, due_on__lt=today)
        .select_related("request")
        .only("pk", "provider_agency_id", "due_on", "request__reference")
        .order_by("due_on", "id")
    )
    by_request: dict[tuple[int, str], int] = defaultdict(int)
    notices = 0
    for item in items:
        reference = item.request.reference
        by_request[(item.request_id, reference)] += 1
        notices += notify_officers(
            officers=officers_concerned(agency_ids=[item.provider_agency_id]),
            kind=SubjectNotificationKind.OVERDUE,
            # Composed once per recipient language.
            title=functools.partial(_item_overdue_title, reference, item.due_on),
            link=reverse("subjects:answer", kwargs={"pk": item.pk}),
            object_type=SubjectRequestItem._meta.label_lower,
            object_id=str(item.pk),
            dedupe_key=f"subject-item-overdue:{item.pk}:{today.isoformat()}",
        )
    for (request_id, reference), count in by_request.items():
        notices += notify_officers(
            officers=_dpos(),
            kind=SubjectNotificationKind.OVERDUE,
            # Composed once per recipient language.
            title=functools.partial(_request_overdue_title, reference, count),
            link=reverse("subjects:detail", kwargs={"reference": reference}),
            object_type=SubjectRequest._meta.label_lower,
            object_id=str(request_id),
            dedupe_key=f"subject-request-overdue:{request_id}:{today.isoformat()}",
        )
    if notices:
        audit_record(
            actor=None,
            action=AuditAction.DISCLOSURE,
            event=SubjectAuditEvent.ESCALATED,
            object_type=SubjectRequest._meta.label_lower,
            reason="overdue data subject requests notified",
            details={
                "items": len(items),
                "requests": sorted(reference for _, reference in by_request),
                "notices": notices,
            },
        )
    return notices


def _when(day: dt.date) -> str:
    # The month in the active language (English: "05 Jan 2026").
    return date_format(day, "d M Y")
