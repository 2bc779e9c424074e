"""The Django groups object permissions are granted to, kept in step by the services.

One group per agency, one per National Focal Point, one for the directory administrators: an
officer's managed groups are exactly those their agency, role and confirmed access call for.
Called inside the caller's transaction.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from partners.models import Officer, Party, Role
from partners.selectors import forget_group_ids

DIRECTORY_ADMINS_GROUP = "directory administrators"
# The models a directory administrator maintains in the admin; exchange content is not among them.
DIRECTORY_MODELS = {
    "partners": ["party", "partystatuschange", "agency", "officer"],
    "taskforces": ["crimearea", "taskforce", "subtaskforce", "taskforcemembership"],
}


def directory_admins_group() -> Group:
    group, created = Group.objects.get_or_create(name=DIRECTORY_ADMINS_GROUP)
    if created or not group.permissions.exists():
        group.permissions.set(_directory_permissions())
    return group


def _directory_permissions() -> list[Permission]:
    perms: list[Permission] = []
    for app_label, models in DIRECTORY_MODELS.items():
        perms += Permission.objects.filter(
            content_type__app_label=app_label,
            content_type__model__in=models,
            codename__regex=r"^(add|change|view)_",
        )
    return perms


def sync_groups(officer: Officer) -> None:
    """Make the officer's managed groups exactly those their agency and role call for."""
    wanted: set[Group] = set()
    # Content is reached through these groups: an assignment awaiting confirmation gets none.
    if officer.agency_id and officer.is_active and not officer.awaits_confirmation:
        agency = officer.agency
        assert agency is not None
        wanted.add(agency.group)
        if officer.role == Role.NFP_OFFICER:
            wanted.add(ensure_nfp_group(agency.party))
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


def ensure_nfp_group(party: Party) -> Group:
    if party.nfp_group_id is None:
        party.nfp_group = Group.objects.create(name=f"nfp:{party.code}")
        party.save(update_fields=["nfp_group"])
    assert party.nfp_group is not None
    return party.nfp_group
