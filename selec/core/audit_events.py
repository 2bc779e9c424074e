"""The names of audit events: one per action an officer or the system takes (``exchange.sent``,
``exchange.consulted``, ``case.result_recorded``...), stored beside the event's category of the
Law Enforcement Directive's logging (``AuditAction``: collection, consultation, disclosure...).

The category says what kind of processing took place; the name says which use case did it, so
that a data protection officer can ask the log for every forward or every hit search at once.
The core names only its own events; each app declares the names of its events (a
``TextChoices`` whose values read ``object.verb_in_past``) and registers them when it starts.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from selec.core.choices_registry import Choices, register_choices

AUDIT_EVENTS: Choices = []


def register_audit_events(events: type[models.TextChoices]) -> None:
    """Add an app's event names (``selec.core.choices_registry.register_choices``)."""
    register_choices(AUDIT_EVENTS, events, what="audit event")


def audit_event_choices() -> Choices:
    """The choices of ``AuditEvent.event``: read when a form, the admin or the API asks."""
    return list(AUDIT_EVENTS)


class CoreAuditEvent(models.TextChoices):
    """The events the core itself records (registered in ``selec.core.apps``)."""

    REQUEST_REFUSED = "request.refused", _("Request refused")
