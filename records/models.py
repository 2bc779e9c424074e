"""What a provider does with the information it sent once it is held: the retention review
(keep it, with a reason and a new date, or erase it), corrections, and the inaccuracies the
recipients point out.

The review date itself is a column of the exchange (``Exchange.review_due_on``, set by the
send); the decisions and the flags are kept here, with their reasons encrypted (a reason may
name people). The old values a correction replaces are kept nowhere: the audit event holds a
keyed digest of them, not the text.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from selec.core.choice_labels import ChoiceLabels
from selec.core.fields import EncryptedTextField

NOTE_MAX_LENGTH = 2000


class RecordsAuditEvent(models.TextChoices):
    """The audit events of the records' life (registered in ``records.apps``)."""

    REVIEW_KEPT = "retention.kept", _("Kept after review")
    ERASURE_PREVIEWED = "retention.erasure_previewed", _("Erasure previewed (dry run)")
    ERASED = "retention.erased", _("Content erased")
    REVIEW_ESCALATED = "retention.escalated", _("Overdue reviews escalated")
    CORRECTED = "exchange.corrected", _("Exchange corrected")
    INACCURACY_FLAGGED = "inaccuracy.flagged", _("Suspected inaccuracy flagged")
    INACCURACY_ANSWERED = "inaccuracy.answered", _("Inaccuracy flag answered")


class RecordsNotificationKind(models.TextChoices):
    """What officers are notified of about records (registered in ``records.apps``)."""

    REVIEW_OVERDUE = "review_overdue", _("Retention review overdue")
    ERASED = "exchange_erased", _("Exchange erased")
    CORRECTED = "exchange_corrected", _("Exchange corrected")
    INACCURACY_FLAGGED = "inaccuracy_flagged", _("Inaccuracy flagged")
    INACCURACY_ANSWERED = "inaccuracy_answered", _("Inaccuracy flag answered")


class ReviewOutcome(models.TextChoices):
    KEEP = "keep", _("Keep")
    ERASE = "erase", _("Erase")


class ReviewDecision(models.Model):
    """A provider's decision on one of its exchanges at its retention review."""

    # The row key the encrypted field's associated data binds it to.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exchange = models.ForeignKey(
        "exchanges.Exchange", on_delete=models.PROTECT, related_name="review_decisions"
    )
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    outcome = models.CharField(max_length=8, choices=ReviewOutcome.choices)
    reason = EncryptedTextField(
        _("reason"), max_length=NOTE_MAX_LENGTH, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)]
    )
    # Keep: the next review date.
    next_review_on = models.DateField(null=True, blank=True)
    # Erase: how many rows of each kind the erasure removed or emptied (counts only).
    removed = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="keep", next_review_on__isnull=False)
                | Q(outcome="erase", next_review_on__isnull=True),
                name="kept_exchanges_get_a_new_review_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.outcome} of exchange {self.exchange_id}"


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")


class FlagOutcome(models.TextChoices):
    CORRECTED = "corrected", _("Corrected")
    UPHELD = "upheld", _("Upheld as accurate")


class InaccuracyFlag(ChoiceLabels):
    """A recipient tells the provider it suspects part of an exchange is inaccurate; the
    provider answers (corrects it, or upholds it)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exchange = models.ForeignKey(
        "exchanges.Exchange", on_delete=models.PROTECT, related_name="inaccuracy_flags"
    )
    flagging_agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, related_name="+"
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    flagged_at = models.DateTimeField()
    note = EncryptedTextField(
        _("what seems inaccurate"),
        max_length=NOTE_MAX_LENGTH,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
    )
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=FlagOutcome.choices, blank=True)
    answer = EncryptedTextField(_("answer"), blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["exchange", "status"], name="inaccuracy_flag_by_status"),
            # The flags page's two lists, newest first, a page at a time: what an agency filed,
            # and the open flags (narrowed to the provider's exchanges by the join).
            models.Index(fields=["flagging_agency", "-id"], name="inaccuracy_flag_filed"),
            models.Index(fields=["id"], condition=Q(status="open"), name="inaccuracy_flag_open"),
        ]

    def __str__(self) -> str:
        return f"inaccuracy flag #{self.pk} ({self.status})"
