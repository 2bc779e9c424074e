"""The cases an exchange may join, through an interface the exchanges app owns.

Cases sit above exchanges: an exchange names its case (``Exchange.case``), but nothing in
exchanges imports the cases app. The cases app fills in this interface when it starts
(``cases.apps``); the send, the compose page and the API ask it. Without the cases app no
case can be named: ``case_links()`` refuses to answer rather than letting a send skip the
case rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from exchanges.policy import CaseLinkFacts
    from partners.models import Officer


@dataclass(frozen=True)
class CaseChoice:
    """An open case an officer may link an exchange to, as the compose form offers it."""

    pk: int
    reference: str
    label: str  # "SELEC-RO-2026-0001 Balkan route (regional operation)"


class CaseLinks(Protocol):
    def link_facts(self, case_id: int) -> CaseLinkFacts | None:
        """What ``exchanges.policy.check_case`` checks of the case, or None if there is none."""

    def open_to(self, officer: Officer) -> list[CaseChoice]:
        """The open cases the officer may link an exchange to, newest first."""

    def id_for(self, officer: Officer, reference: str) -> int | None:
        """The id of one of those cases, by reference; None for any other reference."""


_LINKS: list[CaseLinks] = []


def register_case_links(links: CaseLinks) -> None:
    """Called by the cases app when it starts (again: replaces)."""
    _LINKS[:] = [links]


def case_links() -> CaseLinks:
    if not _LINKS:
        raise ImproperlyConfigured("The cases app is not installed: no case can be named.")
    return _LINKS[0]
