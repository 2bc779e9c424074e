from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class AuditEvent(models.Model):
    """One row of the append-only, hash-chained audit log (see ``selec.audit``).

    A database trigger refuses UPDATE and DELETE; ``chain_hash`` is the HMAC of the previous
    row's hash and this row's content, so an edit made around the trigger is detected.
    """

    occurred_at = models.DateTimeField(_("when"), db_index=True)
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
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    reason = models.CharField(_("why"), max_length=300)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return (
            f"#{self.pk} {self.action} {self.object_type}:{self.object_id} by {self.actor_username}"
        )
