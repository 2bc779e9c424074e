"""Writes to the directory: parties, their status, agencies and officers.

Each function is one use case in one transaction with its audit event. The Django groups that
object permissions are granted to (one per agency, one per National Focal Point, one for the
directory administrators) are kept in step here, never by signals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from partners import policy
from partners.api_auth import api_tokens_revoke_all
from partners.models import (
    AccessConfirmation,
    AccessConfirmationReason,
    AccessConfirmationStatus,
    Agency,
    AgencyKind,
    ContentAccess,
    Officer,
    PartnerNotificationKind,
    Party,
    PartyKind,
    PartyStatus,
    PartyStatusChange,
    Posting,
    Role,
)
from partners.selectors import (
    confirmation_with_facts,
    forget_group_ids,
    officer_facts,
    officers_concerned,
    officers_who_decide,
)
from partners.status_sync import resync_after_status_change
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.notifications import notify_officers

DIRECTORY_ADMINS_GROUP = "directory administrators"
# The models a directory administrator maintains in the admin; exchange content is not among them.
DIRECTORY_MODELS = {
    "partners": ["party", "partystatuschange", "agency", "officer"],
    "taskforces": ["crimearea", "taskforce", "subtaskforce", "taskforcemembership"],
}


@transaction.atomic
def party_create(
    *,
    actor: Officer | None,
    code: str,
    name: str,
    kind: PartyKind | str,
    status: PartyStatus | str,
    status_since: dt.date,
    note: str = "",
) -> Party:
    party = Party(code=code, name=name, kind=kind, status=status, status_since=status_since)
    party.full_clean()
    party.save()
    PartyStatusChange.objects.create(
        party=party, status=status, effective_from=status_since, note=note
    )
    audit_record(
        actor=actor,
        action=AuditAction.COLLECTION,
        target=party,
        reason="party created",
        details={"code": code, "status": str(status), "status_since": status_since.isoformat()},
    )
    return party


@transaction.atomic
def party_change_status(
    *,
    actor: Officer | None,
    party: Party,
    status: PartyStatus | str,
    effective_from: dt.date,
    note: str = "",
) -> Party:
    """Record a new status in the party's history, make it the current one and re-decide at
    once everything the party's agencies hold in the other apps (``partners.status_sync``): a
    downgrade to observer removes their access to everything with personal data."""
    party = Party.objects.select_for_update().get(pk=party.pk)
    previous = party.status
    if status == previous:
        raise ValidationError(
            {"status": [f"{party.name} already has the status {party.get_status_display()}."]}
        )
    PartyStatusChange.objects.create(
        party=party, status=status, effective_from=effective_from, note=note
    )
    party.status, party.status_since = status, effective_from
    party.full_clean()
    party.save(update_fields=["status", "status_since"])
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        target=party,
        reason="party status changed",
        details={
            "from": previous,
            "to": str(status),
            "effective_from": effective_from.isoformat(),
            "note": note,
        },
    )
    resync_after_status_change(party)
    return party


@transaction.atomic
def party_rename(*, actor: Officer | None, party: Party, name: str) -> Party:
    previous = Party.objects.values_list("name", flat=True).get(pk=party.pk)
    party.name = name
    party.full_clean()
    party.save(update_fields=["name"])
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        target=party,
        reason="party renamed",
        details={"from": previous, "to": name},
    )
    return party


@transaction.atomic
def agency_create(
    *,
    actor: Officer | None,
    party: Party,
    name: str,
    kind: AgencyKind | str,
    is_national_focal_point: bool = False,
) -> Agency:
    group = Group.objects.create(name=_agency_group_name(party, name))
    agency = Agency(
        party=party,
        name=name,
        kind=kind,
        is_national_focal_point=is_national_focal_point,
        group=group,
    )
    agency.full_clean()
    agency.save()
    if is_national_focal_point:
        _ensure_nfp_group(party)
    audit_record(
        actor=actor,
        action=AuditAction.COLLECTION,
        target=agency,
        reason="agency created",
        details={
            "party": party.code,
            "name": name,
            "national_focal_point": is_national_focal_point,
        },
    )
    return agency


@transaction.atomic
def agency_update(
    *,
    actor: Officer | None,
    agency: Agency,
    name: str,
    kind: AgencyKind | str,
    is_national_focal_point: bool,
) -> Agency:
    agency.name, agency.kind, agency.is_national_focal_point = name, kind, is_national_focal_point
    agency.full_clean()
    agency.save(update_fields=["name", "kind", "is_national_focal_point"])
    if is_national_focal_point:
        _ensure_nfp_group(agency.party)
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        target=agency,
        reason="agency updated",
        details={"name": name, "kind": str(kind), "national_focal_point": is_national_focal_point},
    )
    return agency


@transaction.atomic
def officer_create(
    *,
    actor: Officer | None,
    username: str,
    password: str | None,
    role: Role | str,
    agency: Agency | None = None,
    posted_at: Posting | str = Posting.HQ,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> Officer:
    officer = Officer(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        agency=agency,
        role=role,
        posted_at=posted_at,
        is_staff=role == Role.DIRECTORY_ADMIN,
    )
    if password:
        officer.set_password(password)
    else:
        officer.set_unusable_password()
    _validate_assignment(officer)
    officer.content_access = policy.initial_content_access(officer.role)
    officer.full_clean()
    officer.save()
    _sync_groups(officer)
    audit_record(
        actor=actor,
        action=AuditAction.COLLECTION,
        target=officer,
        reason="officer account created",
        details=_assignment_details(officer),
    )
    if officer.awaits_confirmation:
        _confirmation_open(officer, reason=AccessConfirmationReason.CREATED, actor=actor)
    return officer


@transaction.atomic
def officer_update_assignment(
    *,
    actor: Officer | None,
    officer: Officer,
    role: Role | str,
    agency: Agency | None,
    posted_at: Posting | str,
    is_active: bool = True,
) -> Officer:
    """Move an officer to another agency or role, deactivate or reactivate the account.

    Groups follow. A move, a new role or a reactivation of an officer of an agency reaches
    content only once confirmed (``officer_access_decide``); until then the officer has none.
    Deactivation revokes the officer's API tokens, so a reactivation revives none of them.
    Nobody changes their own assignment.
    """
    if not policy.may_change_assignment(actor_id=getattr(actor, "pk", None), officer_id=officer.pk):
        raise PermissionDenied(
            "Nobody changes their own role, agency or activity: another administrator must."
        )
    before = Officer.objects.select_for_update().get(pk=officer.pk)
    reason = policy.confirmation_reason(
        was_active=before.is_active,
        is_active=is_active,
        old_agency_id=before.agency_id,
        new_agency_id=agency.pk if agency else None,
        old_role=before.role,
        new_role=str(role),
    )
    officer.agency, officer.role, officer.posted_at, officer.is_active = (
        agency,
        role,
        posted_at,
        is_active,
    )
    officer.is_staff = role == Role.DIRECTORY_ADMIN
    _validate_assignment(officer)
    if reason is not None:
        officer.content_access = policy.initial_content_access(role)
    officer.full_clean(exclude=["password"])
    officer.save(
        update_fields=["agency", "role", "posted_at", "is_active", "is_staff", "content_access"]
    )
    _sync_groups(officer)
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        target=officer,
        reason="officer assignment changed",
        details=_assignment_details(officer),
    )
    if before.is_active and not is_active:
        # Once, when the account goes inactive: an inactive account gets no token and no
        # confirmation request, so saving it again has nothing to undo.
        _confirmations_supersede(officer)
        api_tokens_revoke_all(actor=actor, officer=officer, reason="officer deactivated")
    elif reason is not None and officer.awaits_confirmation:
        _confirmation_open(officer, reason=reason, actor=actor)
    elif reason is not None:
        _confirmations_supersede(officer)
    return officer


def _confirmations_supersede(officer: Officer) -> None:
    AccessConfirmation.objects.filter(
        officer=officer, status=AccessConfirmationStatus.PENDING
    ).update(status=AccessConfirmationStatus.SUPERSEDED, decided_at=timezone.now())


def _confirmation_open(
    officer: Officer, *, reason: AccessConfirmationReason, actor: Officer | None
) -> AccessConfirmation:
    """Open the confirmation the officer's new assignment waits for, replacing an undecided
    one, and tell those concerned: the officers of the agency and the NFP of the party."""
    assert officer.agency is not None
    _confirmations_supersede(officer)
    confirmation = AccessConfirmation.objects.create(
        officer=officer,
        agency=officer.agency,
        role=officer.role,
        reason=reason,
        requested_by=actor if getattr(actor, "pk", None) else None,
        requested_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.COLLECTION,
        target=confirmation,
        reason="access confirmation requested",
        details={
            "officer": officer.username,
            "agency": officer.agency.name,
            "party": officer.agency.party.code,
            "role": str(officer.role),
            "why": str(reason),
            "requested_by": getattr(actor, "username", "") or "system",
        },
    )
    notify_officers(
        # The officer awaits confirmation, so officers_concerned (access confirmed) leaves
        # them out.
        officers=officers_who_decide(confirmation)
        | officers_concerned(agency_ids=[officer.agency.pk]),
        kind=PartnerNotificationKind.ACCESS_CONFIRMATION,
        title=(
            f"{officer.get_full_name() or officer.username} ({officer.username}) awaits "
            f"confirmation of access as {officer.get_role_display().lower()} of "
            f"{officer.agency.name}"
        )[:200],
        link="/account/confirmations/",
        object_type="partners.accessconfirmation",
        object_id=str(confirmation.pk),
        dedupe_key=f"access-confirmation-requested:{confirmation.pk}",
    )
    return confirmation


@transaction.atomic
def officer_access_decide(
    *, actor: Officer, confirmation_id: int, confirm: bool, note: str = ""
) -> AccessConfirmation:
    """The NFP (or, for a party without one, a colleague with access) confirms or refuses an
    officer's new assignment. A confirmation the actor may not decide answers 404, as one that
    does not exist."""
    found = confirmation_with_facts(confirmation_id, lock=True)
    if found is None or not policy.may_confirm(officer_facts(actor), found[1]):
        raise Http404("No such access confirmation.")
    confirmation = found[0]
    if confirmation.status != AccessConfirmationStatus.PENDING:
        raise ValidationError(
            {"status": [f"This request was already {confirmation.get_status_display().lower()}."]}
        )
    return _confirmation_decide(confirmation, actor=actor, confirm=confirm, note=note)


@transaction.atomic
def officer_access_confirm_by_operator(*, officer: Officer, note: str) -> AccessConfirmation:
    """From the command line, for the first officers of a party: confirm where no officer
    could (``policy.may_confirm_as_operator``), audited as the operator's decision."""
    confirmation = (
        AccessConfirmation.objects.select_for_update(of=("self",))
        .select_related("officer", "agency__party", "requested_by")
        .filter(officer=officer, status=AccessConfirmationStatus.PENDING)
        .first()
    )
    if confirmation is None:
        raise ValidationError(f"{officer.username} has no access awaiting confirmation.")
    if not policy.may_confirm_as_operator(
        someone_can_decide=officers_who_decide(confirmation).exists()
    ):
        raise PermissionDenied(
            f"{officer.username}'s access is confirmed by the National Focal Point of "
            f"{confirmation.agency.party.code} or a colleague with access, not by the operator."
        )
    if not note.strip():
        raise ValidationError("Say why the operator confirms (e.g. the party's first officer).")
    return _confirmation_decide(confirmation, actor=None, confirm=True, note=note)


