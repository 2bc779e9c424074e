"""The gate of every path that creates an exchange or adds an audience to one: the policy's
audience, personal-data and case rules, checked before anything is stored.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from exchanges import policy
from exchanges.case_links import case_links
from exchanges.models import Exchange
from selec.core.policy_values import AgencyFacts, PolicyError, Restrictions


def admit(
    facts: policy.ExchangeFacts,
    *,
    author: AgencyFacts,
    added: tuple[AgencyFacts, ...],
    case: policy.CaseLinkFacts | None = None,
    added_field: str = "recipients",
) -> None:
    """The gate of every path that creates an exchange (a send, a case message, a reply) or
    adds an audience to one (a forward, a dissemination): the sender, addressee and
    personal-data rules of ``policy.check_audience`` (and, for an exchange in a case, that no
    personal data joins a case an observer takes part in), checked before anything is stored.

    A refusal that concerns the input is a ValidationError of its field (``added_field`` names
    the field of the agencies added): 400 on the API, the form shown again on a page. One that
    concerns the act itself, whatever the input, is PermissionDenied (403)."""
    try:
        policy.check_audience(facts, author=author, added=added)
        policy.check_personal_data_in_case(case, personal_data=facts.personal_data)
    except PolicyError as exc:
        if not exc.field:
            raise PermissionDenied(str(exc)) from exc
        field = added_field if exc.field == "recipients" else exc.field
        raise ValidationError({field: [str(exc)]}) from exc


def admit_new(
    sender: AgencyFacts,
    addressees: tuple[AgencyFacts, ...],
    *,
    restrictions: Restrictions,
    personal: bool,
    case: policy.CaseLinkFacts | None = None,
) -> policy.ExchangeFacts:
    """The gate of a new exchange (a send, a case message, a reply): its sender is its author
    and every addressee is added. Returns the new exchange's facts."""
    facts = policy.ExchangeFacts(
        sender=sender, recipients=addressees, restrictions=restrictions, personal_data=personal
    )
    admit(facts, author=sender, added=addressees, case=case)
    return facts


def case_link_facts_of(case_id: int | None) -> policy.CaseLinkFacts | None:
    """What the policy checks of the case an exchange joins (its parties, kind, status and
    observers), or None when no case is named or there is no such case."""
    return case_links().link_facts(case_id) if case_id is not None else None


def refuse_if_erased(exchange: Exchange) -> None:
    """Nothing of an erased exchange is disclosed further (``policy.check_content_held``): a
    ValidationError, as the state of the exchange, not the officer's rights, refuses it."""
    try:
        policy.check_content_held(exchange.reference, erased=exchange.erased_at is not None)
    except PolicyError as exc:
        raise ValidationError(str(exc)) from exc
