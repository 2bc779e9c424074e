"""What a list (the inbox, the dashboard) shows of each exchange's subject.

A subject lets an officer triage without opening each exchange, but it is content: it is shown
only where the content itself could be read, and showing a page of them is audited
(``exchanges.services.listing``). Two cases withhold it:
- H3: the provider's restriction text must be confirmed before the content is read. Until the
  reader's agency has confirmed the text as it stands now (a provider who changes it asks
  again), the list says the subject is withheld and why.
- Erasure: an exchange whose content was erased under a retention decision has no subject left.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from exchanges import policy
from exchanges.models import Exchange, RestrictionConfirmation
from exchanges.selectors import restriction_digests
from partners.models import Officer


class Withheld(StrEnum):
    NO = ""
    H3_UNCONFIRMED = "h3"
    ERASED = "erased"


@dataclass(frozen=True)
class ListedSubject:
    text: str  # empty when withheld
    withheld: Withheld

    @property
    def shown(self) -> bool:
        return self.withheld == Withheld.NO


def listed_subjects(officer: Officer, exchanges: Sequence[Exchange]) -> dict[int, ListedSubject]:
    """The subject each exchange of a list shows the officer, by exchange id. The exchanges are
    rows the officer may see, loaded with their subject and restriction text. One query (the
    confirmations of the H3 rows), none when the page holds no H3 exchange of another agency."""
    unconfirmed = _h3_unconfirmed_by_agency(officer, exchanges)
    listed = {}
    for exchange in exchanges:
        if exchange.erased_at is not None:
            listed[exchange.pk] = ListedSubject("", Withheld.ERASED)
        elif exchange.pk in unconfirmed:
            listed[exchange.pk] = ListedSubject("", Withheld.H3_UNCONFIRMED)
        else:
            listed[exchange.pk] = ListedSubject(exchange.subject, Withheld.NO)
    return listed


def _h3_unconfirmed_by_agency(officer: Officer, exchanges: Sequence[Exchange]) -> set[int]:
    """The H3 exchanges whose current restriction text no officer of the reader's agency has
    confirmed (an officer of no agency counts alone)."""
    texts = {
        exchange.pk: exchange.restriction_text
        for exchange in exchanges
        if exchange.restriction_text
        and exchange.erased_at is None
        and policy.must_confirm_restriction(
            reader_agency_id=officer.agency_id, sender_agency_id=exchange.sender_agency_id
        )
    }
    if not texts:
        return set()
    confirmations = RestrictionConfirmation.objects.filter(exchange_id__in=texts)
    confirmations = (
        confirmations.filter(officer__agency_id=officer.agency_id)
        if officer.agency_id is not None
        else confirmations.filter(officer=officer)
    )
    digests: dict[int, set[str]] = defaultdict(set)
    for exchange_id, digest in confirmations.values_list("exchange_id", "restriction_digest"):
        digests[exchange_id].add(digest)
    return {
        pk for pk, text in texts.items() if not digests[pk].intersection(restriction_digests(text))
    }
