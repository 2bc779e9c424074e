"""Who takes part in hit/no-hit matching and what a hit shows: the one place this is decided.

Pure functions over plain facts, like ``exchanges.policy``, whose personal-data rule they build
on: an entity is personal data, so only what a party that may hold it provided is matched, and a
hit is shown only while both providers may still hold it.
"""

from __future__ import annotations

from exchanges.policy import may_receive_entities
from partners.models import Role


def may_be_matched(party_status: str) -> bool:
    """Only entities a party that may hold personal data provided are matched, and a hit is shown
    only while both providers may still hold it: never to or about an observer (rule 1)."""
    return may_receive_entities(party_status)


def may_search_hits(*, role: str, party_status: str | None) -> bool:
    """A hit/no-hit search is for the officers of an agency (liaison officers and NFP officers)
    whose party may hold personal data; not for observers, nor for the secretariat."""
    return (
        party_status is not None
        and role in (Role.LIAISON_OFFICER, Role.NFP_OFFICER)
        and may_receive_entities(party_status)
    )


def sees_hits(*, role: str, has_agency: bool) -> bool:
    """The hits page: an agency's officers see their agency's hits, the analyst every hit."""
    return has_agency or sees_every_hit(role=role, has_agency=has_agency)


def sees_every_hit(*, role: str, has_agency: bool) -> bool:
    """The SELEC analyst (of the secretariat, no agency) sees every hit and both its sides: the
    H2 notice sends officers to them."""
    return role == Role.ANALYST and not has_agency


def offers_hit_details_request(
    *, other_side_shown: bool, officer_agency_id: int | None, other_agency_id: int
) -> bool:
    """A hit row offers to ask the other provider for the details when the other side is shown
    to an officer of another agency (never to the secretariat, who sends no requests)."""
    return (
        other_side_shown and officer_agency_id is not None and other_agency_id != officer_agency_id
    )


def hit_shows_other_side(*, other_under_h2: bool, viewer_holds_it: bool, analyst: bool) -> bool:
    """Under H2 the other side of a hit is only "a provider", except to whoever may see it
    anyway: the analyst the notice sends officers to, and the officers of its own scope."""
    return analyst or viewer_holds_it or not other_under_h2


def analyst_is_asked_to_act(*, a_under_h2: bool, b_under_h2: bool) -> bool:
    """The analyst is told of a hit when a side is under H2: the other side's notice then names
    no reference and no provider, and sends its officers to the analyst instead."""
    return a_under_h2 or b_under_h2
