"""The one access decision of the oversight tools, for pages and API alike."""

from __future__ import annotations

from django.http import Http404

from oversight.policy import uses_oversight
from partners.models import Officer


def oversees(officer: Officer | None) -> bool:
    """The policy's answer for this officer (anonymous: no)."""
    if officer is None or not officer.is_authenticated:
        return False
    return uses_oversight(role=officer.role, is_active=officer.is_active)


def dpo_or_404(officer: Officer) -> Officer:
    """The officer, when they are the DPO; 404, as for an address that does not exist, to
    anyone else."""
    if not oversees(officer):
        raise Http404("No such page.")
    return officer
