"""Parties and their agencies: creating and renaming them (a party's status changes in
``party_status``)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partners.models import (
    Agency,
    AgencyKind,
    Officer,
    PartnerAuditEvent,
    Party,
    PartyKind,
    PartyStatus,
    PartyStatusChange,
)
from partners.party_defaults import default_language, default_time_zone
from partners.services.groups import ensure_nfp_group
from selec.core.audit import audit_record
from selec.core.models import AuditAction


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
    legal_basis: str = "",
) -> Party:
    """Register a party with its status from ``status_since`` (the date it takes effect, the
    first row of its history) and the agreement it takes part under (``legal_basis``)."""
    party = Party(
        code=code,
        name=name,
        kind=kind,
        status=status,
        status_since=status_since,
        legal_basis=legal_basis,
        language=default_language(code),
        time_zone=default_time_zone(code),
    )
    party.full_clean()
    party.save()
    PartyStatusChange.objects.create(
        party=party, status=status, effective_from=status_since, note=note
    )
    audit_record(
        actor=actor,
        action=AuditAction.COLLECTION,
        event=PartnerAuditEvent.PARTY_CREATED,
        target=party,
        reason="party created",
        details={"code": code, "status": str(status), "status_since": status_since.isoformat()},
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
        event=PartnerAuditEvent.PARTY_RENAMED,
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
    agency = Agency(
        party=party, name=name, kind=kind, is_national_focal_point=is_national_focal_point
    )
    # Validated before its group exists: a taken name is a message, not a clash of group names.
    _refuse_second_nfp(agency)
    agency.full_clean(exclude=["group"])
    agency.group = Group.objects.create(name=_agency_group_name(party, name))
    agency.save()
    if is_national_focal_point:
        ensure_nfp_group(party)
    audit_record(
        actor=actor,
        action=AuditAction.COLLECTION,
        event=PartnerAuditEvent.AGENCY_CREATED,
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
    _refuse_second_nfp(agency)
    agency.full_clean()
    agency.save(update_fields=["name", "kind", "is_national_focal_point"])
    if is_national_focal_point:
        ensure_nfp_group(agency.party)
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        event=PartnerAuditEvent.AGENCY_UPDATED,
        target=agency,
        reason="agency updated",
        details={"name": name, "kind": str(kind), "national_focal_point": is_national_focal_point},
    )
    return agency


def _refuse_second_nfp(agency: Agency) -> None:
    """One National Focal Point per party (the constraint ``one_national_focal_point_per_party``
    says so too, in words no administrator should have to read)."""
    if not agency.is_national_focal_point:
        return
    existing = (
        Agency.objects.filter(party_id=agency.party_id, is_national_focal_point=True)
        .exclude(pk=agency.pk)
        .values_list("name", flat=True)
        .first()
    )
    if existing is not None:
        raise ValidationError(
            {
                "is_national_focal_point": (
                    _("%(party)s already has a National Focal Point (%(agency)s): a party has one.")
                    % {"party": agency.party.code, "agency": existing}
                )
            }
        )


def _agency_group_name(party: Party, name: str) -> str:
    return f"agency:{party.code}:{name}"[:150]
