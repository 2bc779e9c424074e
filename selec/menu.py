"""The main menu: which pages the signed-in officer is offered, each asked of the policy that
decides who uses that page (the pages themselves check again). The configuration is the one
place that knows every app, so the menu is drawn from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from analytics.access import statistics_access_for
from cases.policy import works_on_cases
from exchanges.policy import works_with_exchanges
from hits.policy import sees_hits
from oversight.access import oversees
from partners.models import Officer
from partners.policy import offers_access_confirmations
from partners.policy_onboarding import onboards
from products.policy import reads_products
from products.policy_questionnaires import answers_questionnaires
from records.policy import keeps_review_queue
from subjects.policy import answers_subject_requests, handles_subject_requests


@dataclass(frozen=True)
class Menu:
    exchanges: bool  # a new exchange, the dissemination queue
    cases: bool
    hits: bool
    statistics: bool
    products: bool  # analytical products: analysts draft them, agencies read them
    questionnaires: bool  # the threat-assessment questionnaires an NFP answers
    access_confirmations: bool
    onboarding: bool  # the directory administrators' parties, agencies and officers
    records: bool  # the agency's retention review and inaccuracy flags
    subject_queue: bool  # the data subject requests the agency answers
    audit: bool  # the DPO's audit search, access reports, integrity and retention counts
    subject_requests: bool  # the DPO's data subject requests


def menu_for(officer: Officer) -> Menu:
    """No query: the officer is loaded with their agency and party (``partners.auth``)."""
    has_agency = officer.agency_id is not None
    return Menu(
        exchanges=works_with_exchanges(has_agency=has_agency),
        cases=works_on_cases(role=officer.role, has_agency=has_agency),
        hits=sees_hits(role=officer.role, has_agency=has_agency),
        statistics=statistics_access_for(officer).sees_statistics,
        products=reads_products(role=officer.role, has_agency=has_agency),
        questionnaires=answers_questionnaires(
            role=officer.role,
            party_status=officer.agency.party.status if has_agency and officer.agency else None,
        ),
        access_confirmations=offers_access_confirmations(
            has_agency=has_agency, awaits_confirmation=officer.awaits_confirmation
        ),
        onboarding=onboards(
            role=officer.role, is_active=officer.is_active, is_superuser=officer.is_superuser
        ),
        records=keeps_review_queue(has_agency=has_agency, is_active=officer.is_active),
        subject_queue=answers_subject_requests(
            has_agency=has_agency,
            is_active=officer.is_active,
            awaits_confirmation=officer.awaits_confirmation,
        ),
        audit=oversees(officer),
        subject_requests=handles_subject_requests(role=officer.role, is_active=officer.is_active),
    )


def main_menu(request: HttpRequest) -> dict[str, Any]:
    """The menu of a verified officer, worked out only if the page draws it."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_verified()):
        return {}
    return {"menu": SimpleLazyObject(lambda: menu_for(user))}
