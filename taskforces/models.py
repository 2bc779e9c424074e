from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class TaskForceAuditEvent(models.TextChoices):
    """The audit events of crime areas and task forces (registered in ``taskforces.apps``)."""

    MEMBERSHIP_ADDED = "task_force.membership_added", _("Task force membership added")
    REFERENCE_CREATED = "reference_data.created", _("Reference data created")
    REFERENCE_UPDATED = "reference_data.updated", _("Reference data updated")
    REFERENCE_DELETED = "reference_data.deleted", _("Reference data deleted")


class CrimeArea(models.Model):
    """The taxonomy every statistic keys on; the codes are fixed (see reference data)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # How many years after the send an exchange of this area carrying personal data is due for
    # its provider's review; empty: the setting PERSONAL_DATA_REVIEW_YEARS.
    personal_data_review_years = models.PositiveSmallIntegerField(
        _("personal data review (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Empty: the default of the installation (PERSONAL_DATA_REVIEW_YEARS)."),
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (the reference data's names are in the
        catalogues, ``selec.reference``); a name added later is shown as written."""
        return gettext(self.name)


class TaskForce(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    crime_areas = models.ManyToManyField(CrimeArea, related_name="task_forces", blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("task force")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (the reference data's names are in the
        catalogues, ``selec.reference``); a name added later is shown as written."""
        return gettext(self.name)


class SubTaskForce(models.Model):
    task_force = models.ForeignKey(
        TaskForce, on_delete=models.PROTECT, related_name="sub_task_forces"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    coordinator = models.ForeignKey(
        "partners.Party", on_delete=models.PROTECT, related_name="coordinated_sub_task_forces"
    )
    crime_area = models.ForeignKey(CrimeArea, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["task_force__position", "name"]
        verbose_name = _("sub-task force")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (the reference data's names are in the
        catalogues, ``selec.reference``); a name added later is shown as written."""
        return gettext(self.name)


class MembershipRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    MEMBER = "member", _("Member")


class TaskForceMembership(models.Model):
    """An officer's seat in a task force, or in one of its sub-task forces."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_force_memberships"
    )
    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="memberships")
    sub_task_force = models.ForeignKey(
        SubTaskForce, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=8, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )

    class Meta:
        ordering = ["task_force__position", "officer__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "task_force", "sub_task_force"],
                nulls_distinct=False,
                name="one_membership_per_seat",
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} in {self.sub_task_force or self.task_force}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        sub_task_force = self.sub_task_force if self.sub_task_force_id else None
        if sub_task_force is not None and sub_task_force.task_force_id != self.task_force_id:
            raise ValidationError(
                {"sub_task_force": _("This sub-task force belongs to another task force.")}
            )
