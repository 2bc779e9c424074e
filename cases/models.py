"""Joint investigations and regional operations. For now the record an exchange can belong to;
meetings, results and their pages come with the cases work."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    JOINT_INVESTIGATION = "joint_investigation", _("Joint investigation")
    REGIONAL_OPERATION = "regional_operation", _("Regional operation")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=CaseKind.choices)
    lead_party = models.ForeignKey(
        "partners.Party", on_delete=models.PROTECT, related_name="led_cases"
    )
    participants = models.ManyToManyField("partners.Party", related_name="cases", blank=True)
    task_force = models.ForeignKey(
        "taskforces.TaskForce", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    crime_area = models.ForeignKey(
        "taskforces.CrimeArea", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )

    class Meta:
        ordering = ["-started_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="case_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name
