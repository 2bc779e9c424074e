"""The access decisions of data subject requests, for pages and API alike: the DPO's side and
the provider's side, each answering 404 to anybody else (``subjects.policy`` decides)."""

from __future__ import annotations

from django.http import Http404

from partners.models import Officer
from subjects.policy import answers_subject_requests, handles_subject_requests


def handles(officer: Officer | None) -> bool:
    """Whether the officer is the DPO who handles the requests (anonymous: no)."""
    if officer is None or not officer.is_authenticated:
        return False
    return handles_subject_requests(role=officer.role, is_active=officer.is_active)


def answers(officer: Officer | None) -> bool:
    """Whether the officer answers their agency's items (the provider's queue)."""
    if officer is None or not officer.is_authenticated:
        return False
    return answers_subject_requests(
        has_agency=officer.agency_id is not None,
        is_active=officer.is_active,
        awaits_confirmation=officer.awaits_confirmation,
    )


def dpo_or_404(officer: Officer) -> Officer:
    """The officer, when they are the DPO; 404, as for an address that does not exist, to
    anyone else."""
    if not handles(officer):
        raise Http404("No such page.")
    return officer


def provider_or_404(officer: Officer) -> int:
    """The agency whose queue the officer answers; 404 to anyone without one."""
    if not answers(officer) or officer.agency_id is None:
        raise Http404("No such page.")
    return officer.agency_id
