"""Exchanges: requests for assistance, information and replies, with the provider's restrictions.

Restrictions are three independent flags rather than one code, because a provider may combine
them: H1 (no use in judicial proceedings), H2 (no dissemination beyond the recipients), H3 (a
free-text restriction each reader confirms). H0, the purpose limitation, holds for everything.
Entities and attachments have no permissions of their own: they are reached only through their
exchange, so they carry its restrictions by construction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from selec.core.choice_labels import ChoiceLabels
from selec.core.fields import EncryptedFileField, EncryptedJSONField, EncryptedTextField
from selec.core.policy_values import Restrictions

if TYPE_CHECKING:
    from partners.models import Agency


class ExchangeAuditEvent(models.TextChoices):
    """The audit events of exchanges (registered in ``exchanges.apps``)."""

    SENT = "exchange.sent", _("Exchange sent")
    REPLIED = "exchange.replied", _("Reply sent")
    FORWARDED = "exchange.forwarded", _("Exchange forwarded")
    CONSULTED = "exchange.consulted", _("Exchange consulted")
    # A page of a list showing subjects (``exchanges.services.listing``): names what it showed.
    SUBJECTS_LISTED = "exchange.subjects_listed", _("Subjects listed")
    INBOX_FILTER_SAVED = "exchange.inbox_filter_saved", _("Inbox view saved")
    INBOX_FILTER_DELETED = "exchange.inbox_filter_deleted", _("Inbox view deleted")
    PURPOSE_GIVEN = "exchange.purpose_given", _("Purpose of a consultation given")
    ATTACHMENT_DOWNLOADED = "exchange.attachment_downloaded", _("Attachment downloaded")
    EVIDENCE_EXPORTED = "exchange.evidence_exported", _("Exchange exported as evidence")
    ACKNOWLEDGED = "exchange.acknowledged", _("Receipt acknowledged")
    RESTRICTION_CONFIRMED = "exchange.restriction_confirmed", _("H3 restriction confirmed")
    RESTRICTIONS_CHANGED = "exchange.restrictions_changed", _("Restrictions changed")
    DISSEMINATION_REQUESTED = "dissemination.requested", _("Dissemination requested")
    DISSEMINATION_GRANTED = "dissemination.granted", _("Dissemination granted")
    DISSEMINATION_REFUSED = "dissemination.refused", _("Dissemination refused")


class ExchangeNotificationKind(models.TextChoices):
    """What officers are notified of about exchanges (registered in ``exchanges.apps``)."""

    NEW_EXCHANGE = "new_exchange", _("New exchange")
    REPLY = "reply", _("Reply")
    DISSEMINATION_REQUEST = "dissemination_request", _("Dissemination request")
    DISSEMINATION_DECISION = "dissemination_decision", _("Dissemination decision")
    RESTRICTION_TIGHTENED = "restriction_tightened", _("Restriction tightened")
    DEADLINE_APPROACHING = "deadline_approaching", _("Deadline approaching")
    DEADLINE_PASSED = "deadline_passed", _("Deadline passed")
    RESTRICTION_LOOSENED = "restriction_loosened", _("Restriction loosened")
    # To the sender: a request it sent is overdue (its addressees get DEADLINE_PASSED).
    REQUEST_OVERDUE = "request_overdue", _("Your request overdue")


class ExchangeKind(models.TextChoices):
    REQUEST = "request", _("Request for assistance")
    INFORMATION = "information", _("Information")
    REPLY = "reply", _("Reply")
    # The messages of a regional operation (only on exchanges linked to one).
    WARNING = "warning", _("Warning")
    FEEDBACK = "feedback", _("Feedback")
    SEIZURE = "seizure", _("Seizure report")


# The kinds a new exchange may have (a reply is sent as a reply, in its thread): the compose
# form's and the API's choices, one enum in the API's schema (ENUM_NAME_OVERRIDES).
SENT_KINDS = [
    (k.value, k.label)
    for k in (
        ExchangeKind.REQUEST,
        ExchangeKind.INFORMATION,
        ExchangeKind.WARNING,
        ExchangeKind.FEEDBACK,
        ExchangeKind.SEIZURE,
    )
]


class Priority(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    IMMEDIATE = "immediate", _("Immediate")


def urgency_of(priority: str) -> int:
    """The dashboard's order of priorities: immediate, urgent, then the rest."""
    return {Priority.IMMEDIATE: 0, Priority.URGENT: 1}.get(Priority(priority), 2)


