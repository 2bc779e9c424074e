"""Writes to analytical products: one use case per function, one transaction, one audit event.

Who may do what is decided by ``products.policy``; every step that changes who holds a product
(publication, withdrawal, supersession) stores the grants again with
``product_permissions_sync``. Reading a product is audited here too: the page as a
consultation, the PDF and the XLSX as exports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from analytics.policy import Table
from analytics.tables import MAX_YEAR, MAX_YEARS, MIN_YEAR, RANGE_TABLES
from cases.models import Case
from cases.policy import ReportBy
from cases.selectors import cases_visible_to
from partners.models import Agency, Officer
from products import policy
from products.facts import product_facts
from products.figures import freeze, frozen, live_table
from products.models import (
    FIGURE_RESULT_GROUPINGS,
    Product,
    ProductAuditEvent,
    ProductFigure,
    ProductKind,
    ProductNotificationKind,
    ProductReferenceCounter,
    ProductSection,
    ProductStatus,
    ProductVersion,
    ResultsFigure,
)
from products.permissions import product_permissions_sync
from products.selectors import product_readers
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.notifications import notify_officers
from selec.core.policy_values import PolicyError, Restrictions
from selec.core.service_helpers import counter_next, max_length_of, refused_as
from taskforces.models import CrimeArea


@dataclass(frozen=True)
class ProductDetails:
    """What the author writes about a product: shared by drafting and editing it."""

    title: str
    period_start: dt.date
    period_end: dt.date
    crime_area_ids: Sequence[int] = ()
    audience_ids: Sequence[int] = ()
    restrictions: Restrictions = field(default_factory=Restrictions)
    personal_data: bool = False


_SERIES_MAX = max_length_of(ProductFigure, "series")


def allocate_product_reference(year: int) -> str:
    """The next ``SELEC-AP-YYYY-NNNN``, consecutive and never repeated."""
    return f"SELEC-AP-{year}-{counter_next(ProductReferenceCounter, year=year):04d}"


def _refused(exc: PolicyError) -> ValidationError | PermissionDenied:
    """A refusal of an input (it names a field) is a validation error; of the act, a 403."""
    if exc.field:
        return ValidationError({exc.field: [str(exc)]})
    return PermissionDenied(str(exc))


def _locked(product: Product) -> Product:
    return Product.objects.select_for_update(of=("self",)).get(pk=product.pk)


def _audit(
    officer: Officer | None,
    product: Product,
    event: ProductAuditEvent,
    action: AuditAction,
    reason: str,
    justification: str = "",
    **details: Any,
) -> int:
    return audit_record(
        actor=officer,
        action=action,
        event=event,
        target=product,
        reason=reason,
        details={"reference": product.reference, "status": product.status, **details},
        justification=justification,
    ).pk


def _apply_details(product: Product, details: ProductDetails) -> None:
    errors: dict[str, list[str]] = {}
    title = details.title.strip()
    if not title:
        errors["title"] = [_("Give the product a title.")]
    elif len(title) > 200:
        errors["title"] = [_("A title has at most 200 characters.")]
    try:
        policy.check_period(details.period_start, details.period_end)
    except PolicyError as exc:
        errors[exc.field] = [str(exc)]
    areas = set(details.crime_area_ids)
    if CrimeArea.objects.filter(pk__in=areas).count() != len(areas):
        errors["crime_areas"] = [_("Choose crime areas from the list.")]
    audience = set(details.audience_ids)
    if Agency.objects.filter(pk__in=audience).count() != len(audience):
        errors["audience"] = [_("Choose agencies from the list.")]
    if errors:
        raise ValidationError(errors)
    product.title = title
    product.period_start = details.period_start
    product.period_end = details.period_end
    product.restrict_evidence = details.restrictions.evidence
    product.restrict_dissemination = details.restrictions.dissemination
    product.restriction_text = details.restrictions.text
    product.personal_data = details.personal_data


@transaction.atomic
def product_draft(
    *, officer: Officer, kind: str, details: ProductDetails, case: Case | None = None
) -> Product:
    """An analyst starts a product. An operational analysis names a case the analyst sees."""
    if not policy.works_on_products(role=officer.role):
        raise PermissionDenied(_("Only analysts draft analytical products."))
    if kind not in ProductKind.values:
        raise ValidationError({"kind": [_("Choose the kind of product.")]})
    if kind == ProductKind.OPERATIONAL_ANALYSIS:
        if case is None or not cases_visible_to(officer).filter(pk=case.pk).exists():
            raise ValidationError(
                {"case": [_("An operational analysis is about a case that names you.")]}
            )
    else:
        case = None
    product = Product(kind=kind, author=officer, case=case)
    _apply_details(product, details)
    product.reference = allocate_product_reference(timezone.localdate().year)
    product.full_clean(exclude=["audience", "crime_areas"])
    product.save()
    product.crime_areas.set(details.crime_area_ids)
    product.audience.set(details.audience_ids)
    _audit(officer, product, ProductAuditEvent.DRAFTED, AuditAction.COLLECTION, "drafted")
    return product


@transaction.atomic
def product_edit(*, officer: Officer, product: Product, details: ProductDetails) -> Product:
    product = _locked(product)
    try:
        policy.check_edit(status=product.status, author_id=product.author_id, officer_id=officer.pk)
    except PolicyError as exc:
        raise _refused(exc) from exc
    _apply_details(product, details)
    product.save()
    product.crime_areas.set(details.crime_area_ids)
    product.audience.set(details.audience_ids)
    _audit(officer, product, ProductAuditEvent.EDITED, AuditAction.ALTERATION, "edited")
    return product


def _editable(officer: Officer, product: Product) -> Product:
    product = _locked(product)
    try:
        policy.check_edit(status=product.status, author_id=product.author_id, officer_id=officer.pk)
    except PolicyError as exc:
        raise _refused(exc) from exc
    return product


@transaction.atomic
def product_section_save(
    *, officer: Officer, product: Product, heading: str, body: str, section_id: int | None = None
) -> ProductSection:
    """Add a section at the end, or change one (``section_id``)."""
    product = _editable(officer, product)
    heading, body = heading.strip(), body.replace("\r\n", "\n").strip()
    errors = {}
    if not heading or len(heading) > 200:
        errors["heading"] = [_("A heading has 1 to 200 characters.")]
    if not body:
        errors["body"] = [_("Write the section's text.")]
    if errors:
        raise ValidationError(errors)
    if section_id is None:
        last = product.sections.order_by("-position").values_list("position", flat=True).first()
        section = ProductSection(product=product, position=(last or 0) + 1)
    else:
        found = product.sections.filter(pk=section_id).first()
        if found is None:
            raise ValidationError({"section": [_("No such section in this product.")]})
        section = found
    section.heading, section.body = heading, body
    section.save()
    _audit(
        officer,
        product,
        ProductAuditEvent.EDITED,
        AuditAction.ALTERATION,
        "section saved",
        section=section.position,
    )
    return section


@transaction.atomic
def product_section_remove(*, officer: Officer, product: Product, section_id: int) -> None:
    product = _editable(officer, product)
    deleted, _rows = product.sections.filter(pk=section_id).delete()
    if deleted:
        _audit(
            officer, product, ProductAuditEvent.EDITED, AuditAction.ALTERATION, "section removed"
        )


@transaction.atomic
def product_figure_add(
    *,
    officer: Officer,
    product: Product,
    table: str,
    first_year: int,
    last_year: int,
    grouping: str = "",
    series: str = "",
    caption: str = "",
) -> ProductFigure:
    """A statistics table or the operation results over years, as a figure (a one-year table
    takes the last year; the operation results' totals are per series and year unless
    ``grouping`` says per year)."""
    product = _editable(officer, product)
    results = table in ResultsFigure.values
    if not results and table not in RANGE_TABLES:
        first_year = last_year  # a one-year table describes the last year chosen
    # The operation results' columns and series; a statistics table has neither.
    grouping = (grouping or ReportBy.SERIES) if results else ""
    series = " ".join(series.split()) if results else ""
    errors: dict[str, list[str]] = {}
    if table not in {t.value for t in Table} and not results:
        errors["table"] = [_("Choose a statistics table or the operation results.")]
    if results and grouping not in FIGURE_RESULT_GROUPINGS:
        errors["grouping"] = [
            _("A product shows the totals per series and year, or per year, of the operations.")
        ]
    if len(series) > _SERIES_MAX:
        errors["series"] = [_("A series has at most %(max)d characters.") % {"max": _SERIES_MAX}]
    if not (MIN_YEAR <= first_year <= MAX_YEAR and MIN_YEAR <= last_year <= MAX_YEAR):
        errors["first_year"] = [
            _("Choose years from %(first)d to %(last)d.") % {"first": MIN_YEAR, "last": MAX_YEAR}
        ]
    elif last_year < first_year or last_year - first_year + 1 > MAX_YEARS:
        errors["last_year"] = [
            _("The years run forwards, %(max_years)d of them at most.") % {"max_years": MAX_YEARS}
        ]
    if len(caption.strip()) > 300:
        errors["caption"] = [_("A caption has at most 300 characters.")]
    if (
        not errors
        and product.figures.filter(
            table=table,
            first_year=first_year,
            last_year=last_year,
            grouping=grouping,
            series=series,
        ).exists()
    ):
        errors["table"] = [_("This product already shows this table for these years.")]
    if errors:
        raise ValidationError(errors)
    last = product.figures.order_by("-position").values_list("position", flat=True).first()
    figure = ProductFigure.objects.create(
        product=product,
        position=(last or 0) + 1,
        table=table,
        first_year=first_year,
        last_year=last_year,
        grouping=grouping,
        series=series,
        caption=caption.strip(),
    )
    _audit(
        officer,
        product,
        ProductAuditEvent.EDITED,
        AuditAction.ALTERATION,
        "figure added",
        table=table,
        years=[first_year, last_year],
        grouping=grouping,
        series=series,
    )
    return figure


@transaction.atomic
def product_figure_remove(*, officer: Officer, product: Product, figure_id: int) -> None:
    product = _editable(officer, product)
    deleted, _rows = product.figures.filter(pk=figure_id).delete()
    if deleted:
        _audit(officer, product, ProductAuditEvent.EDITED, AuditAction.ALTERATION, "figure removed")


def _snapshot(product: Product, *, figures_frozen: bool) -> dict[str, Any]:
    """The product's content as it is now: its version's record."""
    return {
        "title": product.title,
        "kind": product.kind,
        "period": [product.period_start.isoformat(), product.period_end.isoformat()],
        "handling_codes": product.handling_codes,
        "restriction_text": product.restriction_text,
        "personal_data": product.personal_data,
        "audience": sorted(product.audience.values_list("pk", flat=True)),
        "crime_areas": sorted(product.crime_areas.values_list("code", flat=True)),
        "sections": [{"heading": s.heading, "body": s.body} for s in product.sections.all()],
        "figures": [
            {
                "caption": f.caption,
                "table": f.table,
                "years": [f.first_year, f.last_year],
                "grouping": f.grouping,
                "series": f.series,
                "data": f.data if figures_frozen else frozen(live_table(f)),
                "data_as_of": f.data_as_of.isoformat() if f.data_as_of else None,
            }
            for f in product.figures.all()
        ],
    }


def _keep_version(officer: Officer, product: Product, *, figures_frozen: bool = False) -> int:
    product.version += 1
    ProductVersion.objects.create(
        product=product,
        number=product.version,
        status=product.status,
        created_by=officer,
        # EncryptedJSONField holds a dict: the stubs take its Python type from TextField (str).
        snapshot=_snapshot(product, figures_frozen=figures_frozen),
    )
    return product.version


@transaction.atomic
def product_submit(*, officer: Officer, product: Product) -> Product:
    """The author hands the draft to review; the version reviewed is kept. The other analysts
    are told."""
    product = _locked(product)
    try:
        policy.check_submit(
            status=product.status,
            author_id=product.author_id,
            officer_id=officer.pk,
            has_content=product.sections.exists(),
        )
    except PolicyError as exc:
        raise _refused(exc) from exc
    product.status = ProductStatus.IN_REVIEW
    product.submitted_at = timezone.now()
    product.review_note = ""
    number = _keep_version(officer, product)
    product.save(update_fields=["status", "submitted_at", "review_note", "version"])
    event_id = _audit(
        officer,
        product,
        ProductAuditEvent.SUBMITTED,
        AuditAction.ALTERATION,
        "submitted for review",
        version=number,
    )
    reference = product.reference
    notify_officers(
        officers=Officer.objects.filter(role=officer.role).exclude(pk=officer.pk),
        kind=ProductNotificationKind.PRODUCT_REVIEW,
        title=lambda: (
            _("Analytical product %(reference)s awaits review") % {"reference": reference}
        ),
        link=f"/products/{reference}/",
        object_type="products.product",
        object_id=str(product.pk),
        dedupe_key=f"{ProductNotificationKind.PRODUCT_REVIEW}:audit-event:{event_id}",
    )
    return product


@transaction.atomic
def product_return(*, officer: Officer, product: Product, note: str) -> Product:
    """The reviewer sends the product back to its author, saying why."""
    product = _locked(product)
    try:
        policy.check_review(
            status=product.status,
            author_id=product.author_id,
            officer_id=officer.pk,
            role=officer.role,
        )
    except PolicyError as exc:
        raise _refused(exc) from exc
    if not note.strip():
        raise ValidationError({"note": [_("Say what the author should change.")]})
    product.status = ProductStatus.DRAFT
    product.review_note = note.strip()
    product.reviewer = officer
    product.save(update_fields=["status", "review_note", "reviewer"])
    _audit(
        officer,
        product,
        ProductAuditEvent.RETURNED,
        AuditAction.ALTERATION,
        "returned to its author",
        justification=note,
    )
    return product


def _notify_readers(product: Product, event_id: int, kind: str, title: Any) -> None:
    notify_officers(
        officers=product_readers(product),
        kind=kind,
        title=title,
        link=f"/products/{product.reference}/",
        object_type="products.product",
        object_id=str(product.pk),
        dedupe_key=f"{kind}:audit-event:{event_id}",
    )


@transaction.atomic
def product_publish(*, officer: Officer, product: Product) -> Product:
    """A second analyst publishes the product in review: its audience is checked as an
    exchange's addressees are, its figures frozen, the published version kept, its readers
    given access and told. A revision supersedes the product it replaces, whose readers are
    told too."""
    product = _locked(product)
    try:
        policy.check_review(
            status=product.status,
            author_id=product.author_id,
            officer_id=officer.pk,
            role=officer.role,
        )
    except PolicyError as exc:
        raise _refused(exc) from exc
    with refused_as("audience"):
        policy.check_audience(product_facts(product))
    now = timezone.now()
    # Frozen in the installation's language: the names in a published product are those of
    # the day it was published, whoever opened the page to publish it.
    with translation.override(settings.LANGUAGE_CODE):
        figures = list(product.figures.all())
        for figure in figures:
            freeze(figure)
        ProductFigure.objects.bulk_update(figures, ["data", "data_as_of"])
    product.status = ProductStatus.PUBLISHED
    product.reviewer = officer
    product.published_at = now
    number = _keep_version(officer, product, figures_frozen=True)
    product.save(update_fields=["status", "reviewer", "published_at", "version"])
    product_permissions_sync([product.pk])
    event_id = _audit(
        officer,
        product,
        ProductAuditEvent.PUBLISHED,
        AuditAction.DISCLOSURE,
        "published",
        version=number,
        audience=sorted(product.audience.values_list("pk", flat=True)),
    )
    reference = product.reference
    _notify_readers(
        product,
        event_id,
        ProductNotificationKind.PRODUCT_PUBLISHED,
        lambda: _("Analytical product %(reference)s published to you") % {"reference": reference},
    )
    if product.supersedes_id is not None:
        _supersede(officer, Product.objects.get(pk=product.supersedes_id), by=product)
    return product


def _supersede(officer: Officer, old: Product, *, by: Product) -> None:
    old = _locked(old)
    if old.status != ProductStatus.PUBLISHED:
        return  # withdrawn meanwhile: its readers were told then
    old.status = ProductStatus.SUPERSEDED
    old.ended_at = timezone.now()
    old.save(update_fields=["status", "ended_at"])
    product_permissions_sync([old.pk])
    event_id = _audit(
        officer,
        old,
        ProductAuditEvent.SUPERSEDED,
        AuditAction.ALTERATION,
        "superseded",
        by=by.reference,
    )
    old_reference, new_reference = old.reference, by.reference
    _notify_readers(
        old,
        event_id,
        ProductNotificationKind.PRODUCT_WITHDRAWN,
        lambda: (
            _("Analytical product %(old)s is superseded by %(new)s")
            % {"old": old_reference, "new": new_reference}
        ),
    )


@transaction.atomic
def product_withdraw(*, officer: Officer, product: Product, reason: str) -> Product:
    """An analyst withdraws a published product: its readers keep its notice (with the
    reason), no longer its content, and are told."""
    product = _locked(product)
    try:
        policy.check_withdraw(status=product.status, role=officer.role)
    except PolicyError as exc:
        raise _refused(exc) from exc
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the product is withdrawn.")]})
    product.status = ProductStatus.WITHDRAWN
    product.withdrawal_reason = reason.strip()
    product.ended_at = timezone.now()
    product.save(update_fields=["status", "withdrawal_reason", "ended_at"])
    product_permissions_sync([product.pk])
    event_id = _audit(
        officer, product, ProductAuditEvent.WITHDRAWN, AuditAction.ALTERATION, "withdrawn"
    )
    reference = product.reference
    _notify_readers(
        product,
        event_id,
        ProductNotificationKind.PRODUCT_WITHDRAWN,
        lambda: _("Analytical product %(reference)s was withdrawn") % {"reference": reference},
    )
    return product


@transaction.atomic
def product_revise(*, officer: Officer, product: Product) -> Product:
    """A new draft copying a published product (its details, sections and figures, read live
    again); once published it supersedes the product."""
    product = _locked(product)
    try:
        policy.check_revise(
            status=product.status,
            role=officer.role,
            has_open_revision=product.revisions.filter(
                status__in=(ProductStatus.DRAFT, ProductStatus.IN_REVIEW)
            ).exists(),
        )
    except PolicyError as exc:
        raise _refused(exc) from exc
    revision = Product(
        kind=product.kind,
        author=officer,
        case=product.case,
        title=product.title,
        period_start=product.period_start,
        period_end=product.period_end,
        restrict_evidence=product.restrict_evidence,
        restrict_dissemination=product.restrict_dissemination,
        restriction_text=product.restriction_text,
        personal_data=product.personal_data,
        supersedes=product,
        reference=allocate_product_reference(timezone.localdate().year),
    )
    revision.save()
    revision.crime_areas.set(product.crime_areas.all())
    revision.audience.set(product.audience.all())
    ProductSection.objects.bulk_create(
        ProductSection(product=revision, position=s.position, heading=s.heading, body=s.body)
        for s in product.sections.all()
    )
    ProductFigure.objects.bulk_create(
        ProductFigure(
            product=revision,
            position=f.position,
            table=f.table,
            first_year=f.first_year,
            last_year=f.last_year,
            grouping=f.grouping,
            series=f.series,
            caption=f.caption,
        )
        for f in product.figures.all()
    )
    _audit(
        officer,
        revision,
        ProductAuditEvent.DRAFTED,
        AuditAction.COLLECTION,
        "drafted as a revision",
        supersedes=product.reference,
    )
    return revision


# --- Reads ------------------------------------------------------------------------------------

SCREEN = "html"


@transaction.atomic
def product_read(*, officer: Officer, product: Product, export_format: str = SCREEN) -> None:
    """Write the audit event of a read: the page is a consultation, a file an export. The
    caller has reached the product through ``products.selectors`` (404 otherwise)."""
    screen = export_format == SCREEN
    _audit(
        officer,
        product,
        ProductAuditEvent.CONSULTED if screen else ProductAuditEvent.EXPORTED,
        AuditAction.CONSULTATION if screen else AuditAction.EXPORT,
        "consulted" if screen else "exported",
        format=export_format,
        version=product.version,
    )
