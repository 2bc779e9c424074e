"""The compose page's recipient picker: the agencies an officer may address as checkboxes, one
group per party (named with the party's status), and the agencies the officer wrote to last
offered first. It only arranges the choices of the ``recipients`` field
(``exchanges.forms.AudienceFields``): what is posted, and what the send accepts, are the field's
and the service's business.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.models import Agency, Party, PartyStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# How a party's status reads beside its name ("Bulgaria (member)").
STATUS_IN_LABEL: dict[str, StrOrPromise] = {
    PartyStatus.MEMBER: _("member"),
    PartyStatus.OPERATIONAL_PARTNER: _("operational partner"),
    PartyStatus.OBSERVER: _("observer"),
    PartyStatus.FORMER: _("former member"),
}


def party_label(party: Party) -> str:
    """The party's name with its status, as every list of agencies groups them."""
    return gettext("%(party)s (%(status)s)") % {
        "party": party.name,
        "status": STATUS_IN_LABEL.get(party.status, party.get_status_display()),
    }


@dataclass(frozen=True)
class RecipientOption:
    """One agency's checkbox."""

    pk: int
    name: str
    party: str  # the party's label, shown beside a quick pick and matched by the filter
    status: str  # the party's status (a ``PartyStatus`` value), for styling and tests
    checked: bool

    @property
    def search_text(self) -> str:
        """What the filter box matches (compose.js also folds accents away)."""
        return f"{self.name} {self.party}".casefold()


@dataclass(frozen=True)
class RecipientGroup:
    """A fieldset of the picker: the quick picks, or one party's agencies."""

    legend: str
    options: tuple[RecipientOption, ...]
    status: str = ""  # the party's status; empty for the quick picks
    is_recent: bool = False


def chosen_ids(values: Iterable[object] | None) -> set[int]:
    """The agency ids a bound or initial ``recipients`` value holds; anything else is ignored
    (the field itself reports it)."""
    ids: set[int] = set()
    for value in values or ():
        text = str(value)
        if text.isascii() and text.isdigit():
            ids.add(int(text))
    return ids


def recipient_groups(
    agencies: Sequence[Agency], *, recent_ids: Sequence[int], chosen: set[int]
) -> list[RecipientGroup]:
    """The picker's groups: first the recently addressed agencies that are still offered (in
    the order given, newest first), then one group per party in the order the agencies come in.
    An agency appears once: a quick pick is left out of its party's group, so that without
    JavaScript no agency has two boxes that could disagree. Agencies must come with their party
    loaded; no query is made."""
    offered = {agency.pk: agency for agency in agencies}
    recent = [offered[pk] for pk in dict.fromkeys(recent_ids) if pk in offered]
    recent_pks = {agency.pk for agency in recent}
    groups: list[RecipientGroup] = []
    if recent:
        groups.append(
            RecipientGroup(
                legend=gettext("Recently addressed by you"),
                options=tuple(_option(agency, chosen) for agency in recent),
                is_recent=True,
            )
        )
    by_party: dict[int, list[Agency]] = {}
    for agency in agencies:
        if agency.pk not in recent_pks:
            by_party.setdefault(agency.party_id, []).append(agency)
    for members in by_party.values():
        party = members[0].party
        groups.append(
            RecipientGroup(
                legend=party_label(party),
                options=tuple(_option(agency, chosen) for agency in members),
                status=party.status,
            )
        )
    return groups


def _option(agency: Agency, chosen: set[int]) -> RecipientOption:
    return RecipientOption(
        pk=agency.pk,
        name=agency.name,
        party=party_label(agency.party),
        status=agency.party.status,
        checked=agency.pk in chosen,
    )
