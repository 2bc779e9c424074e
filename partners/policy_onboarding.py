"""Onboarding: who registers parties, agencies and officers, and where an officer's account
stands between the administrator's invitation and the first page it may read.

Pure functions over plain facts, like ``partners.policy``: the pages, the services and the
tests ask the same questions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from partners.models import ContentAccess
from partners.policy import administers_directory


def onboards(*, role: str, is_active: bool, is_superuser: bool = False) -> bool:
    """Directory administrators (and superusers) register parties, agencies and officers;
    every other officer gets a 404 on those pages."""
    return is_active and administers_directory(role=role, is_superuser=is_superuser)


def invitation_usable(
    *,
    used_at: dt.datetime | None,
    revoked_at: dt.datetime | None,
    expires_at: dt.datetime,
    now: dt.datetime,
    officer_active: bool,
    officer_has_password: bool,
) -> bool:
    """A link works once, before it expires, for an active officer who has no password yet: an
    account that was ever opened is never opened again by a link."""
    return (
        used_at is None
        and revoked_at is None
        and now < expires_at
        and officer_active
        and not officer_has_password
    )


def may_invite(*, is_active: bool, has_usable_password: bool) -> bool:
    """An invitation (or a new one) only for an active account nobody has opened: once the
    officer set a password, a new link would let whoever reads their mailbox take it over."""
    return is_active and not has_usable_password


class Stage(StrEnum):
    """Where an officer's account stands, as the party page shows it."""

    INACTIVE = "inactive"
    NOT_INVITED = "not_invited"
    INVITED = "invited"
    INVITATION_EXPIRED = "invitation_expired"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    REFUSED = "refused"
    ACTIVE = "active"

    @property
    def label(self) -> str:
        return str(STAGE_LABELS[self])


STAGE_LABELS = {
    Stage.INACTIVE: _("Inactive"),
    Stage.NOT_INVITED: _("No open invitation: send one"),
    Stage.INVITED: _("Invited"),
    Stage.INVITATION_EXPIRED: _("Invitation expired: send it again"),
    Stage.AWAITING_CONFIRMATION: _("Active, awaiting NFP confirmation"),
    Stage.REFUSED: _("Access refused by the NFP"),
    Stage.ACTIVE: _("Active"),
}


def officer_stage(
    *,
    is_active: bool,
    has_usable_password: bool,
    open_invitation_expires_at: dt.datetime | None,
    now: dt.datetime,
    content_access: str,
) -> Stage:
    """The account's stage: invited until the officer sets a password with the link, then
    waiting for the National Focal Point's confirmation before any content."""
    if not is_active:
        return Stage.INACTIVE
    if not has_usable_password:
        if open_invitation_expires_at is None:
            return Stage.NOT_INVITED
        if now >= open_invitation_expires_at:
            return Stage.INVITATION_EXPIRED
        return Stage.INVITED
    if content_access == ContentAccess.REFUSED:
        return Stage.REFUSED
    if content_access != ContentAccess.CONFIRMED:
        return Stage.AWAITING_CONFIRMATION
    return Stage.ACTIVE


def next_step(*, agency_count: int, has_nfp: bool, stages: Iterable[Stage]) -> str:
    """What the administrator (or someone else) does next for the party, in onboarding order."""
    present = set(stages)
    if agency_count == 0:
        return str(
            _("Register the party's agencies, its National Focal Point first if it has one.")
        )
    if not present:
        return str(_("Add the officers of its agencies: each receives an invitation by e-mail."))
    if present & {Stage.NOT_INVITED, Stage.INVITATION_EXPIRED}:
        return str(_("Send a new invitation to the officers whose invitation expired."))
    if Stage.INVITED in present:
        return str(
            _("Wait for the invited officers to set their password and their authenticator.")
        )
    if Stage.AWAITING_CONFIRMATION in present and Stage.ACTIVE not in present:
        # The first officers of a party: nobody of its own has access to confirm them.
        return str(
            _(
                "Nobody of the party has access yet to confirm its officers: the operator confirms "
                "the first one (manage.py confirm_officer_access), who then confirms the others."
            )
        )
    if Stage.AWAITING_CONFIRMATION in present:
        who = _("its National Focal Point") if has_nfp else _("an officer of the same agency")
        return str(
            _("The officers' access to content waits for a confirmation by %(who)s.") % {"who": who}
        )
    return str(_("Onboarding is complete: every officer is active."))
