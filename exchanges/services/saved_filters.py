"""Saving and deleting an officer's views of the inbox (``SavedInboxFilter``).

A view is the officer's own: nobody else reads or changes it, and another officer's view
answers 404. Saving under a name already used replaces that view (the list keeps one per
name); the number kept is bounded. Each change is audited like the officer's other settings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exchanges.models import ExchangeAuditEvent
from exchanges.models_saved_filters import (
    SAVED_FILTER_NAME_MAX_LENGTH,
    SAVED_FILTERS_PER_OFFICER,
    SavedInboxFilter,
)
from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.models import AuditAction


@transaction.atomic
def inbox_filter_save(*, officer: Officer, name: str, query: str) -> SavedInboxFilter:
    """Save the inbox's filters (``query``: the inbox's own query string, already checked by
    its form) under ``name``, replacing the officer's view of that name if there is one."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if len(name) > SAVED_FILTER_NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "name": ngettext(
                    "A name has at most %(limit)d character.",
                    "A name has at most %(limit)d characters.",
                    SAVED_FILTER_NAME_MAX_LENGTH,
                )
                % {"limit": SAVED_FILTER_NAME_MAX_LENGTH}
            }
        )
    # The officer's row, locked: two saves of one officer at once take turns, so the bound
    # and the one-per-name rule hold (and neither meets the unique constraint as an error).
    Officer.objects.select_for_update().filter(pk=officer.pk).first()
    views = SavedInboxFilter.objects.filter(officer=officer)
    view = views.filter(name=name).first()
    if view is None and views.count() >= SAVED_FILTERS_PER_OFFICER:
        raise ValidationError(
            ngettext(
                "You keep %(limit)d saved view already: delete one first.",
                "You keep %(limit)d saved views already: delete one first.",
                SAVED_FILTERS_PER_OFFICER,
            )
            % {"limit": SAVED_FILTERS_PER_OFFICER}
        )
    now = timezone.now()
    if view is None:
        view = SavedInboxFilter.objects.create(
            officer=officer, name=name, query=query, saved_at=now
        )
    else:
        view.query, view.saved_at = query, now
        view.save(update_fields=["query", "saved_at"])
    audit_record(
        actor=officer,
        action=AuditAction.ALTERATION,
        event=ExchangeAuditEvent.INBOX_FILTER_SAVED,
        target=view,
        reason="inbox view saved",
        details={"name": name, "query": query},
    )
    return view


@transaction.atomic
def inbox_filter_delete(*, officer: Officer, view_id: int) -> None:
    view = SavedInboxFilter.objects.filter(officer=officer, pk=view_id).first()
    if view is None:
        raise Http404("No saved view matches the given query.")
    audit_record(
        actor=officer,
        action=AuditAction.ALTERATION,
        event=ExchangeAuditEvent.INBOX_FILTER_DELETED,
        target=view,
        reason="inbox view deleted",
        details={"name": view.name},
    )
    view.delete()