def _confirmation_decide(
    confirmation: AccessConfirmation, *, actor: Officer | None, confirm: bool, note: str
) -> AccessConfirmation:
    officer = (
        Officer.objects.select_for_update(of=("self",))
        .select_related("agency__party")
        .get(pk=confirmation.officer_id)
    )
    confirmation.status = (
        AccessConfirmationStatus.CONFIRMED if confirm else AccessConfirmationStatus.REFUSED
    )
    confirmation.decided_by, confirmation.decided_at = actor, timezone.now()
    confirmation.note = note.strip()[:300]
    confirmation.save(update_fields=["status", "decided_by", "decided_at", "note"])
    officer.content_access = ContentAccess.CONFIRMED if confirm else ContentAccess.REFUSED
    officer.save(update_fields=["content_access"])
    _sync_groups(officer)
    audit_record(
        actor=actor,
        action=AuditAction.GRANT if confirm else AuditAction.ALTERATION,
        target=confirmation,
        reason="access confirmed" if confirm else "access refused",
        details={
            "officer": officer.username,
            "agency": confirmation.agency.name,
            "role": confirmation.role,
            "why": confirmation.reason,
            "requested_by": (
                confirmation.requested_by.username if confirmation.requested_by else "system"
            ),
            "decided_by": actor.username if actor else "operator",
        },
        justification=note,
    )
    if actor is not None:
        # The operator confirms the first officer of a party before anyone has signed in: there
        # is nobody to tell yet. An officer's decision is told to the subject and the requester.
        verdict = "confirmed" if confirm else "refused"
        notify_officers(
            officers=Officer.objects.filter(
                pk__in=[officer.pk, confirmation.requested_by_id or officer.pk]
            ),
            kind=PartnerNotificationKind.ACCESS_CONFIRMATION,
            title=f"Access of {officer.username} to {confirmation.agency.name} {verdict}"[:200],
            link="/account/",
            object_type="partners.accessconfirmation",
            object_id=str(confirmation.pk),
            dedupe_key=f"access-confirmation-decided:{confirmation.pk}",
        )
    return confirmation


