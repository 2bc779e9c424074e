"""Who may do what with an exchange: the one place this is decided.

Pure functions over plain facts (no database), so that services, selectors, the browser, the
API and the tests all ask the same question and get the same answer. ``grants_for`` returns
the object permissions each group (agency or National Focal Point) must hold; services store
exactly that with django-guardian and remove anything else.

The rules (DESIGN, section 3):
1. Personal data never reaches an observer: such an exchange cannot be addressed, forwarded or
   disseminated to an observer, and an observer that held it before a downgrade loses it.
2. Only the sender agency, each recipient agency, the NFP of each party involved and the
   agencies a granted dissemination request names (which become recipients) get permissions.
3. Replies inherit the strictest restrictions of what they answer (see ``inherited``).
4. Tightening or a status downgrade changes the facts, and so the grants, at once.
Parties that no longer take part (former members) hold nothing.

Every path that creates an exchange (a send, a case message, a reply) or adds an audience to
one (a forward, a dissemination) passes ``check_audience``, and a change of restrictions is
decided code by code by ``restriction_diff``. What an exchange carrying personal data is
given at its send, the date of its provider's retention review, is ``review_due_on``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from exchanges.models import ExchangeKind
from partners.capabilities import capabilities_for, status_may_hold
from selec.core.policy_values import AgencyFacts, PolicyError, Restrictions


class Perm(StrEnum):
    VIEW = "view_exchange"
    REPLY = "reply_exchange"
    FORWARD = "forward_exchange"
    REQUEST_DISSEMINATION = "request_dissemination_exchange"
    MANAGE = "manage_exchange"
    EXPORT_EVIDENCE = "export_evidence_exchange"


@dataclass(frozen=True)
class ExchangeFacts:
    sender: AgencyFacts
    recipients: tuple[AgencyFacts, ...]
    restrictions: Restrictions
    personal_data: bool
    # Agencies the provider allowed to use the exchange as evidence despite H1.
    evidence_released_to: frozenset[int] = field(default_factory=frozenset)
    # (requesting agency, target agency) pairs the provider allowed to be forwarded despite H2.
    forward_granted: frozenset[tuple[int, int]] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Principal:
    """A group permissions are granted to: an agency's, or the NFP of a party."""

    kind: str  # "agency" | "nfp"
    id: int  # agency id or party id


def may_hold(agency: AgencyFacts, *, personal_data: bool) -> bool:
    return status_may_hold(agency.party_status, personal_data=personal_data)


def check_addressees(addressees: tuple[AgencyFacts, ...], *, personal_data: bool) -> None:
    """Refuse recipients the rules exclude, naming the first offender and the rule."""
    for agency in addressees:
        if agency.closed:
            raise PolicyError(
                # Translators: %(agency)s is an agency's name, %(party)s its party's code.
                _(
                    "%(agency)s (%(party)s) was closed: it receives no more exchanges "
                    "(its National Focal Point sees what was addressed to it)."
                )
                % {"agency": agency.name, "party": agency.party_code},
                field="recipients",
            )
        caps = capabilities_for(agency.party_status)
        if not caps.may_exchange:
            raise PolicyError(
                # Translators: %(agency)s is an agency's name, %(party)s its party's code.
                _(
                    "%(agency)s (%(party)s) cannot receive exchanges: "
                    "its party no longer takes part in SELEC."
                )
                % {"agency": agency.name, "party": agency.party_code},
                field="recipients",
            )
        if personal_data and not caps.may_exchange_personal_data:
            raise PolicyError(
                # Translators: %(agency)s is an agency's name, %(party)s its party's code.
                _(
                    "%(agency)s (%(party)s) belongs to an observer: personal data is never "
                    "sent to observers (rule 1: observers receive strategic information only)."
                )
                % {"agency": agency.name, "party": agency.party_code},
                field="recipients",
            )


def check_sender(sender: AgencyFacts, *, personal_data: bool) -> None:
    caps = capabilities_for(sender.party_status)
    if not caps.may_exchange:
        raise PolicyError(
            # Translators: %(party)s is a party's (country's) code.
            _("%(party)s no longer takes part in SELEC and cannot send exchanges.")
            % {"party": sender.party_code}
        )
    if personal_data and not caps.may_exchange_personal_data:
        raise PolicyError(
            # Translators: %(party)s is a party's (country's) code.
            _(
                "%(party)s is an observer: observers do not send personal data "
                "(rule 1: no personal data comes from or goes to an observer)."
            )
            % {"party": sender.party_code},
            field="personal_data",
        )


