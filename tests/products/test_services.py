"""The products' life: drafting, review by a second analyst, publication to an audience
checked as an exchange's, withdrawal and supersession told to the readers; every step
audited, versions kept, figures frozen at publication."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from analytics.models import ExchangeStatistic
from cases.models import CaseKind
from products.models import ProductAuditEvent, ProductKind, ProductStatus
from products.selectors import product_get_for_officer, product_page, products_visible_to
from products.services import (
    product_publish,
    product_read,
    product_return,
    product_revise,
    product_submit,
    product_withdraw,
)
from selec.core.models import AuditEvent, Notification
from tests.analytics.statistics_rows import exchange, no_statistics, store  # noqa: F401
from tests.cases.scenario import open_case, second_analyst
from tests.products.scenario import add_figure, draft, published


def events_of(product) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="products.product", object_id=str(product.pk))
        .order_by("pk")
        .values_list("event", flat=True)
    )


def test_a_product_is_published_after_review_by_a_second_analyst(analyst, lo_bg, nfp_bg, outsider):
    reviewer = second_analyst()
    product = draft(analyst, "Bulgarian Police")
    assert product.reference.startswith("SELEC-AP-")
    product_submit(officer=analyst, product=product)
    with pytest.raises(PermissionDenied, match="cannot review their own"):
        product_publish(officer=analyst, product=product)
    product_publish(officer=reviewer, product=product)
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED
    assert product.reviewer == reviewer
    assert list(product.versions.values_list("number", "status")) == [
        (1, ProductStatus.IN_REVIEW),
        (2, ProductStatus.PUBLISHED),
    ]
    assert events_of(product) == [
        ProductAuditEvent.DRAFTED,
        ProductAuditEvent.EDITED,  # its section
        ProductAuditEvent.SUBMITTED,
        ProductAuditEvent.PUBLISHED,
    ]
    # Its readers: the agency of the audience and its party's NFP; nobody else.
    assert product_get_for_officer(lo_bg, reference=product.reference) == product
    assert product_get_for_officer(nfp_bg, reference=product.reference) == product
    with pytest.raises(Http404):
        product_get_for_officer(outsider, reference=product.reference)
    assert Notification.objects.filter(officer=lo_bg, link=f"/products/{product.reference}/")


def test_nobody_but_analysts_sees_a_draft_or_a_product_in_review(analyst, lo_bg):
    product = draft(analyst, "Bulgarian Police")
    assert not products_visible_to(lo_bg).filter(pk=product.pk).exists()
    product_submit(officer=analyst, product=product)
    assert not products_visible_to(lo_bg).filter(pk=product.pk).exists()
    assert products_visible_to(second_analyst()).filter(pk=product.pk).exists()


def test_a_reviewer_returns_the_draft_to_its_author_who_alone_submits_it_again(analyst):
    reviewer = second_analyst()
    product = draft(analyst, "Bulgarian Police")
    product_submit(officer=analyst, product=product)
    with pytest.raises(ValidationError):
        product_return(officer=reviewer, product=product, note=" ")
    product_return(officer=reviewer, product=product, note="Add the 2008 seizures.")
    product.refresh_from_db()
    assert (product.status, product.review_note) == (ProductStatus.DRAFT, "Add the 2008 seizures.")
    with pytest.raises(PermissionDenied, match="Only the author"):
        product_submit(officer=reviewer, product=product)
    product_submit(officer=analyst, product=product)
    assert ProductAuditEvent.RETURNED in events_of(product)


def test_personal_data_never_reaches_an_observer(analyst, obs_at):
    """Rule 1, as for an exchange: the publication is refused, naming the observer."""
    reviewer = second_analyst()
    product = draft(analyst, "Romanian Police", "Police of Austria", personal=True)
    product_submit(officer=analyst, product=product)
    with pytest.raises(ValidationError) as refused:
        product_publish(officer=reviewer, product=product)
    assert "Police of Austria (AT)" in str(refused.value.message_dict["audience"])
    product.refresh_from_db()
    assert product.status == ProductStatus.IN_REVIEW
    assert not products_visible_to(obs_at).exists()


def test_an_observer_reads_a_strategic_product_without_personal_data(analyst, obs_at):
    product = published(analyst, second_analyst(), "Romanian Police", "Police of Austria")
    assert product_get_for_officer(obs_at, reference=product.reference) == product


def test_an_operational_analysis_goes_only_to_the_case_s_participants(analyst, lo_ro, lo_bg, lo_tr):
    case = open_case(
        lo_ro, "Bulgarian Police", kind=CaseKind.JOINT_INVESTIGATION, analysts=[analyst]
    )
    reviewer = second_analyst()
    outside = draft(
        analyst,
        "Bulgarian Police",
        "Turkish Customs",
        kind=ProductKind.OPERATIONAL_ANALYSIS,
        case=case,
    )
    product_submit(officer=analyst, product=outside)
    with pytest.raises(ValidationError, match=r"Turkish Customs \(TR\) takes no part"):
        product_publish(officer=reviewer, product=outside)

    product = published(
        analyst,
        reviewer,
        "Romanian Police",
        "Bulgarian Police",
        kind=ProductKind.OPERATIONAL_ANALYSIS,
        case=case,
    )
    assert product_get_for_officer(lo_bg, reference=product.reference) == product
    with pytest.raises(Http404):
        product_get_for_officer(lo_tr, reference=product.reference)


def test_an_operational_analysis_is_of_a_case_that_names_its_analyst(analyst, lo_ro):
    case = open_case(lo_ro, "Bulgarian Police", kind=CaseKind.JOINT_INVESTIGATION)
    with pytest.raises(ValidationError, match="case that names you"):
        draft(analyst, "Bulgarian Police", kind=ProductKind.OPERATIONAL_ANALYSIS, case=case)


@pytest.mark.usefixtures("no_statistics")
def test_figures_are_frozen_at_publication_with_the_date_of_their_data(analyst):
    store(exchange(2007, "RO", ["BG"], n=3))
    product = draft(analyst, "Bulgarian Police")
    add_figure(analyst, product)
    product = published_from(analyst, product)
    # The statistics change afterwards: the published numbers do not.
    ExchangeStatistic.objects.filter(year=2007).update(exchanges=8)
    page = product_page(analyst, product)
    (figure,) = page.figures
    assert figure.frozen
    assert figure.table.rows[-1].counts == (0, 3, 0)  # the total row, 2006-2008
    assert product.figures.get().data["years"] == [2006, 2007, 2008]


def published_from(analyst, product):
    product_submit(officer=analyst, product=product)
    return product_publish(officer=second_analyst(), product=product)


def test_a_withdrawal_keeps_the_notice_for_the_readers_and_tells_them(analyst, lo_bg):
    product = published(analyst, second_analyst(), "Bulgarian Police")
    product_withdraw(officer=analyst, product=product, reason="Figures for 2008 were wrong.")
    product.refresh_from_db()
    page = product_page(lo_bg, product_get_for_officer(lo_bg, reference=product.reference))
    assert not page.content
    assert page.sections == []
    assert page.figures == []
    titles = list(Notification.objects.filter(officer=lo_bg).values_list("title", flat=True))
    assert f"Analytical product {product.reference} was withdrawn" in titles
    assert ProductAuditEvent.WITHDRAWN in events_of(product)


def test_a_published_revision_supersedes_the_product_and_tells_its_readers(analyst, lo_bg):
    reviewer = second_analyst()
    first = published(analyst, reviewer, "Bulgarian Police")
    revision = product_revise(officer=analyst, product=first)
    assert revision.status == ProductStatus.DRAFT
    assert revision.supersedes == first
    assert [s.heading for s in revision.sections.all()] == ["Findings"]
    with pytest.raises(PermissionDenied, match="already being written"):
        product_revise(officer=reviewer, product=first)
    product_submit(officer=analyst, product=revision)
    product_publish(officer=reviewer, product=revision)
    first.refresh_from_db()
    assert first.status == ProductStatus.SUPERSEDED
    assert Notification.objects.filter(
        officer=lo_bg,
        title=f"Analytical product {first.reference} is superseded by {revision.reference}",
    ).exists()
    assert ProductAuditEvent.SUPERSEDED in events_of(first)


def test_reading_a_product_is_audited(analyst, lo_bg):
    product = published(analyst, second_analyst(), "Bulgarian Police")
    product_read(officer=lo_bg, product=product)
    product_read(officer=lo_bg, product=product, export_format="pdf")
    read = AuditEvent.objects.filter(actor=lo_bg, object_id=str(product.pk)).order_by("pk")
    assert [(e.action, e.event) for e in read] == [
        ("consultation", ProductAuditEvent.CONSULTED),
        ("export", ProductAuditEvent.EXPORTED),
    ]
