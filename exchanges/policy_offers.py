"""What a page shows of the actions the policy refuses: an action the officer may not take is
drawn disabled with the policy's reason, not as a live button that leads to a refusal.

Pure functions over the permissions the selectors read and plain facts (no database), beside
``exchanges.policy``: the permissions already carry the rules (``grants_for`` gives a
recipient held back by H2 the right to ask instead of the right to forward), and the reasons
are the policy's. A page asks here and draws what it is told; it never restates a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from exchanges.policy import Perm

# The reasons a restriction gives, as the officer reads them beside the action it holds back
# (in English here; an Offer carries them in the reader's language).
# Translators: H2 is a handling code (no dissemination without the provider's consent).
H2_HOLDS_BACK = gettext_noop(
    "H2: the provider has not allowed this exchange to be shared further. Ask the provider "
    "to lift it; you may forward it once the request is granted."
)
# Translators: H1 is a handling code (not to be used as evidence without the provider's consent).
H1_HOLDS_BACK = gettext_noop(
    "H1: the provider has not allowed this exchange to be used as evidence. Ask the provider "
    "to lift it; you may export it once the request is granted."
)


@dataclass(frozen=True)
class Offer:
    """An action as a page draws it: live (``allowed``), or disabled with ``reason``.
    ``ask_provider``: the way past the refusal is a dissemination request to the provider."""

    allowed: bool
    reason: str = ""
    ask_provider: bool = False


LIVE = Offer(allowed=True)


def forward_offer(perms: frozenset[Perm], *, erased: bool) -> Offer | None:
    """The forward action: live for whoever may forward; disabled for a recipient H2 holds
    back (who may ask the provider instead). None: not drawn at all, for an officer who holds
    neither right (an NFP reading its country's traffic) and on content its provider erased
    (``policy.check_content_held``: nothing left to pass on, which the message already says in
    place of its content)."""
    if erased or (Perm.FORWARD not in perms and Perm.REQUEST_DISSEMINATION not in perms):
        return None
    if Perm.FORWARD in perms:
        return LIVE
    return Offer(allowed=False, reason=gettext(H2_HOLDS_BACK), ask_provider=True)


def evidence_offer(perms: frozenset[Perm], *, erased: bool) -> Offer | None:
    """The export as evidence: live for whoever holds it; disabled under H1 for a recipient
    the provider has not released it to (who may ask instead). None as for the forward."""
    if erased or (Perm.EXPORT_EVIDENCE not in perms and Perm.REQUEST_DISSEMINATION not in perms):
        return None
    if Perm.EXPORT_EVIDENCE in perms:
        return LIVE
    return Offer(allowed=False, reason=gettext(H1_HOLDS_BACK), ask_provider=True)


def ask_provider_offer(perms: frozenset[Perm], *, erased: bool) -> Offer | None:
    """Asking the provider to lift H1 or H2: for a recipient that holds the right, while the
    content is held."""
    if erased or Perm.REQUEST_DISSEMINATION not in perms:
        return None
    return LIVE
