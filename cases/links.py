"""The cases app's side of ``exchanges.case_links``: which cases an exchange may join, and
what the exchanges' policy checks of them. Registered when the app starts (``cases.apps``)."""

from __future__ import annotations

from cases.facts import case_link_facts
from cases.selectors import case_id_for_officer, cases_open_to_officer
from exchanges.case_links import CaseChoice
from exchanges.policy import CaseLinkFacts
from partners.models import Officer


class CaseLinksOfCases:
    def link_facts(self, case_id: int) -> CaseLinkFacts | None:
        return case_link_facts(case_id)

    def open_to(self, officer: Officer) -> list[CaseChoice]:
        return [
            CaseChoice(
                pk=case.pk,
                reference=case.reference,
                label=f"{case.reference} {case.name} ({case.get_kind_display().lower()})",
            )
            for case in cases_open_to_officer(officer)
        ]

    def id_for(self, officer: Officer, reference: str) -> int | None:
        return case_id_for_officer(officer, reference)