def check_audience(
    facts: ExchangeFacts, *, author: AgencyFacts, added: tuple[AgencyFacts, ...]
) -> None:
    """The one rule set of every path that creates an exchange or adds an audience to one.

    ``facts`` are those of the exchange as it would be once the change is stored (a new
    exchange or reply with its addressees; an exchange with the agencies a forward adds),
    ``author`` the agency of the officer acting (the sender of a new exchange or reply, the
    forwarding or requesting agency) and ``added`` the agencies it would reach now.
    - The author's party takes part in SELEC and, for personal data, may hold it: an observer
      never sends personal data, a former member sends nothing (rule 1).
    - Each added agency likewise: personal data never reaches an observer (rule 1).
    - The author keeps sight of what it creates: nothing is stored that its own author could
      not open afterwards (it would answer "not found" to the officer who just wrote it).
    """
    check_sender(author, personal_data=facts.personal_data)
    check_addressees(added, personal_data=facts.personal_data)
    if Perm.VIEW not in grants_for(facts).get(Principal("agency", author.id), frozenset()):
        raise PolicyError(
            # Translators: %(agency)s is an agency's name, %(party)s its party's code.
            _(
                "%(agency)s (%(party)s) could not open this exchange once stored, "
                "so it is not stored."
            )
            % {"agency": author.name, "party": author.party_code}
        )


def acknowledges(
    *, officer_agency: AgencyFacts | None, is_nfp_officer: bool, receipt_agency: AgencyFacts
) -> bool:
    """Whose receipts an officer acknowledges: their agency's; an NFP officer's, those of every
    agency of their party (the NFP reviews its country's incoming traffic)."""
    if officer_agency is None:
        return False
    if is_nfp_officer:
        return receipt_agency.party_id == officer_agency.party_id
    return receipt_agency.id == officer_agency.id


def must_confirm_restriction(*, reader_agency_id: int | None, sender_agency_id: int) -> bool:
    """H3: who confirms the provider's text before reading the content. The provider wrote
    it: only the others confirm it (secretariat staff, of no agency, do)."""
    return reader_agency_id is None or reader_agency_id != sender_agency_id


def works_with_exchanges(*, has_agency: bool) -> bool:
    """Exchanges are sent, forwarded and disseminated by officers of an agency; the
    secretariat (no agency) reads none of them."""
    return has_agency


def may_receive_entities(party_status: str) -> bool:
    """Entities are personal data: an officer of a party that may not hold it never gets them."""
    return capabilities_for(party_status).may_exchange_personal_data


# The messages of a regional operation: they always belong to one.
OPERATION_MESSAGES = frozenset({ExchangeKind.WARNING, ExchangeKind.FEEDBACK, ExchangeKind.SEIZURE})


@dataclass(frozen=True)
class CaseLinkFacts:
    """What the send of an exchange into a case is checked against
    (``check_case``); the cases app gives them (``exchanges.case_links``)."""

    reference: str
    # A regional operation (not a joint investigation): the case kind, as exchanges needs it.
    regional_operation: bool
    closed: bool
    party_ids: frozenset[int]
    # "Police of Austria (AT)": participating agencies and parties of observer status.
    observers: tuple[str, ...]


def check_case(
    sender: AgencyFacts,
    case: CaseLinkFacts | None,
    *,
    kind: str = "",
    personal_data: bool = False,
    requested: bool = True,
) -> None:
    """An exchange joins a case only when the sender's party leads it or takes part in it and
    the case is not closed. Warnings, feedback and seizure reports are the messages of a
    regional operation: they always belong to one. Personal data never joins a case an
    observer takes part in (rule 1). ``requested`` is whether the sender named a case at all;
    ``case`` is None when it named one that does not exist."""
    operation_message = kind in OPERATION_MESSAGES
    if not requested:
        if operation_message:
            raise PolicyError(
                _(
                    "Warnings, feedback and seizure reports belong to a regional operation: "
                    "choose the operation."
                )
            )
        return
    if case is None:
        raise PolicyError(_("No such joint investigation or regional operation."))
    if sender.party_id not in case.party_ids:
        raise PolicyError(
            # Translators: %(party)s is a party's (country's) code.
            _("%(party)s takes no part in this joint investigation or operation.")
            % {"party": sender.party_code}
        )
    if case.closed:
        raise PolicyError(
            # Translators: %(reference)s is a case reference.
            _("%(reference)s is closed: it takes no new exchanges.") % {"reference": case.reference}
        )
    if operation_message and not case.regional_operation:
        raise PolicyError(
            # Translators: %(reference)s is a case reference.
            _(
                "%(reference)s is a joint investigation: warnings, feedback and seizure reports "
                "belong to regional operations."
            )
            % {"reference": case.reference}
        )
    check_personal_data_in_case(case, personal_data=personal_data)


def check_personal_data_in_case(case: CaseLinkFacts | None, *, personal_data: bool) -> None:
    """Personal data never joins a case an observer takes part in (rule 1), whether it comes as
    a new exchange or as a reply in the thread of one already linked."""
    if personal_data and case is not None and case.observers:
        raise PolicyError(
            # Translators: %(observer)s is an agency or party, e.g. "Police of Austria (AT)";
            # %(reference)s is a case reference.
            _(
                "%(observer)s takes part in %(reference)s as an observer: personal data "
                "cannot join this case (rule 1: observers receive strategic information only)."
            )
            % {"observer": case.observers[0], "reference": case.reference},
            field="personal_data",
        )


