"""What an erasure covers and who may order it: pure rules over plain facts (no database), asked
by the dry run and the erasure alike (``records.selectors_erasure``, ``records.services_erasure``).

The rules (decided for the retention review, see docs/erasure.md):
1. Only the provider erases: the officers holding MANAGE on the exchange (its sender agency).
   Anybody else, recipients, NFPs, the DPO and admins included, is answered as for an exchange
   that does not exist.
2. Erasing an exchange erases the replies below it in its thread, recursively through
   ``in_reply_to``: a reply answers, and so restates, what it answers. Forwards are receipts of
   the same row and lose the content with it.
3. An erasure empties the texts and removes the entities and attachments (and, through them,
   what was derived from them); it keeps the rows and their metadata, the receipts, the review
   decisions and the audit log, so that the statistics count the same.
4. An exchange already erased is not erased again: the request is refused, clearly.
5. Every agency that holds a copy of an erased exchange is told, by reference only: its
   recipients, and the provider of an erased reply; the erasing agency knows already.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from exchanges.policy import Perm

# The texts an erasure empties, per model (rule 3); the ciphertext of "" replaces each.
EXCHANGE_TEXTS = ("subject", "body", "restriction_text")
DISSEMINATION_TEXTS = ("intended_use", "justification", "decision_note")
FLAG_TEXTS = ("note", "answer")


class AlreadyErased(ValidationError):
    """Rule 4: the exchange's content is gone already; there is nothing left to erase. The
    pages and the API answer it as a conflict (409), not as a mistake in the input."""

    def __init__(self, reference: str, erased_at: dt.datetime) -> None:
        super().__init__(
            _(
                "%(reference)s was erased on %(date)s: its content is gone and it "
                "cannot be erased again."
            )
            % {"reference": reference, "date": f"{erased_at:%Y-%m-%d}"},
            code="already_erased",
        )
        self.reference = reference


def may_erase(perms: frozenset[Perm]) -> bool:
    """Rule 1: the provider's right (MANAGE), which recipients and NFPs never hold."""
    return Perm.MANAGE in perms


def check_erasable(reference: str, erased_at: dt.datetime | None) -> None:
    """Rule 4."""
    if erased_at is not None:
        raise AlreadyErased(reference, erased_at)


def reply_tree(start: int, parent_of: Mapping[int, int | None]) -> list[int]:
    """Rule 2: ``start`` and every exchange answering it, directly or not, given each member
    of the thread's parent (``in_reply_to``); what answers first is listed first (by id, the
    order of sending), each level after the one it answers."""
    children: dict[int, list[int]] = defaultdict(list)
    for member, parent in parent_of.items():
        if parent is not None:
            children[parent].append(member)
    ordered, level = [start], [start]
    while level:
        level = sorted(child for parent in level for child in children.get(parent, ()))
        ordered.extend(level)
    return ordered


def told_of_erasure(
    *, recipient_agency_ids: Iterable[int], provider_agency_id: int, erasing_agency_id: int
) -> frozenset[int]:
    """Rule 5, for one erased exchange: the agencies holding a copy, but the erasing one."""
    holders = {*recipient_agency_ids, provider_agency_id}
    return frozenset(holders - {erasing_agency_id})
