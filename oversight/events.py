"""The audit events of the data protection officer's tools (registered in ``oversight.apps``).

Reading the log is itself logged: who searched it with which filters, who exported what, whose
access report was drawn up. The log's readers are answerable like its writers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OversightAuditEvent(models.TextChoices):
    SEARCHED = "audit.searched", _("Audit log searched")
    EXPORTED = "audit.exported", _("Audit log exported")
    ACCESS_REPORTED = "audit.access_reported", _("Access report drawn up")
    VERIFICATION_STARTED = "audit.verification_started", _("Audit log verification started")
