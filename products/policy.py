"""Who may do what with an analytical product: the one place this is decided.

Pure functions over plain facts (no database), as ``exchanges.policy`` and ``cases.policy``
are; ``products.facts`` reads the facts, ``products.permissions`` stores ``grants_for``.

The rules:
1. Analysts of the secretariat draft, review and read every product, in any state; nobody
   else sees a draft or a product in review.
2. A published product is read by the agencies of its audience and the National Focal Points
   of their parties, as an exchange by its recipients; a withdrawn one keeps only its notice
   for them (``shows_content``).
3. The audience is checked as an exchange's addressees are (``exchanges.policy.
   check_addressees``): personal data never reaches an observer (rule 1), a party that no
   longer takes part receives nothing. An observer is given only the statistics tables it may
   read itself (``analytics.policy``: the strategic ones). An operational analysis goes only to
   the agencies taking part in its case.
4. A product moves draft -> in review -> published; its author submits it, a second analyst
   (never the author) publishes it or returns it to its author; an analyst withdraws a
   published product, or supersedes it by publishing its revision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from analytics.policy import Table, statistics_access
from exchanges.policy import Principal, check_addressees, may_hold
from partners.models import Role
from products.models import ProductKind, ProductStatus
from selec.core.policy_values import AgencyFacts, PolicyError, permits

__all__ = ["PolicyError", "Principal"]


class ProductPerm(StrEnum):
    VIEW = "view_product"


@dataclass(frozen=True)
class ProductFacts:
    kind: str
    status: str
    # The product's own flag, or (an operational analysis) its case carrying personal data.
    personal_data: bool
    audience: tuple[AgencyFacts, ...]
    # What its figures show: statistics tables (``analytics.policy.Table`` values) and
    # operation results (``products.models.ResultsFigure`` values).
    tables: frozenset[str] = frozenset()
    # An operational analysis: the agencies taking part in its case.
    case_agency_ids: frozenset[int] = frozenset()
    case_reference: str = ""


STATISTICS_TABLES = frozenset(t.value for t in Table)

# The states in which the audience holds the product: published, and after it ended (the
# notice of a withdrawal or of the revision stays where the product was).
HELD_BY_AUDIENCE = frozenset(
    {ProductStatus.PUBLISHED, ProductStatus.WITHDRAWN, ProductStatus.SUPERSEDED}
)


def works_on_products(*, role: str) -> bool:
    """Analysts draft and review products (the menu's entry, the "new product" page)."""
    return role == Role.ANALYST


def sees_every_product(*, role: str) -> bool:
    return role == Role.ANALYST


def reads_products(*, role: str, has_agency: bool) -> bool:
    """The products page: analysts, and officers of an agency (what was published to it)."""
    return role == Role.ANALYST or has_agency


def shows_content(*, status: str, role: str) -> bool:
    """A withdrawn product shows its readers the notice only; analysts keep the content."""
    return sees_every_product(role=role) or status in (
        ProductStatus.PUBLISHED,
        ProductStatus.SUPERSEDED,
    )


def _in_audience(facts: ProductFacts, agency: AgencyFacts) -> bool:
    if facts.kind == ProductKind.OPERATIONAL_ANALYSIS and agency.id not in facts.case_agency_ids:
        return False
    return may_hold(agency, personal_data=facts.personal_data)


def grants_for(facts: ProductFacts) -> dict[Principal, frozenset[ProductPerm]]:
    """Nothing until publication; then each agency of the audience that may hold it (an
    observer loses a product once it carries personal data, a former party everything; an
    agency that left the case of an operational analysis loses it), and the NFP of its party."""
    if facts.status not in HELD_BY_AUDIENCE:
        return {}
    grants: dict[Principal, frozenset[ProductPerm]] = {}
    for agency in facts.audience:
        if _in_audience(facts, agency):
            grants[Principal("agency", agency.id)] = frozenset({ProductPerm.VIEW})
            grants[Principal("nfp", agency.party_id)] = frozenset({ProductPerm.VIEW})
    return grants


def check_audience(facts: ProductFacts) -> None:
    """The audience a product is published to (see rule 3 above), the first offender named."""
    if not facts.audience:
        raise PolicyError(_("Choose the agencies the product is published to."), field="audience")
    # Rule 1 and the parties that no longer take part: the same check as an exchange's send.
    check_addressees(facts.audience, personal_data=facts.personal_data)
    if facts.kind == ProductKind.OPERATIONAL_ANALYSIS:
        for agency in facts.audience:
            if agency.id not in facts.case_agency_ids:
                raise PolicyError(
                    # Translators: %(agency)s is an agency's name, %(party)s its party's code,
                    # %(reference)s a case reference.
                    _(
                        "%(agency)s (%(party)s) takes no part in %(reference)s: an operational "
                        "analysis goes only to the agencies taking part in its case."
                    )
                    % {
                        "agency": agency.name,
                        "party": agency.party_code,
                        "reference": facts.case_reference,
                    },
                    field="audience",
                )
    # A figure of operation results shows the strategic totals (products.models.
    # FIGURE_RESULT_GROUPINGS), which an observer reads itself: only the statistics tables
    # are checked.
    tables = [Table(t) for t in facts.tables if t in STATISTICS_TABLES]
    for agency in facts.audience:
        seen = statistics_access(role=Role.LIAISON_OFFICER, party_status=agency.party_status)
        if seen.tables and not all(seen.sees(t) for t in tables):
            raise PolicyError(
                # Translators: %(agency)s is an agency's name, %(party)s its party's code.
                _(
                    "%(agency)s (%(party)s) belongs to an observer: it receives strategic "
                    "statistics only, and a figure of this product shows the exchanges per "
                    "party."
                )
                % {"agency": agency.name, "party": agency.party_code},
                field="audience",
            )


def check_edit(*, status: str, author_id: int, officer_id: int) -> None:
    """Only a draft changes, and only by its author (a reviewer returns it with a note)."""
    if status != ProductStatus.DRAFT:
        raise PolicyError(
            _("Only a draft is edited: this product is %(status)s.")
            % {"status": ProductStatus(status).label.lower()}
        )
    if author_id != officer_id:
        raise PolicyError(_("Only the author edits a draft."))


def check_submit(*, status: str, author_id: int, officer_id: int, has_content: bool) -> None:
    check_edit(status=status, author_id=author_id, officer_id=officer_id)
    if not has_content:
        raise PolicyError(_("Write at least one section before submitting the product."))


def check_review(*, status: str, author_id: int, officer_id: int, role: str) -> None:
    """A second analyst, never the author, publishes a product in review or returns it."""
    if role != Role.ANALYST:
        raise PolicyError(_("Only an analyst reviews an analytical product."))
    if status != ProductStatus.IN_REVIEW:
        raise PolicyError(_("Only a product in review is published or returned."))
    if author_id == officer_id:
        raise PolicyError(
            _("The author cannot review their own product: a second analyst reviews it.")
        )


def check_withdraw(*, status: str, role: str) -> None:
    if role != Role.ANALYST:
        raise PolicyError(_("Only an analyst withdraws an analytical product."))
    if status != ProductStatus.PUBLISHED:
        raise PolicyError(_("Only a published product is withdrawn."))


def check_revise(*, status: str, role: str, has_open_revision: bool) -> None:
    if role != Role.ANALYST:
        raise PolicyError(_("Only an analyst revises an analytical product."))
    if status != ProductStatus.PUBLISHED:
        raise PolicyError(_("Only a published product is revised."))
    if has_open_revision:
        raise PolicyError(_("A revision of this product is already being written."))


@dataclass(frozen=True)
class PageOffers:
    """What the product page offers the officer: exactly what the rules above allow, so that
    the page shows no button whose service would refuse it (the services ask again)."""

    edits: bool  # the author's draft: sections, figures, submission
    reviews: bool  # publish it or return it to its author
    withdraws: bool


def page_offers(*, status: str, author_id: int, officer_id: int, role: str) -> PageOffers:
    return PageOffers(
        edits=permits(
            lambda: check_edit(status=status, author_id=author_id, officer_id=officer_id)
        ),
        reviews=permits(
            lambda: check_review(
                status=status, author_id=author_id, officer_id=officer_id, role=role
            )
        ),
        withdraws=permits(lambda: check_withdraw(status=status, role=role)),
    )


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise PolicyError(_("The period ends before it starts."), field="period_end")