@transaction.atomic
def officer_update_profile(
    *, actor: Officer | None, officer: Officer, first_name: str, last_name: str, email: str
) -> Officer:
    officer.first_name, officer.last_name, officer.email = first_name, last_name, email
    officer.full_clean(exclude=["password"])
    officer.save(update_fields=["first_name", "last_name", "email"])
    audit_record(
        actor=actor, action=AuditAction.ALTERATION, target=officer, reason="officer profile updated"
    )
    return officer


@transaction.atomic
def officer_login_unlock(*, actor: Officer | None, officer: Officer) -> bool:
    """Clear the failed logins that lock the officer's username out (django-axes); return
    whether there were any. Audited, since it lets someone try passwords again."""
    from axes.utils import reset

    cleared = reset(username=officer.username)
    if cleared:
        audit_record(
            actor=actor,
            action=AuditAction.ALTERATION,
            target=officer,
            reason="login unlocked",
            details={"username": officer.username, "failed_attempt_records": cleared},
        )
    return bool(cleared)


def directory_admins_group() -> Group:
    group, created = Group.objects.get_or_create(name=DIRECTORY_ADMINS_GROUP)
    if created or not group.permissions.exists():
        group.permissions.set(_directory_permissions())
    return group


def _directory_permissions() -> list[Permission]:
    perms = []
    for app_label, models in DIRECTORY_MODELS.items():
        perms += Permission.objects.filter(
            content_type__app_label=app_label,
            content_type__model__in=models,
            codename__regex=r"^(add|change|view)_",
        )
    return perms


