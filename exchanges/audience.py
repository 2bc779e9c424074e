"""Who will see an exchange before it is sent: the compose page's "Who will see this" panel.

The answer comes from the policy itself (``exchanges.policy.grants_for`` and
``check_addressees``) over the agencies the officer has chosen, so the panel cannot disagree with
what the send will store. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from exchanges import policy
from exchanges.facts import agency_facts
from exchanges.policy import Perm, Principal
from partners.models import Agency, Officer, Party, PartyStatus
from selec.core.policy_values import PolicyError, Restrictions

# What each object permission lets its holder do, in the order the panel lists them: verbs
# completing "may ..." (the context keeps "read" apart from the receipt state "read").
ABILITIES = {
    Perm.VIEW: pgettext_lazy("ability: may ...", "read"),
    Perm.REPLY: pgettext_lazy("ability: may ...", "reply"),
    Perm.FORWARD: pgettext_lazy("ability: may ...", "forward"),
    Perm.REQUEST_DISSEMINATION: _("ask you to lift a restriction"),
    Perm.MANAGE: _("change the restrictions and decide requests"),
    Perm.EXPORT_EVIDENCE: _("export as evidence"),
}


@dataclass(frozen=True)
class AudienceLine:
    """One agency (or National Focal Point) and what it may do; or why it would be refused."""

    name: str
    abilities: str = ""
    refusal: str = ""
    is_sender: bool = False
    is_nfp: bool = False

    @property
    def refused(self) -> bool:
        return bool(self.refusal)


def sender_agency(officer: Officer) -> Agency:
    """The officer's agency with its party (one query). The pages ask only for an officer of an
    agency; anyone else is refused."""
    if officer.agency_id is None:
        raise PermissionDenied(gettext("Only officers of an agency send exchanges."))
    return Agency.objects.select_related("party").get(pk=officer.agency_id)


def addressable_agencies(sender: Agency) -> QuerySet[Agency]:
    """The agencies an officer may choose as recipients: every agency but their own, those
    closed and those of parties that no longer take part, grouped by party (one query)."""
    return (
        Agency.objects.select_related("party")
        .exclude(pk=sender.pk)
        .exclude(party__status=PartyStatus.FORMER)
        .filter(closed_at__isnull=True)
        .order_by("party__name", "-is_national_focal_point", "name")
    )


def _abilities(perms: Iterable[Perm]) -> str:
    held = set(perms)
    return ", ".join(str(words) for perm, words in ABILITIES.items() if perm in held)


def audience_for(
    *,
    sender_agency: Agency,
    recipient_agencies: Sequence[Agency],
    restrictions: Restrictions,
    personal_data: bool,
) -> list[AudienceLine]:
    """The agencies and National Focal Points that would hold the exchange, with what each may do,
    followed by the chosen agencies the rules would refuse (with the rule). Agencies must come
    with their party loaded; no query is made."""
    recipients = [a for a in dict.fromkeys(recipient_agencies) if a.pk != sender_agency.pk]
    facts = policy.ExchangeFacts(
        sender=agency_facts(sender_agency),
        recipients=tuple(agency_facts(a) for a in recipients),
        restrictions=restrictions,
        personal_data=personal_data,
    )
    agencies = {a.pk: a for a in [sender_agency, *recipients]}
    parties = {a.party_id: a.party for a in agencies.values()}
    lines: list[AudienceLine] = []
    for principal, perms in policy.grants_for(facts).items():
        line = _line(principal, perms, agencies, parties, sender_agency)
        if line is not None:
            lines.append(line)
    try:
        policy.check_sender(facts.sender, personal_data=personal_data)
    except PolicyError as exc:
        lines.append(
            AudienceLine(
                name=gettext("%(agency)s (your agency)") % {"agency": sender_agency.name},
                refusal=str(exc),
                is_sender=True,
            )
        )
    for agency, facts_of_agency in zip(recipients, facts.recipients, strict=True):
        try:
            policy.check_addressees((facts_of_agency,), personal_data=personal_data)
        except PolicyError as exc:
            lines.append(AudienceLine(name=agency.name, refusal=str(exc)))
    return lines


def _line(
    principal: Principal,
    perms: frozenset[Perm],
    agencies: dict[int, Agency],
    parties: dict[int, Party],
    sender: Agency,
) -> AudienceLine | None:
    if principal.kind == "nfp":
        party = parties[principal.id]
        # A party without a National Focal Point (observers, partners) has nobody to hold it.
        if not party.nfp_group_id:
            return None
        return AudienceLine(
            name=gettext("National Focal Point of %(party)s") % {"party": party.name},
            abilities=_abilities(perms),
            is_nfp=True,
        )
    agency = agencies[principal.id]
    if agency.pk == sender.pk:
        name = gettext("%(agency)s (your agency)") % {"agency": agency.name}
    else:
        name = agency.name
    return AudienceLine(name=name, abilities=_abilities(perms), is_sender=agency.pk == sender.pk)


def audience_for_officer(
    *,
    sender: Agency,
    addressable: Iterable[Agency],
    chosen_ids: Iterable[int],
    restrictions: Restrictions,
    personal_data: bool,
) -> list[AudienceLine]:
    """``audience_for`` over the chosen ids, looked up among the agencies the officer may address
    (already loaded), so that an id posted by hand reveals nothing about other agencies."""
    by_id = {a.pk: a for a in addressable}
    chosen = [by_id[pk] for pk in dict.fromkeys(chosen_ids) if pk in by_id]
    return audience_for(
        sender_agency=sender,
        recipient_agencies=chosen,
        restrictions=restrictions,
        personal_data=personal_data,
    )
