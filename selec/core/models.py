from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from selec.core.audit_events import audit_event_choices
from selec.core.audit_keys import current_key_id
from selec.core.choice_labels import ChoiceLabels
from selec.core.fields import EncryptedJSONField, EncryptedTextField
from selec.core.notification_kinds import notification_kind_choices


class AuditAction(models.TextChoices):
    # The operations Art. 25 of the Law Enforcement Directive names, and the ones we add.
    COLLECTION = "collection", _("Collection")
    ALTERATION = "alteration", _("Alteration")
    CONSULTATION = "consultation", _("Consultation")
    DISCLOSURE = "disclosure", _("Disclosure")
    COMBINATION = "combination", _("Combination")
    ERASURE = "erasure", _("Erasure")
    EXPORT = "export", _("Export")
    GRANT = "grant", _("Grant")
    # An attempt to reach an object the officer may not see (or that does not exist): the
    # answer was 404 or 403, and who tried which route is kept (selec.core.refusals).
    REFUSAL = "refusal", _("Refused access")


class AuditEvent(ChoiceLabels):
    """One row of the append-only, hash-chained audit log (see ``selec.core.audit``).

    A row is written in the transaction of what it records, unsealed, with ``content_mac``: the
    application's keyed digest of its content. After the commit it is sealed, once: it receives
    its ``chain_position`` and ``chain_hash``, the HMAC of the previous row's hash and this
    row's content. A database trigger refuses DELETE, TRUNCATE and every UPDATE but that one
    (the three seal columns set where they were NULL, nothing else changed), and the hashes
    show an edit made around the trigger.
    """

    # Indexed by ``audit_event_by_time``, which the time leads (an index on the time alone
    # cost 60 bytes an exchange at a million and served nothing that one does not).
    occurred_at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(_("who"), max_length=150, blank=True)
    # Copied, not linked: the log must say where the actor stood at the time.
    actor_agency = models.CharField(_("agency"), max_length=160, blank=True)
    actor_party = models.CharField(_("party"), max_length=16, blank=True)
    action = models.CharField(_("what"), max_length=16, choices=AuditAction.choices)
    # The id of the audit key its digest and chain hash are made under
    # (``selec.core.audit_keys``); "1", the first key, on the events written before ids existed.
    key_id = models.CharField(max_length=16, default=current_key_id, db_default="1")
    # Which use case wrote it (``exchange.forwarded``), declared by its app
    # (``selec.core.audit_events``); "" on the events written before names existed.
    event = models.CharField(
        _("event"),
        max_length=48,
        blank=True,
        default="",
        db_default="",
        choices=audit_event_choices,
    )
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    reason = models.CharField(_("why"), max_length=300)
    # The id this server gave the request; a caller's own X-Request-ID is kept beside it, for
    # the caller's logs, and never taken for it.
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    client_request_id = models.CharField(_("client request id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # Written with the row: only a row whose digest matches its content is sealed, so a row
    # inserted or edited without the key is never chained (and the verifier reports it).
    # Unique (constraint below): a copy of a row is not a second event. NULL on the rows
    # chained before it existed.
    content_mac = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # The seal, set once after the commit (selec.core.audit.audit_seal); NULL until then, where ""
    # would collide in the unique indexes. The chain runs in the order of the positions.
    chain_position = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    previous_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # Not indexed: nothing looks a row up by its hash, and the unique position keeps the chain
    # from forking.
    chain_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # "Every forward this month": by name, then time.
            models.Index(fields=["event", "occurred_at"], name="audit_event_by_name"),
            # The DPO's search, newest first, paged by keyset on (occurred_at, id).
            models.Index(fields=["occurred_at", "id"], name="audit_event_by_time"),
            # The DPO's access report: the events whose details name an object's reference
            # (``{"reference": ...}``, a hit's ``{"references": [...]}``, a refusal's route
            # arguments), found by containment (@>).
            GinIndex(fields=["details"], opclasses=["jsonb_path_ops"], name="audit_event_details"),
            # The rows the sealer looks for: few, whatever the size of the log.
            models.Index(
                fields=["id"],
                condition=Q(chain_position__isnull=True),
                name="audit_event_unsealed",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    chain_position__isnull=True, previous_hash__isnull=True, chain_hash__isnull=True
                )
                | Q(
                    chain_position__isnull=False,
                    previous_hash__isnull=False,
                    chain_hash__isnull=False,
                ),
                name="audit_event_sealed_whole",
            ),
            # A constraint rather than unique=True: no second, pattern-matching index.
            models.UniqueConstraint(fields=["content_mac"], name="audit_event_content_once"),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.pk} {self.action} {self.object_type}:{self.object_id} by {self.actor_username}"
        )

    @property
    def is_sealed(self) -> bool:
        return self.chain_position is not None


