"""Joint investigations and regional operations, their operational meetings and results.

A case is protected like an exchange: officers reach it only through an object permission
(``CaseGroupObjectPermission`` for agency and NFP groups, ``CaseUserObjectPermission`` for the
analysts it names), decided by ``cases.policy`` and stored by ``cases.permissions``. Meetings,
attachments and results have no permissions of their own: they are reached through their case.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from selec.core.fields import EncryptedFileField, EncryptedTextField
from selec.core.policy_values import Restrictions


class CaseAuditEvent(models.TextChoices):
    """The audit events of cases (registered in ``cases.apps``)."""

    OPENED = "case.opened", _("Case opened")
    EDITED = "case.edited", _("Case edited")
    STATUS_CHANGED = "case.status_changed", _("Case status changed")
    PARTICIPANTS_INVITED = "case.participants_invited", _("Participants invited")
    CONSULTED = "case.consulted", _("Case consulted")
    MEETING_ADDED = "case.meeting_added", _("Meeting added")
    MEETING_ATTACHMENT_DOWNLOADED = (
        "case.meeting_attachment_downloaded",
        _("Meeting attachment downloaded"),
    )
    RESULT_RECORDED = "case.result_recorded", _("Results recorded")
    RESULTS_REPORT_CONSULTED = "case.results_report_consulted", _("Results report consulted")
    RESULTS_REPORT_EXPORTED = "case.results_report_exported", _("Results report exported")


class CaseNotificationKind(models.TextChoices):
    """What officers are notified of about cases (registered in ``cases.apps``)."""

    CASE_PARTICIPATION = "case_participation", _("Case participation")


class CaseKind(models.TextChoices):
    JOINT_INVESTIGATION = "joint_investigation", _("Joint investigation")
    REGIONAL_OPERATION = "regional_operation", _("Regional operation")


# The letters of each kind in a case's reference (SELEC-JI-2026-0001, SELEC-RO-2026-0001).
REFERENCE_CODES = {CaseKind.JOINT_INVESTIGATION: "JI", CaseKind.REGIONAL_OPERATION: "RO"}


class CaseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    # The day of the coordinated action (arrests, searches, seizures in every country).
    ACTION_DAY = "action_day", _("Action day")
    CLOSED = "closed", _("Closed")


class CaseReferenceCounter(models.Model):
    """The last reference number handed out for a kind of case in a year (see
    ``cases.services.allocate_case_reference``)."""

    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=24, choices=CaseKind.choices)
    last = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "kind"], name="one_case_counter_per_year_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class Case(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=24, unique=True)
    # An operation's name often names its target (a family, a firm, a place): encrypted, so no
    # query orders or searches by it. Lists go by date and reference; searches by reference.
    name = EncryptedTextField(_("name"), max_length=120, validators=[MaxLengthValidator(120)])
    kind = models.CharField(_("kind"), max_length=24, choices=CaseKind.choices)
    # The operation's series ("Mirage": Mirage 2003, Mirage 2004, ...), which the results report
    # compares year by year. A public label the report groups and orders by, so in the clear:
    # never a target's name (that belongs in the encrypted name).
    series = models.CharField(_("operation series"), max_length=60, blank=True, default="")
    lead_party = models.ForeignKey(
        "partners.Party", on_delete=models.PROTECT, related_name="led_cases"
    )
    # The parties taking part (the lead among them); their agencies below.
    participants = models.ManyToManyField("partners.Party", related_name="cases", blank=True)
    agencies = models.ManyToManyField("partners.Agency", related_name="cases", blank=True)
    analysts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="analysed_cases", blank=True
    )
    task_force = models.ForeignKey(
        "taskforces.TaskForce", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    crime_area = models.ForeignKey(
        "taskforces.CrimeArea", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.PLANNED
    )
    description = EncryptedTextField(_("description"), blank=True, default="")
    restrict_evidence = models.BooleanField(
        _("H1: not to be used in judicial proceedings"), default=False
    )
    restrict_dissemination = models.BooleanField(_("H2: not to be disseminated"), default=False)
    # The lead's own words, encrypted as an exchange's H3 text is.
    restriction_text = EncryptedTextField(_("H3: other restrictions"), blank=True, default="")
    personal_data = models.BooleanField(_("carries personal data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-started_on", "-pk"]
        default_permissions = ()
        permissions = [
            ("view_case", "Read the case"),
            ("manage_case", "Edit the case, change its status, invite participants"),
            ("add_meeting_case", "Add operational meetings"),
            ("record_result_case", "Record results"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="case_ends_after_it_starts",
            )
        ]
        indexes = [
            # The lists' order (newest first, the id breaking ties): a page of cases is read
            # through it, wherever the cursor stands, instead of sorting every visible case.
            models.Index(F("started_on").desc(), F("id").desc(), name="case_newest_first"),
            # The results report of one series ("Mirage"), year by year.
            models.Index(fields=["series", "started_on"], name="case_series_year"),
        ]

    def __str__(self) -> str:
        # The reference alone: a case's name is content, and str() ends up in logs, the admin
        # and error pages.
        return self.reference

    @property
    def handling_codes(self) -> list[str]:
        return list(Restrictions.of(self).handling_codes)


class OperationalMeeting(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    held_until = models.DateField(_("until"), null=True, blank=True)
    # Where investigators met may say who is watched where: encrypted.
    place = EncryptedTextField(_("place"), max_length=120, validators=[MaxLengthValidator(120)])
    parties = models.ManyToManyField("partners.Party", related_name="+", blank=True)
    decisions = EncryptedTextField(_("decisions"), blank=True, default="")
    minutes = EncryptedTextField(_("minutes"), blank=True, default="")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(held_until__isnull=True) | Q(held_until__gte=F("held_on")),
                name="meeting_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"meeting #{self.pk} of {self.held_on}"


class MeetingAttachment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(
        OperationalMeeting, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = EncryptedTextField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    # Encrypted, as for exchanges' attachments (see there).
    sha256 = EncryptedTextField()
    # AES-GCM ciphertext of the file, as for exchanges' attachments.
    content = EncryptedFileField()

    def __str__(self) -> str:
        return f"meeting attachment #{self.pk} ({self.content_type}, {self.size} bytes)"


_COUNTS = (
    "persons_arrested",
    "persons_identified",
    "persons_charged",
    "victims_identified",
    "victims_assisted",
    "victims_repatriated",
    "vehicles_seized",
    "persons_convicted",
    "investigations_opened",
)


class Result(models.Model):
    """What one participating party reports of the operation: counts and seizures."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="results")
    party = models.ForeignKey("partners.Party", on_delete=models.PROTECT, related_name="+")
    reported_on = models.DateField(_("reported on"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    persons_arrested = models.PositiveIntegerField(_("persons arrested"), default=0)
    persons_identified = models.PositiveIntegerField(_("persons identified"), default=0)
    persons_charged = models.PositiveIntegerField(_("persons charged"), default=0)
    victims_identified = models.PositiveIntegerField(_("victims identified"), default=0)
    victims_assisted = models.PositiveIntegerField(_("victims assisted"), default=0)
    victims_repatriated = models.PositiveIntegerField(_("victims repatriated"), default=0)
    vehicles_seized = models.PositiveIntegerField(_("vehicles seized"), default=0)
    persons_convicted = models.PositiveIntegerField(_("persons convicted"), default=0)
    investigations_opened = models.PositiveIntegerField(_("investigations opened"), default=0)

    COUNTS = _COUNTS

    class Meta:
        ordering = ["reported_on", "pk"]
        indexes = [models.Index(fields=["case", "party"], name="result_by_case_party")]
        constraints = [
            models.CheckConstraint(condition=Q(**{f"{name}__gte": 0}), name=f"result_{name}_gte_0")
            for name in _COUNTS
        ]

    def __str__(self) -> str:
        return f"result of party {self.party_id} on {self.reported_on}"


class SeizureItem(models.TextChoices):
    HEROIN = "heroin", _("Heroin")
    COCAINE = "cocaine", _("Cocaine")
    CANNABIS = "cannabis", _("Cannabis / marijuana")
    AMPHETAMINES = "amphetamines", _("Amphetamines")
    SYNTHETIC_DRUGS = "synthetic_drugs", _("Synthetic drugs")
    PRECURSORS = "precursors", _("Precursors")
    CIGARETTES = "cigarettes", _("Cigarettes")
    ALCOHOL = "alcohol", _("Alcohol")
    COUNTERFEIT_BANKNOTES = "counterfeit_banknotes", _("Counterfeit banknotes")
    FIREARMS = "firearms", _("Firearms")
    AMMUNITION = "ammunition", _("Ammunition")
    EXPLOSIVES = "explosives", _("Explosives")
    VEHICLES = "vehicles", _("Vehicles")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class SeizureUnit(models.TextChoices):
    KG = "kg", _("kg")
    TABLETS = "tablets", _("tablets")
    PIECES = "pieces", _("pieces")
    UNITS = "units", _("units")
    LITRES = "litres", _("litres")
    VEHICLES = "vehicles", _("vehicles")
    # An amount of money, in the ISO 4217 currency of the seizure's ``currency``.
    CURRENCY = "currency", _("currency amount")


class Seizure(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="seizures")
    item = models.CharField(_("item"), max_length=24, choices=SeizureItem.choices)
    description = EncryptedTextField(_("description"), blank=True, default="")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=8, choices=SeizureUnit.choices)
    # The ISO 4217 code of an amount of money (unit "currency"); empty for every other unit.
    currency = models.CharField(_("currency"), max_length=3, blank=True, default="")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="seizure_quantity_positive"),
            models.CheckConstraint(
                condition=(Q(unit=SeizureUnit.CURRENCY) & Q(currency__regex=r"^[A-Z]{3}$"))
                | (~Q(unit=SeizureUnit.CURRENCY) & Q(currency="")),
                name="seizure_currency_with_its_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.currency or self.unit} of {self.item}"


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class CaseUserObjectPermission(UserObjectPermissionBase):
    # The analysts a case names hold their permissions personally: they have no agency group.
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False
