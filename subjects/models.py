"""Data subject requests: a person asks, through the data protection officer, what SELEC holds
about them (access), to have it corrected (rectification) or erased (erasure).

The DPO finds the exchanges that hold the person through the blind index (``subjects.search``)
and forwards the request to each provider: one item per exchange, in the provider agency's
queue, which the provider answers with a decision. The request is answered when every item
is; past its due date with an item still pending it is overdue. The person's identifiers,
how the request came in and the providers' answers may name people: they are encrypted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from selec.core.choice_labels import ChoiceLabels
from selec.core.fields import EncryptedJSONField, EncryptedTextField

NOTE_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 2000


class SubjectAuditEvent(models.TextChoices):
    """The audit events of data subject requests (registered in ``subjects.apps``)."""

    SEARCHED = "subject_request.searched", _("Data subject searched")
    CREATED = "subject_request.created", _("Data subject request forwarded")
    CONSULTED = "subject_request.consulted", _("Data subject request consulted")
    ANSWERED = "subject_request.answered", _("Data subject request answered by a provider")
    ESCALATED = "subject_request.escalated", _("Overdue data subject requests notified")


class SubjectNotificationKind(models.TextChoices):
    """What officers are notified of about data subject requests (registered in
    ``subjects.apps``)."""

    TO_ANSWER = "subject_request", _("Data subject request to answer")
    OVERDUE = "subject_request_overdue", _("Data subject request overdue")
    COMPLETED = "subject_request_completed", _("Data subject request answered")


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")


class RequestStatus(models.TextChoices):
    """A request's status, derived from its items and the date (``subjects.policy``)."""

    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    OVERDUE = "overdue", _("Overdue")


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ANSWERED = "answered", _("Answered")


class Decision(models.TextChoices):
    ACCESS_GIVEN = "access_given", _("Access given")
    RECTIFIED = "rectified", _("Rectified")
    ERASED = "erased", _("Erased")
    REFUSED = "refused", _("Refused")
    NO_DATA = "no_data", _("No such data")


class SubjectRequestCounter(models.Model):
    """The last request number handed out in a year (``subjects.services``)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class SubjectRequest(ChoiceLabels):
    # The row key the encrypted fields' associated data binds them to.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    # The person's identifiers as the DPO typed them (``subjects.identifiers.Identifiers``).
    identifiers = EncryptedJSONField(_("identifiers"))
    # How the request came in (letter, e-mail, through a national authority...).
    note = EncryptedTextField(
        _("note"),
        max_length=NOTE_MAX_LENGTH,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
        blank=True,
        default="",
    )
    received_on = models.DateField(_("received"))
    due_on = models.DateField(_("due"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    # When the last item was answered (null while one is pending): set by the answer service.
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("received_on")), name="subject_request_due_after_receipt"
            )
        ]

    def __str__(self) -> str:
        return self.reference


class SubjectRequestItem(ChoiceLabels):
    """The request as one provider agency answers it, for one of its exchanges."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="items")
    exchange = models.ForeignKey(
        "exchanges.Exchange", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    provider_agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Which identifiers matched (``hits.blind_index.TokenKind``): no value, only their kinds.
    matched = ArrayField(models.CharField(max_length=24))
    # The request's due date, copied: the provider's queue is read in this order from an index.
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    answer = EncryptedTextField(_("answer"), blank=True, default="")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "exchange"], name="one_item_per_exchange"),
            models.CheckConstraint(
                condition=Q(
                    status="pending", decision="", answered_at__isnull=True, answered_by=None
                )
                | (
                    Q(status="answered", answered_at__isnull=False, answered_by__isnull=False)
                    & ~Q(decision="")
                ),
                name="subject_item_answered_with_a_decision",
            ),
        ]
        indexes = [
            # A provider's queue: pending first ("pending" sorts after "answered", hence the
            # descending status), then by due date (``subjects.selectors.item_page``).
            models.Index(
                fields=["provider_agency", "-status", "due_on", "id"], name="subject_item_queue"
            ),
            # The daily notice of overdue items reads the pending ones by due date.
            models.Index(
                fields=["due_on", "id"],
                condition=Q(status="pending"),
                name="subject_item_pending_by_due",
            ),
        ]

    def __str__(self) -> str:
        return f"item #{self.pk} of request {self.request_id} ({self.status})"
