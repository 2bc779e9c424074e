"""Reading an exchange: consulting it (audited), downloading an attachment, exporting it as
evidence.

Two gates stand before the content, in this order: the officer has said why they open the
thread (asked once per thread: ``exchanges.services.purposes``), then, under H3, has confirmed
the provider's text (once per exchange and text). Each refusal names the exchange and what to
do, and carries a ``code`` the API answers with.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges import policy
from exchanges.models import (
    Attachment,
    Entity,
    Exchange,
    ExchangeAuditEvent,
    Recipient,
    RestrictionConfirmation,
)
from exchanges.models_purposes import ConsultationPurpose
from exchanges.selectors import (
    attachment_get_for_officer,
    require_known_perm,
    require_perm,
    restriction_digests,
    restriction_text_now,
)
from exchanges.services.admission import refuse_if_erased
from exchanges.services.purposes import ThreadPurpose, thread_purpose
from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.digests import file_digest
from selec.core.files import open_attachment
from selec.core.models import AuditAction


class ContentWithheld(PermissionDenied):
    """The officer may see the exchange but must do something before its content opens.
    ``reference`` names the exchange to act on (a download names only its file); ``code``
    tells the refusals apart for a program (the API's answer)."""

    code = "content_withheld"

    def __init__(self, message: str, *, reference: str) -> None:
        super().__init__(message)
        self.reference = reference


class PurposeRequired(ContentWithheld):
    """The officer has not said why they open the exchange's thread."""

    code = "purpose_required"


class RestrictionNotConfirmed(ContentWithheld):
    """H3: the officer must confirm the provider's restriction text before seeing the content."""

    code = "restriction_unconfirmed"


@dataclass(frozen=True)
class ExchangeContent:
    exchange: Exchange
    subject: str
    body: str
    entities: list[Entity]
    attachments: list[Attachment]
    perms: frozenset[policy.Perm]


def _require_purpose(officer: Officer, exchange: Exchange) -> ThreadPurpose:
    purpose = thread_purpose(officer, exchange)
    if purpose.missing:
        raise PurposeRequired(
            # Translators: %(reference)s is an exchange reference.
            _("Say why you open the thread of %(reference)s before reading its content.")
            % {"reference": exchange.reference},
            reference=exchange.reference,
        )
    return purpose


def _require_h3_confirmed(officer: Officer, exchange: Exchange) -> None:
    if not policy.must_confirm_restriction(
        reader_agency_id=officer.agency_id, sender_agency_id=exchange.sender_agency_id
    ):
        return
    # Compared with the text as stored now: a provider who changes it asks everyone again.
    current_text = restriction_text_now(exchange)
    if (
        current_text
        and not RestrictionConfirmation.objects.filter(
            exchange=exchange,
            officer=officer,
            restriction_digest__in=restriction_digests(current_text),
        ).exists()
    ):
        raise RestrictionNotConfirmed(
            # Translators: %(reference)s is an exchange reference; H3 a handling code.
            _(
                "%(reference)s carries an H3 restriction: confirm its text before reading the "
                "content."
            )
            % {"reference": exchange.reference},
            reference=exchange.reference,
        )


@transaction.atomic
def exchange_consult(
    *, officer: Officer, exchange: Exchange, known_perms: frozenset[policy.Perm] | None = None
) -> ExchangeContent:
    """Open an exchange's content. The consultation is audited in the same transaction, so a
    read whose audit event cannot be written fails; the first read marks the receipt read.
    The first consultation of a thread by an officer carries their purpose as its
    justification; the later ones say it is on record.

    ``known_perms``: the officer's permissions on the exchange as this request read them
    already (the thread page reads those of every message at once), decided on as read there
    rather than read a second time; read here when not given."""
    perms = (
        require_perm(officer, exchange, policy.Perm.VIEW)
        if known_perms is None
        else require_known_perm(exchange, known_perms, policy.Perm.VIEW)
    )
    purpose = _require_purpose(officer, exchange)
    _require_h3_confirmed(officer, exchange)
    purpose_details, justification = purpose.audit()
    if justification and purpose.record is not None:
        # This consultation carries the purpose: the next ones say it is on record.
        ConsultationPurpose.objects.filter(pk=purpose.record.pk).update(carried_at=timezone.now())
    # An officer of no agency (a case's named analyst) has no receipt to mark.
    if officer.agency_id is not None:
        Recipient.objects.filter(
            exchange=exchange, agency_id=officer.agency_id, read_at__isnull=True
        ).update(read_at=timezone.now())
    audit_record(
        actor=officer,
        action=AuditAction.CONSULTATION,
        event=ExchangeAuditEvent.CONSULTED,
        target=exchange,
        reason="content consulted",
        details={"reference": exchange.reference, **purpose_details},
        # The purpose the officer typed may name a case or a person: stored encrypted.
        justification=justification,
    )
    return ExchangeContent(
        exchange=exchange,
        subject=exchange.subject,
        body=exchange.body,
        entities=list(exchange.entities.order_by("pk")),
        attachments=list(exchange.attachments.order_by("pk").defer("content")),
        perms=perms,
    )


@transaction.atomic
def attachment_download(*, officer: Officer, attachment_id: int) -> tuple[Attachment, bytes]:
    """Decrypt an attachment for an officer who may read its exchange (audited as disclosure)."""
    # One 404 whether the attachment is missing or its exchange hidden (see the selector).
    attachment = attachment_get_for_officer(officer, attachment_id)
    _require_purpose(officer, attachment.exchange)
    _require_h3_confirmed(officer, attachment.exchange)
    content = open_attachment(attachment)
    audit_record(
        actor=officer,
        action=AuditAction.DISCLOSURE,
        event=ExchangeAuditEvent.ATTACHMENT_DOWNLOADED,
        target=attachment,
        reason="attachment downloaded",
        # A keyed digest: the plain SHA-256 would let whoever reads the log confirm a file.
        details={
            "reference": attachment.exchange.reference,
            "file_digest": file_digest(attachment.sha256),
        },
    )
    return attachment, content


@transaction.atomic
def exchange_export_evidence(
    *, officer: Officer, exchange: Exchange, justification: str
) -> dict[str, object]:
    """The "use as evidence" export: refused under H1 until the provider grants it."""
    require_perm(officer, exchange, policy.Perm.EXPORT_EVIDENCE)
    refuse_if_erased(exchange)
    _require_purpose(officer, exchange)
    _require_h3_confirmed(officer, exchange)
    if not justification.strip():
        raise ValidationError(
            {"justification": [_("Say for which proceedings the export is made.")]}
        )
    audit_record(
        actor=officer,
        action=AuditAction.EXPORT,
        event=ExchangeAuditEvent.EVIDENCE_EXPORTED,
        target=exchange,
        reason="evidence export",
        details={"reference": exchange.reference, "purpose": "evidence"},
        # The proceedings the officer names may name people: stored encrypted.
        justification=justification,
    )
    return {
        "reference": exchange.reference,
        "provider": exchange.sender_agency.name,
        "sent_at": exchange.sent_at.isoformat(),
        "handling": exchange.handling_codes,
        "evaluation": f"{exchange.source_reliability}{exchange.information_accuracy}",
        "subject": exchange.subject,
        "body": exchange.body,
        "entities": [{"kind": e.kind, **e.attributes} for e in exchange.entities.order_by("pk")],
        "attachments": [
            {"filename": a.filename, "sha256": a.sha256, "size": a.size}
            for a in exchange.attachments.order_by("pk").defer("content")
        ],
    }