def _validate_assignment(officer: Officer) -> None:
    if officer.role == Role.NFP_OFFICER and not (
        officer.agency and officer.agency.is_national_focal_point
    ):
        raise ValidationError(
            {"agency": "An NFP officer belongs to the National Focal Point of a party."}
        )
    if officer.role not in (Role.LIAISON_OFFICER, Role.NFP_OFFICER) and officer.agency_id:
        raise ValidationError(
            {"agency": "Secretariat staff (analyst, DPO, directory admin) have no agency."}
        )


def _sync_groups(officer: Officer) -> None:
    """Make the officer's managed groups exactly those their agency and role call for."""
    wanted: set[Group] = set()
    # Content is reached through these groups: an assignment awaiting confirmation gets none.
    if officer.agency_id and officer.is_active and not officer.awaits_confirmation:
        agency = officer.agency
        assert agency is not None
        wanted.add(agency.group)
        if officer.role == Role.NFP_OFFICER:
            wanted.add(_ensure_nfp_group(agency.party))
    if officer.role == Role.DIRECTORY_ADMIN and officer.is_active:
        wanted.add(directory_admins_group())
    managed = (
        officer.groups.filter(agency__isnull=False)
        | officer.groups.filter(nfp_party__isnull=False)
        | officer.groups.filter(name=DIRECTORY_ADMINS_GROUP)
    )
    officer.groups.remove(*[g for g in managed if g not in wanted])
    officer.groups.add(*wanted)
    # The ids kept on the instance (officer_group_ids) are those of before.
    forget_group_ids(officer)


def _ensure_nfp_group(party: Party) -> Group:
    if party.nfp_group_id is None:
        party.nfp_group = Group.objects.create(name=f"nfp:{party.code}")
        party.save(update_fields=["nfp_group"])
    assert party.nfp_group is not None
    return party.nfp_group


def _agency_group_name(party: Party, name: str) -> str:
    return f"agency:{party.code}:{name}"[:150]


def _assignment_details(officer: Officer) -> dict[str, Any]:
    return {
        "username": officer.username,
        "role": str(officer.role),
        "agency": officer.agency.name if officer.agency else None,
        "posted_at": str(officer.posted_at),
        "active": officer.is_active,
        "content_access": str(officer.content_access),
    }