class SourceReliability(models.TextChoices):
    A = "A", _("A: no doubt of authenticity, trustworthiness and competence; always reliable")
    B = "B", _("B: source has proved mostly reliable")
    C = "C", _("C: source has proved mostly unreliable")
    X = "X", _("X: reliability cannot be assessed")


class InformationAccuracy(models.TextChoices):
    ONE = "1", _("1: accuracy not in doubt")
    TWO = "2", _("2: known personally to the source, not to the official passing it")
    THREE = "3", _("3: not known personally to the source, corroborated")
    FOUR = "4", _("4: not known personally to the source, not corroborated")


class ReferenceCounter(models.Model):
    """The last reference number handed out in a year (see ``exchanges.services.inputs.allocate_reference``)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Exchange(ChoiceLabels):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ExchangeKind.choices)
    # The mostly-empty foreign keys are indexed where set only (partial indexes in Meta), and
    # the sender by ``exchange_by_sender``: an index per column would cost more per exchange
    # than the row itself.
    in_reply_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        db_index=False,
    )
    thread_root = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="thread_members",
        db_index=False,
    )
    sender_agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, related_name="sent_exchanges", db_index=False
    )
    # Indexed with the time (``exchange_by_author``), which serves the lookups by author too.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    crime_area = models.ForeignKey(
        "taskforces.CrimeArea", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    task_force = models.ForeignKey(
        "taskforces.TaskForce",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # The joint investigation or regional operation the exchange belongs to, if any.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchanges",
        db_index=False,
    )
    priority = models.CharField(
        _("priority"), max_length=12, choices=Priority.choices, default=Priority.ROUTINE
    )
    sent_at = models.DateTimeField(_("sent"))
    due_at = models.DateTimeField(_("due"))
    subject = EncryptedTextField(_("subject"))
    body = EncryptedTextField(_("body"))
    restrict_evidence = models.BooleanField(
        _("H1: not to be used in judicial proceedings"), default=False
    )
    restrict_dissemination = models.BooleanField(_("H2: not to be disseminated"), default=False)
    # The provider's own words, which may name people: encrypted like the content. Whether H3
    # applies is read from the decrypted text of a row already loaded (``handling_codes``,
    # ``exchanges.facts``); no query filters on it, as the ciphertext of "" is not empty.
    restriction_text = EncryptedTextField(_("H3: other restrictions"), blank=True, default="")
    personal_data = models.BooleanField(_("contains personal data"), default=False)
    source_reliability = models.CharField(
        max_length=1, choices=SourceReliability.choices, blank=True
    )
    information_accuracy = models.CharField(
        max_length=1, choices=InformationAccuracy.choices, blank=True
    )
    # When the provider reviews whether the personal data it sent is still needed (``records``,
    # the retention review): set at the send for an exchange carrying personal data; null when
    # it carries none or once its content is erased.
    review_due_on = models.DateField(_("review due"), null=True, blank=True)
    # The provider's last correction of the content or evaluation (the old values are not kept)
    # and the erasure of the content under a retention decision (the row, its metadata and its
    # receipts stay: the statistics still count it).
    corrected_at = models.DateTimeField(_("corrected"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    # The receipts a list or the API shows, with their agencies: set by
    # ``exchanges.selectors.attach_receipts``, not a column.
    listed_receipts: list[ListedReceipt]

    class Meta:
        default_permissions = ()
        permissions = [
            ("view_exchange", "Read the exchange"),
            ("reply_exchange", "Reply to the exchange"),
            ("forward_exchange", "Forward the exchange to further agencies"),
            ("request_dissemination_exchange", "Ask the provider to lift a restriction"),
            ("manage_exchange", "Act as the provider: decide requests, tighten or loosen"),
            ("export_evidence_exchange", "Export the exchange for use as evidence"),
        ]
        indexes = [
            # The inbox's keyset (newest first, the id breaking ties) and the yearly
            # statistics (analytics.queries), which read a year's exchanges from this index
            # alone: the metadata they count, never the content. One index for both: the
            # statistics' own, on the time, cost 54 bytes an exchange more and served nothing
            # this does not (plans and times compared at a million exchanges).
            models.Index(
                fields=["-sent_at", "-id"],
                include=["kind", "sender_agency", "crime_area", "task_force", "case"],
                name="exchange_by_time",
            ),
            models.Index(fields=["sender_agency", "-sent_at"], name="exchange_by_sender"),
            # An officer's last sends (the compose form's recent recipients), newest first:
            # read by the author alone, the planner, which takes author and agency for
            # independent, fetched every exchange an officer ever sent before keeping twenty
            # (13,788 rows, 23 ms for a National Focal Point at a million exchanges).
            models.Index(fields=["author", "-sent_at"], name="exchange_by_author"),
            # The inbox's filters, newest first, and the lookups of a thread, a case's messages
            # and a reply's parent: only the rows that have the value are indexed.
            models.Index(fields=["crime_area", "-sent_at", "-id"], name="exchange_by_crime_area"),
            # The inbox sorted by due date.
            models.Index(fields=["due_at", "id"], name="exchange_by_due"),
            models.Index(
                fields=["task_force", "-sent_at", "-id"],
                condition=Q(task_force__isnull=False),
                name="exchange_by_task_force",
            ),
            models.Index(
                fields=["case", "-sent_at", "-id"],
                condition=Q(case__isnull=False),
                name="exchange_by_case",
            ),
            models.Index(
                fields=["thread_root"],
                condition=Q(thread_root__isnull=False),
                name="exchange_thread_members",
            ),
            models.Index(
                fields=["in_reply_to"],
                condition=Q(in_reply_to__isnull=False),
                name="exchange_replies",
            ),
            # A provider's review queue: its exchanges whose review falls due, soonest first.
            models.Index(
                fields=["sender_agency", "review_due_on", "id"],
                condition=Q(review_due_on__isnull=False),
                name="exchange_review_queue",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(personal_data=False)
                | (~Q(source_reliability="") & ~Q(information_accuracy="")),
                name="personal_data_is_evaluated",
            ),
            models.CheckConstraint(
                condition=Q(kind="reply", in_reply_to__isnull=False)
                | (~Q(kind="reply") & Q(in_reply_to__isnull=True)),
                name="replies_and_only_replies_answer_a_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def handling_codes(self) -> list[str]:
        return list(Restrictions.of(self).handling_codes)


@dataclass(frozen=True, slots=True)
class ListedReceipt:
    """A receipt as a list and the API show it, with its agency: read from the receipt's
    columns by ``exchanges.selectors.attach_receipts``, never saved. A page lists about 150
    receipts; built as model instances (each column set through the model's descriptors, each
    agency through the foreign key's checks) they took a sixth of the inbox's time."""

    exchange_id: int
    agency_id: int
    via: str
    delivered_at: dt.datetime
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    answered_at: dt.datetime | None
    agency: Agency


class RecipientVia(models.TextChoices):
    ADDRESSED = "addressed", _("Addressed by the sender")
    FORWARDED = "forwarded", _("Forwarded by a recipient")
    DISSEMINATED = "disseminated", _("Disseminated with the provider's permission")


class Recipient(models.Model):
    """An agency an exchange is addressed to, with its receipt."""

    # No index of its own: ``one_receipt_per_agency`` is led by the exchange and serves every
    # lookup by exchange (a second index on the column alone cost 50 bytes an exchange).
    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="recipients", db_index=False
    )
    # Indexed by the indexes below, each led by the agency.
    agency = models.ForeignKey(
        "partners.Agency",
        on_delete=models.PROTECT,
        related_name="received_exchanges",
        db_index=False,
    )
    via = models.CharField(
        max_length=16, choices=RecipientVia.choices, default=RecipientVia.ADDRESSED
    )
    added_by = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    delivered_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Copied from the exchange when the receipt is made (neither changes after the send): the
    # dashboard's lists of a scope's open receipts, most urgent first, are then read in that
    # order from an index of the receipts alone, not sorted from a join on every open one.
    urgency = models.PositiveSmallIntegerField(default=2)  # see ``urgency_of``
    due_at = models.DateTimeField()
    awaits_answer = models.BooleanField(default=False)  # the exchange is a request

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exchange", "agency"], name="one_receipt_per_agency")
        ]
        indexes = [
            # The open receipts of an agency, in the dashboard's order (most urgent first, then
            # by due date); with the exchange, so that the inbox's receipt filters ("a receipt
            # of the scope is unread") read these indexes alone.
            models.Index(
                fields=["agency", "urgency", "due_at", "id"],
                include=["exchange"],
                condition=Q(read_at__isnull=True),
                name="receipt_unread",
            ),
            models.Index(
                fields=["agency", "urgency", "due_at", "id"],
                include=["exchange"],
                condition=Q(acknowledged_at__isnull=True),
                name="receipt_unacknowledged",
            ),
            models.Index(
                fields=["agency", "urgency", "due_at", "id"],
                include=["exchange"],
                condition=Q(awaits_answer=True, answered_at__isnull=True),
                name="receipt_awaiting_answer",
            ),
            # The addressed recipients of a year's exchanges, for the statistics.
            models.Index(
                fields=["exchange", "agency"],
                condition=Q(via="addressed"),
                name="receipt_addressed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exchange_id} to {self.agency_id}"


class RestrictionConfirmation(models.Model):
    """An officer confirmed having read an exchange's H3 text (once, before the content).

    It keeps a keyed digest of the text confirmed (``selec.core.digests``), not the text: the
    confirmation holds while the digest equals that of the exchange's current text, so a
    provider who changes the text asks everyone again, and the text is stored once, encrypted,
    on the exchange."""

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="h3_confirmations"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    restriction_digest = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exchange", "officer"], name="one_h3_confirmation")
        ]

    def __str__(self) -> str:
        return f"H3 of {self.exchange_id} confirmed by {self.officer_id}"


class EntityKind(models.TextChoices):
    PERSON = "person", _("Person")
    VEHICLE = "vehicle", _("Vehicle")
    DOCUMENT = "document", _("Document")
    PHONE = "phone", _("Phone")
    COMPANY = "company", _("Company")
    BANK_ACCOUNT = "bank_account", _("Bank account")


class Entity(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="entities")
    kind = models.CharField(max_length=16, choices=EntityKind.choices)
    attributes = EncryptedJSONField()
    # When hit/no-hit matching compared the entity with what other providers hold (null: not
    # yet). The after-commit task sets it; a periodic sweep matches the entities a lost task
    # (broker down, worker killed) left null.
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "entities"
        indexes = [
            # The sweep's queue: small, since matched entities leave it.
            models.Index(
                fields=["exchange"],
                condition=Q(matched_at__isnull=True),
                name="entity_unmatched",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Attachment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="attachments")
    filename = EncryptedTextField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    # Encrypted: in clear, whoever holds a dump and a file could tell that the file was sent.
    # The audit log names a file by a keyed digest of it (``selec.core.digests.file_digest``).
    sha256 = EncryptedTextField()
    # AES-GCM ciphertext of the file (see selec.core.crypto): stored in the database so that the web
    # tier keeps no files of its own.
    content = EncryptedFileField()

    def __str__(self) -> str:
        return f"attachment #{self.pk} ({self.content_type}, {self.size} bytes)"


class DisseminationKind(models.TextChoices):
    SHARE = "share", _("Share with further agencies (lift H2)")
    EVIDENCE = "evidence", _("Use as evidence in judicial proceedings (lift H1)")


class DisseminationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class DisseminationRequest(ChoiceLabels):
    # The row key the encrypted fields' associated data binds them to.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="dissemination_requests"
    )
    kind = models.CharField(max_length=10, choices=DisseminationKind.choices)
    requesting_agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    target_agencies = models.ManyToManyField("partners.Agency", blank=True, related_name="+")
    # What the requesting officer and the provider write may name people: encrypted.
    intended_use = EncryptedTextField(max_length=300, validators=[MaxLengthValidator(300)])
    justification = EncryptedTextField()
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=DisseminationStatus.choices, default=DisseminationStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = EncryptedTextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["exchange", "status"], name="dissemination_by_status")]

    def __str__(self) -> str:
        return f"{self.kind} request #{self.pk} ({self.status})"


class ExchangeGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Exchange, on_delete=models.CASCADE)
    # Ten or more rows per exchange: no index of their own for the group and the permission,
    # which the (group, permission, content_object) primary key leads with and which no query
    # looks up alone. The content object's index serves the probes of a page and the
    # permissions of one exchange.
    group = models.ForeignKey(Group, on_delete=models.CASCADE, db_index=False)
    permission = models.ForeignKey(Permission, on_delete=models.CASCADE, db_index=False)
    # The (group, permission, content_object) key makes an inbox one indexed join from an
    # officer's groups to the exchanges. It is the primary key rather than guardian's unique
    # triple beside a serial id: nothing looks a row up by an id, and the id's column and
    # index were a quarter of the permissions' bytes (about 420 of 1,670 an exchange).
    pk = models.CompositePrimaryKey("group", "permission", "content_object")

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
        # The primary key above is this triple: a second unique index on it would double it.
        unique_together: ClassVar[list[Sequence[str]]] = []


class ExchangeUserObjectPermission(UserObjectPermissionBase):
    # Permissions go to agency and NFP groups only; this table exists so that guardian never
    # falls back to its generic (content type + text id) table for exchanges.
    content_object = models.ForeignKey(Exchange, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


# The purposes officers give for the threads they open, in a module of their own (this one is
# long enough); imported here so that Django finds the model.
from exchanges.models_purposes import ConsultationPurpose  # noqa: E402, F401
from exchanges.models_saved_filters import SavedInboxFilter  # noqa: E402, F401
