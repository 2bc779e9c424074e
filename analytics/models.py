"""Yearly exchange statistics, computed from exchange metadata only (never content).

``ExchangeStatistic`` is the materialised table the published tables are read from: one row per
combination of the keys below, with the number of exchanges. It holds two grains, told apart by
``recipient_party``:

- ``recipient_party`` is NULL: every exchange counted once, whatever its number of recipients
  (totals per channel, per crime area, per task force, sent per party);
- ``recipient_party`` is set: every (exchange, receiving party) pair counted once (received
  per party), several agencies of one party counting as one.

The rows are computed per year by ``analytics.services.statistics_compute`` from two sources:
the live exchanges and the ``ImportedExchange`` rows of historical logs (``ExchangeImport``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AnalyticsAuditEvent(models.TextChoices):
    """The audit events of statistics (registered in ``analytics.apps``)."""

    STATISTICS_CONSULTED = "statistics.consulted", _("Statistics consulted")
    STATISTICS_EXPORTED = "statistics.exported", _("Statistics exported")
    STATISTICS_COMPUTATION_REQUESTED = (
        "statistics.computation_requested",
        _("Statistics computation requested"),
    )
    EXCHANGE_LOG_IMPORTED = "exchange_log.imported", _("Exchange log imported")


class Channel(models.TextChoices):
    MEMBERS_DAILY = "members_daily", _("Among members: daily exchanges")
    REGIONAL_OPERATIONS = "regional_operations", _("Among members: regional operations")
    MEMBERS_OBSERVERS = "members_observers", _("Between members and observers: daily exchanges")


class StatisticKind(models.TextChoices):
    REQUEST = "request", _("Requests")
    INFORMATION = "information", _("Information exchanges")


class ExchangeStatistic(models.Model):
    year = models.PositiveSmallIntegerField()
    crime_area = models.ForeignKey(
        "taskforces.CrimeArea", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=StatisticKind.choices)
    channel = models.CharField(max_length=24, choices=Channel.choices)
    sender_party = models.ForeignKey("partners.Party", on_delete=models.PROTECT, related_name="+")
    # Whether the sender party was a member state at the exchange's date ("initiated by
    # member countries").
    sender_is_member = models.BooleanField()
    recipient_party = models.ForeignKey(
        "partners.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    task_force = models.ForeignKey(
        "taskforces.TaskForce", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exchanges = models.PositiveIntegerField()

    class Meta:
        constraints = [
            # One row per combination: a recomputation replaces rows, never adds beside them.
            models.UniqueConstraint(
                fields=[
                    "year",
                    "crime_area",
                    "kind",
                    "channel",
                    "sender_party",
                    "sender_is_member",
                    "recipient_party",
                    "task_force",
                ],
                name="one_statistic_per_combination",
                nulls_distinct=False,
            )
        ]
        indexes = [
            # The once-per-exchange grain (no recipient party), which most tables sum over a
            # few years, read from the index alone: about a tenth of the rows, and the
            # combination index above would walk every row of those years to find them
            # (the five tables that read it, at a million exchanges: 107 -> 37 ms of SQL).
            models.Index(
                fields=["year"],
                include=[
                    "channel",
                    "kind",
                    "crime_area",
                    "sender_party",
                    "sender_is_member",
                    "task_force",
                    "exchanges",
                ],
                condition=models.Q(recipient_party__isnull=True),
                name="statistic_once_per_exchange",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.channel} {self.kind}: {self.exchanges}"


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class StatisticsRun(models.Model):
    """The latest computation of one year's statistics: what the analytics page shows as
    progress and as the time of the last computation."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    state = models.CharField(max_length=8, choices=RunState.choices, default=RunState.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the rows now in ExchangeStatistic for this year were computed (kept through a
    # failed or running recomputation, which leaves the previous rows in place).
    computed_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    exchanges = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"statistics {self.year}: {self.state}"


class ImportedChannel(models.TextChoices):
    DAILY = "daily", _("Daily exchange")
    REGIONAL_OPERATION = "regional_operation", _("Regional operation")


class ExchangeImport(models.Model):
    """One imported historical exchange log. A file (by its SHA-256) is imported once."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    rows = models.PositiveIntegerField()
    # The years the log covers: the statistics to recompute.
    years = ArrayField(models.PositiveSmallIntegerField())
    imported_at = models.DateTimeField()
    # None: imported from the command line.
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows} exchanges)"


class RecipientSet(models.Model):
    """The recipient parties of imported exchanges, each distinct set stored once: the yearly
    computation groups the exchanges by this id (an integer) before it looks at the parties."""

    # Distinct party ids, ascending.
    party_ids = ArrayField(models.BigIntegerField(), unique=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(party_ids__len__gt=0), name="recipient_set_is_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"parties {self.party_ids}"


class ImportedExchange(models.Model):
    """An exchange of a log kept before the system existed: metadata only, at party level.

    The foreign keys carry no index of their own: the rows are written by COPY in bulk and read
    by date only, through the covering index. The party ids of a RecipientSet have no foreign
    key; parties are never deleted (their admin offers no deletion, other rows protect them).
    """

    batch = models.ForeignKey(
        ExchangeImport, on_delete=models.PROTECT, related_name="exchanges", db_index=False
    )
    date = models.DateField()
    sender_party = models.ForeignKey(
        "partners.Party", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Never including the sender.
    recipients = models.ForeignKey(
        RecipientSet, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=12, choices=StatisticKind.choices)
    crime_area = models.ForeignKey(
        "taskforces.CrimeArea", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Not in the logs: the task force that follows the crime area, set on import.
    task_force = models.ForeignKey(
        "taskforces.TaskForce",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    channel = models.CharField(max_length=20, choices=ImportedChannel.choices)

    class Meta:
        indexes = [
            # Covers the yearly computation: a range of dates, every column it groups by.
            models.Index(
                fields=["date"],
                include=[
                    "sender_party",
                    "recipients",
                    "kind",
                    "crime_area",
                    "task_force",
                    "channel",
                ],
                name="imported_exchange_by_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} from party {self.sender_party_id}"
