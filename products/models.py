"""Analytical products: threat assessments, strategic reports and operational analyses.

An analyst of the secretariat drafts a product (its sections of text and its figures, each a
statistics table over chosen years); a second analyst reviews it; once published, its readers
reach it through an object permission (``ProductGroupObjectPermission``, on the groups of the
audience's agencies and of their parties' National Focal Points), decided by
``products.policy`` and stored by ``products.permissions``, as for exchanges and cases.
Sections, figures and versions have no permissions of their own: they are reached through
their product.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from analytics.policy import Table
from cases.policy import STRATEGIC_GROUPINGS
from selec.core.choice_labels import ChoiceLabels
from selec.core.fields import EncryptedJSONField, EncryptedTextField
from selec.core.policy_values import Restrictions


class ProductAuditEvent(models.TextChoices):
    """The audit events of analytical products (registered in ``products.apps``)."""

    DRAFTED = "product.drafted", _("Analytical product drafted")
    EDITED = "product.edited", _("Analytical product edited")
    SUBMITTED = "product.submitted", _("Analytical product submitted for review")
    RETURNED = "product.returned", _("Analytical product returned to its author")
    PUBLISHED = "product.published", _("Analytical product published")
    WITHDRAWN = "product.withdrawn", _("Analytical product withdrawn")
    SUPERSEDED = "product.superseded", _("Analytical product superseded")
    CONSULTED = "product.consulted", _("Analytical product consulted")
    EXPORTED = "product.exported", _("Analytical product exported")


class ProductNotificationKind(models.TextChoices):
    """What officers are notified of about products (registered in ``products.apps``)."""

    PRODUCT_PUBLISHED = "product_published", _("Analytical product published")
    PRODUCT_WITHDRAWN = "product_withdrawn", _("Analytical product withdrawn or superseded")
    PRODUCT_REVIEW = "product_review", _("Analytical product to review")


class ProductKind(models.TextChoices):
    THREAT_ASSESSMENT = "threat_assessment", _("Threat assessment")
    STRATEGIC_REPORT = "strategic_report", _("Strategic report")
    # For one joint investigation or regional operation: its participants only.
    OPERATIONAL_ANALYSIS = "operational_analysis", _("Operational analysis")


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")


class ProductReferenceCounter(models.Model):
    """The last product number handed out in a year (``products.services``)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"products {self.year}: {self.last}"


class Product(ChoiceLabels):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # SELEC-AP-2026-0001: sequential per year.
    reference = models.CharField(_("reference"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=ProductKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    # An operational analysis's title may name its targets: encrypted, as a case's name is.
    title = EncryptedTextField(_("title"), max_length=200, validators=[MaxLengthValidator(200)])
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    crime_areas = models.ManyToManyField("taskforces.CrimeArea", related_name="+", blank=True)
    # The case an operational analysis is about (and only then).
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The agencies it is addressed to; their parties' National Focal Points read it too.
    audience = models.ManyToManyField("partners.Agency", related_name="+", blank=True)
    restrict_evidence = models.BooleanField(
        _("H1: not to be used in judicial proceedings"), default=False
    )
    restrict_dissemination = models.BooleanField(_("H2: not to be disseminated"), default=False)
    restriction_text = EncryptedTextField(_("H3: other restrictions"), blank=True, default="")
    personal_data = models.BooleanField(_("contains personal data"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the reviewer wrote when returning the draft to its author.
    review_note = EncryptedTextField(_("review note"), blank=True, default="")
    # The published product this one replaces once it is published itself.
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revisions"
    )
    withdrawal_reason = EncryptedTextField(_("reason for withdrawal"), blank=True, default="")
    # The number of the latest stored version (``ProductVersion``); 0 before the first.
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)  # withdrawn or superseded

    class Meta:
        ordering = ["-created_at", "-pk"]
        default_permissions = ()
        permissions = [("view_product", "Read the published product")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="product_period_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(kind="operational_analysis", case__isnull=False)
                | (~Q(kind="operational_analysis") & Q(case__isnull=True)),
                name="product_case_iff_operational_analysis",
            ),
        ]
        indexes = [
            models.Index(F("created_at").desc(), F("id").desc(), name="product_newest_first"),
        ]

    def __str__(self) -> str:
        # The reference alone: the title is content.
        return self.reference

    @property
    def restrictions(self) -> Restrictions:
        return Restrictions.of(self)

    @property
    def handling_codes(self) -> list[str]:
        return list(self.restrictions.handling_codes)


class ProductSection(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    heading = EncryptedTextField(_("heading"), max_length=200, validators=[MaxLengthValidator(200)])
    body = EncryptedTextField(_("text"))

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"section {self.position} of product {self.product_id}"


class ResultsFigure(models.TextChoices):
    """A figure of operation results (``cases.results_report``) instead of a statistics table:
    the counts (persons, victims, investigations, information exchanged) or the seizures, in
    separate figures because a chart cannot put kilograms beside persons."""

    COUNTS = "results_counts", _("Operation results: persons, victims and exchanges")
    SEIZURES = "results_seizures", _("Operation results: seizures")


# The groupings a figure of operation results may use: the strategic totals (per series and
# year, per year), which every reader of a product may read, observers included; the figures
# per party or per operation stay in the results report of those allowed to read them.
FIGURE_RESULT_GROUPINGS = STRATEGIC_GROUPINGS


class ProductFigure(models.Model):
    """A statistics table or the operation results over years, shown as a table and a chart
    inside the product: read live while the product is a draft, frozen (``data``) at
    publication with the time the numbers it shows were computed (``data_as_of``)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="figures")
    position = models.PositiveSmallIntegerField()
    table = models.CharField(
        _("table"),
        max_length=24,
        choices=[*((t.value, t.value) for t in Table), *ResultsFigure.choices],
    )
    first_year = models.PositiveSmallIntegerField(_("from"))
    last_year = models.PositiveSmallIntegerField(_("to"))
    # A figure of operation results: its columns (per series and year, or per year), and the
    # one series it is limited to ("Mirage"; empty: every operation).
    grouping = models.CharField(
        _("columns"),
        max_length=16,
        blank=True,
        default="",
        choices=[(b.value, b.value) for b in FIGURE_RESULT_GROUPINGS],
    )
    series = models.CharField(_("operation series"), max_length=60, blank=True, default="")
    caption = models.CharField(_("caption"), max_length=300, blank=True, default="")
    data = models.JSONField(null=True, blank=True)
    data_as_of = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")), name="figure_years_in_order"
            ),
            models.CheckConstraint(
                condition=(
                    Q(table__in=ResultsFigure.values)
                    & Q(grouping__in=[b.value for b in FIGURE_RESULT_GROUPINGS])
                )
                | (~Q(table__in=ResultsFigure.values) & Q(grouping="", series="")),
                name="figure_grouping_iff_results",
            ),
        ]

    def __str__(self) -> str:
        return f"figure {self.position} of product {self.product_id}"

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year, self.last_year + 1))

    @property
    def shows_results(self) -> bool:
        return self.table in ResultsFigure.values


class ProductVersion(models.Model):
    """What the product was at a step of its life (submission, publication): kept, never
    changed, so that what was reviewed and what was published can be read again."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=ProductStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Title, sections and figures (with their numbers) as they were: content, so encrypted.
    snapshot = EncryptedJSONField()

    class Meta:
        ordering = ["product", "number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"version {self.number} of product {self.product_id}"


class ProductGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Product, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


from products.models_questionnaires import (  # noqa: E402, F401
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireAuditEvent,
    QuestionnaireNotificationKind,
    QuestionnaireQuestion,
    QuestionnaireStatus,
)
