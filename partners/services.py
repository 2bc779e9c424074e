"""Writes to the directory: parties, their status, agencies and officers.

Each function is one use case in one transaction with its audit event. The Django groups that
object permissions are granted to (one per agency, one per National Focal Point, one for the
directory administrators) are kept in step here, never by signals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction

from partners.models import (
    Agency,
    AgencyKind,
    Officer,
    Party,
    PartyKind,
    PartyStatus,
    PartyStatusChange,
    Posting,
    Role,
)
from selec.audit import audit_record
from selec.models import AuditAction

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
    """Record a new status in the party's history and make it the current one."""
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
    """Move an officer to another agency or role (or deactivate the account); groups follow."""
    officer.agency, officer.role, officer.posted_at, officer.is_active = (
        agency,
        role,
        posted_at,
        is_active,
    )
    officer.is_staff = role == Role.DIRECTORY_ADMIN
    _validate_assignment(officer)
    officer.full_clean(exclude=["password"])
    officer.save(update_fields=["agency", "role", "posted_at", "is_active", "is_staff"])
    _sync_groups(officer)
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        target=officer,
        reason="officer assignment changed",
        details=_assignment_details(officer),
    )
    return officer


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
    if officer.agency_id and officer.is_active:
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
    }