class AuditVerificationRun(models.Model):
    """One verification of the audit log (``selec.core.audit_verification``): when it was asked
    for, when a worker took it, what it found. The nightly run and any run asked for are kept,
    so the last result, and the first that found a break, stay visible.

    A run is asked for (``started_at`` None), then walking (``started_at`` set), then finished:
    intact, broken (``intact`` True or False), or interrupted (``intact`` None: its walk
    stopped before the end of the log, and the sweep ended it)."""

    # The row is the request, written in the transaction that asks: a message the broker never
    # took loses nothing (the sweep queues the run again).
    requested_at = models.DateTimeField(db_index=True)
    # When a worker claimed it; a run is claimed once, so a second delivery does nothing.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who asked: "schedule" for the nightly run, or the officer's username.
    started_by = models.CharField(max_length=150)
    # None while it waits or runs, and when it was interrupted.
    intact = models.BooleanField(null=True)
    events = models.PositiveBigIntegerField(default=0)
    head_id = models.BigIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(started_at__isnull=False),
                name="audit_verification_finished_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"verification asked {self.requested_at:%Y-%m-%d %H:%M}: {self.description}"


class Justification(models.Model):
    """What an officer typed to justify a disclosure or a combination (a forward, a hit search,
    an evidence export...), kept encrypted like exchange content.

    The audit event that records the action names this row and carries a keyed digest of the
    text, so the text is readable by those who audit and cannot be swapped unnoticed; it lives
    outside the append-only log so that key rotation can re-encrypt it.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    text = EncryptedTextField(_("justification"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"justification {self.uuid}"


class Notification(ChoiceLabels):
    """An in-app notice to one officer (see ``selec.core.notifications``).

    It names what happened and where to look, never the content: the title holds references
    only ("New request SELEC-2026-000123 from RO"), and the link leads to a page that applies
    the officer's access rights again.
    """

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        # The unique constraint and both indexes below start with the officer.
        db_index=False,
    )
    # Each app declares its own kinds (``selec.core.notification_kinds``).
    kind = models.CharField(_("kind"), max_length=32, choices=notification_kind_choices)
    title = models.CharField(_("title"), max_length=200)
    link = models.CharField(_("link"), max_length=300, blank=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # Names the event (e.g. "exchange-sent:123"): the same event never notifies an officer twice.
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "dedupe_key"], name="notification_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["officer", "-created_at"], name="notification_officer_idx"),
            # The unread badge and list: small, since read notifications leave it.
            models.Index(
                fields=["officer", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for officer #{self.officer_id}: {self.title}"


class OutboxMessage(models.Model):
    """An e-mail waiting to be sent, written in the transaction of the event it announces.

    ``selec.core.notifications.outbox_relay`` sends unsent rows and marks them; a row survives a
    broker or mail server outage and is retried by the next run.
    """

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("body"))
    dedupe_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # A relay claims a row (in a short transaction of its own) before sending it, and marks it
    # sent only if its claim still holds: a relay killed between the send and the mark leaves
    # a claim that expires, so at most the one message it had in flight is sent again.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The relay's queue: unsent rows, fewest attempts first.
            models.Index(
                fields=["attempts", "id"],
                condition=Q(sent_at__isnull=True),
                name="outbox_unsent_idx",
            )
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else f"unsent ({self.attempts} attempts)"
        return f"#{self.pk} to {self.to}: {state}"


class ApiToken(models.Model):
    """A personal token with which a national system calls the REST API (see ``partners.api_auth``).

    Only the SHA-256 of the token is kept; ``prefix`` is its first characters, not secret, so
    that an officer and the admin can tell tokens apart. Issued and revoked by services only.
    """

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… (officer #{self.officer_id})"

    def state_at(self, now: dt.datetime) -> str:
        """The token's state at ``now``: revoked, expired or active (in the active language)."""
        if self.revoked_at:
            return gettext("revoked")
        return gettext("expired") if self.expires_at <= now else gettext("active")


class IdempotentRequest(models.Model):
    """The first answer to a write that carried an idempotency key (``selec.core.idempotency``).

    Written in the transaction of the write itself, so it exists exactly when the write was
    committed: a retry with the same key is answered from here, and never files twice. The
    answer may name what was written (a reference, an excerpt): it is kept encrypted, and only
    for ``IDEMPOTENCY_KEY_HOURS``.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Who sent the key: "officer:<id>" for a session, "token:<digest>" for an API token. The same
    # key sent by someone else is another key.
    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path and the body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField()
    # {"headers": [[name, value], ...], "body": base64}: what the first request was answered.
    response = EncryptedJSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotent_request_once")
        ]
        # The periodic purge of expired keys walks this.
        indexes = [models.Index(fields=["created_at"], name="idempotent_request_age_idx")]

    def __str__(self) -> str:
        return f"{self.scope} key {self.key[:12]}: {self.status_code}"


class ServiceHeartbeat(models.Model):
    """The last sign of life of a background service, written by the service itself: readiness
    (``/readyz``) and the containers' health checks read it without asking the broker."""

    name = models.CharField(max_length=200, primary_key=True)  # "worker:<hostname>", ...
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} seen {self.seen_at:%Y-%m-%d %H:%M:%S}"
