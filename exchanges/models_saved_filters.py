"""An officer's saved views of the inbox: a name and the filters it applies.

The filters are kept as the inbox's own query string (only the fields the inbox understands,
re-validated when saved), so a saved view opens the very address a bookmark would. They name
no exchange content: kind, priority, states, dates, a reference prefix, a crime area."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SAVED_FILTER_NAME_MAX_LENGTH = 60
# Enough for the officer's daily views; a list to choose from, not an archive.
SAVED_FILTERS_PER_OFFICER = 20


class SavedInboxFilter(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(_("name"), max_length=SAVED_FILTER_NAME_MAX_LENGTH)
    query = models.CharField(_("filters"), max_length=1000)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            # The officer's list is read by this index, in the order of the names.
            models.UniqueConstraint(fields=["officer", "name"], name="one_saved_filter_per_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.officer_id})"
