"""The home page after login: the officer's posting and what waits for their agency."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from exchanges.models import Recipient
from exchanges.selectors_dashboard import WorkList, agency_work
from exchanges.selectors_subjects import ListedSubject
from exchanges.services.listing import subjects_listed
from partners.auth import officer_of
from partners.capabilities import capabilities_for
from partners.policy import administers_directory, sees_country_traffic
from partners.selectors import officer_profile
from taskforces.selectors import memberships_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class WorkSection:
    id: str
    title: StrOrPromise
    explanation: StrOrPromise
    empty: StrOrPromise
    work: WorkList
    inbox_query: str  # the inbox filter that lists all of them
    link_text: StrOrPromise
    # Each receipt of ``work`` with the subject it shows, once the page's subjects are known.
    rows: tuple[tuple[Recipient, ListedSubject], ...] = ()


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    officer = officer_profile(officer_of(request).pk)
    party = officer.party
    work = agency_work(officer)
    sections = []
    if work is not None:
        sections = [
            WorkSection(
                "overdue",
                _("Overdue"),
                _("Requests whose due date has passed without an answer."),
                _("No request is overdue."),
                work.overdue,
                "direction=incoming&overdue=on&sort=due",
                _("All overdue requests"),
            ),
            WorkSection(
                "due-today",
                _("Due today"),
                _("Requests to answer before the end of your day."),
                _("No request is due today."),
                work.due_today,
                "direction=incoming&status=unanswered&due_today=on&sort=due",
                _("All requests due today"),
            ),
            WorkSection(
                "unread",
                _("Unread"),
                _("Received and not yet opened by anyone of the receiving agency."),
                _("Nothing unread."),
                work.unread,
                "direction=incoming&unread=on",
                _("All unread exchanges"),
            ),
            WorkSection(
                "unacknowledged",
                _("Awaiting acknowledgement"),
                _("Received and not yet acknowledged to the sender."),
                _("Nothing awaits acknowledgement."),
                work.unacknowledged,
                "direction=incoming&status=unacknowledged",
                _("All exchanges awaiting acknowledgement"),
            ),
        ]
    if sections:
        # One audited consultation for every subject the page shows, whichever section.
        listed = [receipt.exchange for section in sections for receipt in section.work.receipts]
        subjects = subjects_listed(officer=officer, exchanges=listed, listing="dashboard")
        sections = [
            replace(
                section,
                rows=tuple((r, subjects[r.exchange.pk]) for r in section.work.receipts),
            )
            for section in sections
        ]
    context = {
        "officer": officer,
        "party": party,
        "capabilities": capabilities_for(party.status) if party else None,
        "memberships": memberships_of(officer),
        "nfp": sees_country_traffic(officer.role),
        "sections": sections,
        # Admins are told when background work runs inside the web process.
        "show_eager_notice": settings.CELERY_TASK_ALWAYS_EAGER
        and administers_directory(role=officer.role, is_superuser=officer.is_superuser),
    }
    return render(request, "exchanges/dashboard.html", context)
