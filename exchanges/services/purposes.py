"""The purpose of a consultation: why an officer opens a thread, asked once per officer and
thread (``exchanges.models_purposes.ConsultationPurpose``).

The purpose is given before any content of the thread opens (``purpose_give``); the
consultation that opens it next carries it, as the justification of its audit event, and the
later ones say it is on record (``exchanges.services.consultation``). The author of the
thread's first message is not asked: their purpose is the send itself; nor is the author of
the message consulted, who reads only what they wrote (the rest of the thread asks them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exchanges import policy
from exchanges.models import Exchange, ExchangeAuditEvent
from exchanges.models_purposes import PURPOSE_MAX_LENGTH, ConsultationPurpose
from exchanges.selectors import require_perm
from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.models import AuditAction

# The key of a consultation event's details that names the purpose it carried.
CARRIED_KEY = "purpose_record"


@dataclass(frozen=True)
class ThreadPurpose:
    """What a consultation needs to know of the officer's purpose for a thread."""

    # The officer wrote the thread's first message, or the message consulted.
    author: bool
    record: ConsultationPurpose | None
    # A consultation's audit event already carries this purpose as its justification.
    carried: bool

    @property
    def missing(self) -> bool:
        return self.record is None and not self.author

    def audit(self) -> tuple[dict[str, Any], str]:
        """The consultation event's details about the purpose, and its justification: the
        purpose itself, the first time; afterwards only that it is on record."""
        if self.record is None:
            return {"purpose": "author"}, ""
        if self.carried:
            return {"purpose": "on record"}, ""
        return {"purpose": "given", CARRIED_KEY: self.record.pk}, self.record.purpose


def thread_purpose(officer: Officer, exchange: Exchange) -> ThreadPurpose:
    """The officer's purpose for the exchange's thread, in one query: the thread's author, the
    purpose (decrypted only when read) and whether a consultation already carried it."""
    given = ConsultationPurpose.objects.filter(thread_id=OuterRef("pk"), officer_id=officer.pk)
    author_id, purpose_id, purpose_uuid, purpose_text, carried_at = (
        Exchange.objects.filter(pk=exchange.thread_root_id or exchange.pk)
        .annotate(
            purpose_id=Subquery(given.values("pk")),
            purpose_uuid=Subquery(given.values("uuid")),
            purpose_text=Subquery(given.values("purpose")),
            carried_at=Subquery(given.values("carried_at")),
        )
        .values_list("author_id", "purpose_id", "purpose_uuid", "purpose_text", "carried_at")
        .get()
    )
    record = None
    if purpose_id is not None:
        # Built from the columns read above; the purpose decrypts (with the row's uuid) when
        # read, that is only for the consultation that carries it.
        record = ConsultationPurpose(
            pk=purpose_id,
            uuid=purpose_uuid,
            officer_id=officer.pk,
            thread_id=exchange.thread_root_id or exchange.pk,
            purpose=purpose_text,
        )
    return ThreadPurpose(
        author=officer.pk in (author_id, exchange.author_id),
        record=record,
        carried=carried_at is not None,
    )


def _checked(purpose: str) -> str:
    text = purpose.strip()
    if not text:
        raise ValidationError(
            {"purpose": [_("Say why you open this thread (a case, an inquiry, a request).")]}
        )
    if len(text) > PURPOSE_MAX_LENGTH:
        raise ValidationError(
            {
                "purpose": [
                    # Translators: %(max)d is the most characters allowed, %(count)d how many
                    # the text given has.
                    ngettext(
                        "Say it in at most %(max)d character (this has %(count)d).",
                        "Say it in at most %(max)d characters (this has %(count)d).",
                        PURPOSE_MAX_LENGTH,
                    )
                    % {"max": PURPOSE_MAX_LENGTH, "count": len(text)}
                ]
            }
        )
    return text


@transaction.atomic
def purpose_give(
    *, officer: Officer, exchange: Exchange, purpose: str
) -> tuple[ConsultationPurpose, bool]:
    """Record why the officer opens the exchange's thread; ``True`` if recorded now. Given
    once per officer and thread: a purpose already on record stays (the consultations logged
    since carry it), and giving one again changes nothing.

    The write is audited without the text: the text enters the log once, as the justification
    of the consultation that opens the thread next (``ThreadPurpose.audit``), which is when it
    takes effect."""
    require_perm(officer, exchange, policy.Perm.VIEW)
    text = _checked(purpose)
    record, created = ConsultationPurpose.objects.get_or_create(
        officer=officer,
        thread_id=exchange.thread_root_id or exchange.pk,
        defaults={"purpose": text, "given_at": timezone.now()},
    )
    if created:
        audit_record(
            actor=officer,
            action=AuditAction.COLLECTION,
            event=ExchangeAuditEvent.PURPOSE_GIVEN,
            target=exchange,
            reason="purpose of a consultation given",
            details={"reference": exchange.reference},
        )
    return record, created