def grants_for(facts: ExchangeFacts) -> dict[Principal, frozenset[Perm]]:
    grants: dict[Principal, set[Perm]] = {}

    def grant(principal: Principal, *perms: Perm) -> None:
        grants.setdefault(principal, set()).update(perms)

    restrictions = facts.restrictions
    if may_hold(facts.sender, personal_data=facts.personal_data):
        # The provider keeps every right over its own information (it has nothing to ask itself).
        grant(Principal("agency", facts.sender.id), *(set(Perm) - {Perm.REQUEST_DISSEMINATION}))
        grant(Principal("nfp", facts.sender.party_id), Perm.VIEW)
    for agency in facts.recipients:
        if agency.id == facts.sender.id or not may_hold(agency, personal_data=facts.personal_data):
            continue
        grant(Principal("agency", agency.id), Perm.VIEW, Perm.REPLY)
        if not restrictions.dissemination or any(
            a == agency.id for a, _target in facts.forward_granted
        ):
            grant(Principal("agency", agency.id), Perm.FORWARD)
        if restrictions.dissemination or restrictions.evidence:
            grant(Principal("agency", agency.id), Perm.REQUEST_DISSEMINATION)
        if not restrictions.evidence or agency.id in facts.evidence_released_to:
            grant(Principal("agency", agency.id), Perm.EXPORT_EVIDENCE)
        grant(Principal("nfp", agency.party_id), Perm.VIEW)
    return {principal: frozenset(perms) for principal, perms in grants.items()}


def check_content_held(reference: str, *, erased: bool) -> None:
    """An exchange whose content its provider erased holds nothing to forward, export as
    evidence or ask to share further (its thread may still be answered and acknowledged)."""
    if erased:
        raise PolicyError(
            # Translators: %(reference)s is an exchange reference.
            _(
                "The content of %(reference)s was erased by its provider: there is nothing "
                "left to forward, export or share."
            )
            % {"reference": reference}
        )


def check_forward(
    facts: ExchangeFacts, targets: tuple[AgencyFacts, ...], *, by_agency_id: int | None
) -> None:
    """Under H2 a recipient forwards only to the agencies the provider granted it (the provider
    may always share its own information further); an officer of no agency was granted nothing.
    Who may receive it at all is the same question as for a send: ``check_audience``."""
    if facts.restrictions.dissemination and by_agency_id != facts.sender.id:
        for target in targets:
            if (by_agency_id, target.id) not in facts.forward_granted:
                raise PolicyError(
                    # Translators: H2 is a handling code; %(agency)s is an agency's name,
                    # %(party)s its party's code.
                    _(
                        "H2: the provider has not allowed dissemination to %(agency)s "
                        "(%(party)s); file a dissemination request and forward once it is "
                        "granted."
                    )
                    % {"agency": target.name, "party": target.party_code}
                )


def inherited(parent: Restrictions, chosen: Restrictions) -> Restrictions:
    """A reply carries at least the restrictions of what it answers (rule 3)."""
    return parent.tightened_by(chosen)


@dataclass(frozen=True)
class RestrictionDiff:
    """A change of restrictions, code by code. Each code added (H1, H2, a new or changed H3
    text) tightens: it reaches the whole thread at once. Each code removed loosens: the
    provider's alone, on the exchange itself."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    # The H3 text the change sets ("" when it sets none).
    text: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    @property
    def tightening(self) -> Restrictions:
        """What the added codes impose on every message of the thread (the removed ones on
        none: a reply keeps what it inherited until its own provider lifts it)."""
        return Restrictions(
            evidence="H1" in self.added,
            dissemination="H2" in self.added,
            text=self.text if "H3" in self.added else "",
        )


def restriction_diff(current: Restrictions, new: Restrictions) -> RestrictionDiff:
    """The codes ``new`` adds to and removes from ``current``. A changed H3 text is added (the
    readers confirm the new text); an H3 text cleared is removed."""
    added = [c for c in new.codes if c not in current.codes]
    if current.text and new.text and new.text != current.text:
        added.append("H3")
    removed = [c for c in current.codes if c not in new.codes]
    return RestrictionDiff(
        added=tuple(sorted(added)), removed=tuple(sorted(removed)), text=new.text
    )


# --- The retention review date ----------------------------------------------------------------


def date_plus_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def review_years(*, area_years: int | None, default_years: int) -> int:
    """How many years personal data of a crime area is kept before its provider's review: the
    area's own period, else the installation's (``PERSONAL_DATA_REVIEW_YEARS``)."""
    return area_years or default_years


def review_due_on(
    *,
    personal_data: bool,
    sent_on: dt.date,
    area_years: int | None,
    default_years: int,
    root_review_due_on: dt.date | None = None,
) -> dt.date | None:
    """When the provider reviews an exchange it sends (``sent_on``: the send's date in the
    installation's time zone). None without personal data: there is nothing to review. A
    reply follows its thread: it takes the root's current review date when the root has one
    (``root_review_due_on``), so that a thread is reviewed as a whole; else its own."""
    if not personal_data:
        return None
    if root_review_due_on is not None:
        return root_review_due_on
    return date_plus_years(
        sent_on, review_years(area_years=area_years, default_years=default_years)
    )
